import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { AfterQueryEvent, DataSource, EntitySubscriberInterface } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';

/** The pg pool under a TypeORM DataSource (postgres driver's `master`). */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}

/** Statement timings of each DataSource, for the statements that bypass TypeORM (pgQuery). */
const queryObservers = new WeakMap<DataSource, (seconds: number | undefined) => void>();

/** Records one statement run outside TypeORM: its duration, or undefined when it failed. */
export function observeQuery(db: DataSource, seconds: number | undefined): void {
  queryObservers.get(db)?.(seconds);
}

/**
 * The Database Performance dashboard's client-side view of each service's database: pool usage
 * (read from pg's pool at scrape time) and the duration of every statement, through TypeORM's
 * afterQuery event and, for the hot statements that skip TypeORM, through pgQuery.
 */
@Injectable()
export class DatabaseMetrics implements OnApplicationBootstrap, EntitySubscriberInterface {
  private readonly duration: Histogram;
  private readonly errors: Counter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {
    this.duration = metrics.histogram({
      name: 'db_query_duration_seconds',
      help: 'Duration of the SQL statements this service ran successfully',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    });
    // TypeORM reports no duration for a failed statement, so failures are counted apart.
    this.errors = metrics.counter({ name: 'db_query_errors_total', help: 'SQL statements of this service that failed' });
  }

  onApplicationBootstrap(): void {
    const pool = () => (this.dataSource.driver as unknown as { master?: PgPool }).master;
    this.metrics.gauge({
      name: 'db_pool_connections',
      help: "Connections of this service's database pool by state (active = checked out)",
      labelNames: ['state'],
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'active' }, p.totalCount - p.idleCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      },
    });
    this.metrics.gauge({
      name: 'db_pool_max_connections',
      help: "Size limit of this service's database pool (DB_POOL_SIZE)",
      collect() {
        const p = pool();
        if (p) this.set(p.options.max);
      },
    });
    // TypeORM offers no way to register a subscriber instance after construction but its list.
    this.dataSource.subscribers.push(this);
    queryObservers.set(this.dataSource, (seconds) => this.record(seconds));
  }

  afterQuery(event: AfterQueryEvent<unknown>): void {
    this.record(event.success && event.executionTime !== undefined ? event.executionTime / 1000 : undefined);
  }

  private record(seconds: number | undefined): void {
    if (seconds === undefined) this.errors.inc();
    else this.duration.observe(seconds);
  }
}
