import { Injectable } from '@nestjs/common';
import { MetricsService } from '@etsr/platform';
import { Counter } from 'prom-client';
import { EVENT_STATUSES } from '../entities/event.entity';
import { AvailabilityRepository } from '../repositories/availability.repository';
import { EventsRepository } from '../repositories/events.repository';

export const SYNC_OUTCOMES = ['full', 'delta', 'busy', 'not_due', 'failed'] as const;
export type SyncOutcome = (typeof SYNC_OUTCOMES)[number];

/** The catalog's business metrics, besides the platform's HTTP histogram and process metrics. */
@Injectable()
export class CatalogMetrics {
  readonly syncCycles: Counter<'outcome'>;
  readonly syncUpdates: Counter;

  constructor(metrics: MetricsService, events: EventsRepository, availability: AvailabilityRepository) {
    // Read from the database at scrape time: the same answer from every replica, correct after restarts.
    metrics.gauge({
      name: 'catalog_events_count',
      help: 'Events in the catalog by status',
      labelNames: ['status'],
      async collect() {
        try {
          const counts = await events.countByStatus();
          for (const status of EVENT_STATUSES) this.set({ status }, counts[status]);
        } catch {
          /* database down: health reports it; keep the last values */
        }
      },
    });
    metrics.gauge({
      name: 'catalog_availability_last_sync_timestamp_seconds',
      help: 'When a replica last completed an availability sync cycle (Unix time; 0 = never)',
      async collect() {
        try {
          const last = await availability.lastRunAt();
          this.set(last ? last.getTime() / 1000 : 0);
        } catch {
          /* keep the last value */
        }
      },
    });
    this.syncCycles = metrics.counter({
      name: 'catalog_availability_sync_cycles_total',
      help: 'Availability sync cycles of this replica by outcome (full, delta, busy: another replica held the lock, not_due, failed)',
      labelNames: ['outcome'],
    });
    for (const outcome of SYNC_OUTCOMES) this.syncCycles.inc({ outcome }, 0);
    this.syncUpdates = metrics.counter({
      name: 'catalog_availability_updates_total',
      help: 'Events whose available_seats the availability sync changed',
    });
  }
}
