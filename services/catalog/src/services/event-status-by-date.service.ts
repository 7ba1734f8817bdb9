import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, PeriodicTask, sqlRows } from '@etsr/platform';
import { CatalogConfig } from '../config';

/**
 * Events move on by their dates: UPCOMING → ONGOING once start_date has come, → COMPLETED once
 * end_date has passed (CANCELLED and COMPLETED stay). One conditional UPDATE, run at start and
 * every EVENT_STATUS_INTERVAL_MS: it is idempotent and a row it changes is locked, so replicas
 * running it at once change each event once (the second re-checks the WHERE after the lock).
 * A status is at most one interval behind its dates; an admin may still set it earlier by hand.
 */
@Injectable()
export class EventStatusByDate implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: CatalogConfig,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(EventStatusByDate.name);
    this.task = new PeriodicTask('Event status by date', config.EVENT_STATUS_INTERVAL_MS, () => this.advance(), this.log);
  }

  onApplicationBootstrap(): void {
    this.task.start(true);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One pass; resolves to the events it moved. */
  async advance(): Promise<{ eventId: number; status: string }[]> {
    const rows = await sqlRows<{ event_id: string; status: string }>(
      this.db,
      `UPDATE events
          SET status = CASE WHEN end_date <= now() THEN 'COMPLETED' ELSE 'ONGOING' END, updated_at = now()
        WHERE (status = 'UPCOMING' AND start_date <= now()) OR (status = 'ONGOING' AND end_date <= now())
        RETURNING event_id, status`,
    );
    const moved = rows.map((r) => ({ eventId: Number(r.event_id), status: r.status }));
    if (moved.length) this.log.info('Events moved on by their dates', { events: moved.length, ongoing: moved.filter((m) => m.status === 'ONGOING').length });
    return moved;
  }
}
