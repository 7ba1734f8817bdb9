import { Injectable } from '@nestjs/common';
import { MetricsService } from '@etsr/platform';
import { Counter } from 'prom-client';
import { SeatsRepository } from '../repositories/seats.repository';

/** The seating service's business metrics (architecture document, section 9.2). */
@Injectable()
export class SeatingMetrics {
  readonly reservations: Counter<'status'>;
  readonly expiredReleased: Counter;

  constructor(metrics: MetricsService, seats: SeatsRepository) {
    this.reservations = metrics.counter({ name: 'seat_reservations_total', help: 'Reservation requests by outcome', labelNames: ['status'] });
    for (const status of ['success', 'failed']) this.reservations.inc({ status }, 0);
    this.expiredReleased = metrics.counter({ name: 'expired_reservations_released_total', help: 'Holds that expired and went back to inventory' });
    // Gauges are read from the database at scrape time: every replica reports the same truth.
    metrics.gauge({
      name: 'seats_currently_reserved_count',
      help: 'Seats held by live (unexpired) reservations',
      async collect() {
        try {
          this.set(await seats.countHeld());
        } catch {
          /* database down: health reports it */
        }
      },
    });
    metrics.gauge({
      name: 'seats_available_by_event',
      help: 'Seats that can be reserved, by event',
      labelNames: ['event_id'],
      async collect() {
        try {
          const counts = await seats.countsForEvents(null);
          this.reset();
          for (const c of counts) this.set({ event_id: String(c.eventId) }, c.available);
        } catch {
          /* database down: health reports it */
        }
      },
    });
  }
}
