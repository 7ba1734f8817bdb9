import { Injectable } from '@nestjs/common';
import { MetricsService } from '@etsr/platform';
import { Counter, Gauge, Histogram } from 'prom-client';
import { SeatsRepository } from '../repositories/seats.repository';

/** The seating service's business metrics (docs/architecture.md#metrics). */
@Injectable()
export class SeatingMetrics {
  readonly reservations: Counter<'status'>;
  readonly expiredReleased: Counter;
  /** Snapshot queries of seat maps: each one is a map query in the database. */
  readonly mapRefreshes: Counter<'event_id'>;
  readonly notModified: Counter<'resource'>;
  readonly feedSubscribers: Gauge;
  readonly feedRefused: Counter<'reason'>;
  readonly listenerUp: Gauge;
  /** Waiting room: buyers waiting, by event (every replica reads it from the database each tick). */
  readonly queueWaiting: Gauge<'event_id'>;
  /** Waiting room: buyers admitted, by event, counted by the replica that admitted them (sum over replicas). */
  readonly queueAdmitted: Counter<'event_id'>;
  readonly queueWait: Histogram;

  constructor(metrics: MetricsService, seats: SeatsRepository) {
    this.reservations = metrics.counter({ name: 'seat_reservations_total', help: 'Reservation requests by outcome', labelNames: ['status'] });
    for (const status of ['success', 'failed']) this.reservations.inc({ status }, 0);
    this.expiredReleased = metrics.counter({ name: 'expired_reservations_released_total', help: 'Holds that expired and went back to inventory' });
    this.mapRefreshes = metrics.counter({ name: 'seat_map_refreshes_total', help: 'Seat map snapshot refreshes (one query each), by event', labelNames: ['event_id'] });
    this.notModified = metrics.counter({ name: 'seat_map_not_modified_total', help: '304 Not Modified answers to seat map and availability reads', labelNames: ['resource'] });
    for (const resource of ['map', 'availability']) this.notModified.inc({ resource }, 0);
    this.feedSubscribers = metrics.gauge({ name: 'seat_feed_subscribers', help: 'Open live seat feed streams on this replica' });
    this.feedRefused = metrics.counter({ name: 'seat_feed_refused_total', help: 'Live seat feed connections refused with 503 (FEED_FULL, SHUTTING_DOWN)', labelNames: ['reason'] });
    this.listenerUp = metrics.gauge({ name: 'seat_changes_listener_up', help: '1 while this replica listens for seat change notifications, 0 while it polls instead' });
    this.queueWaiting = metrics.gauge({ name: 'seat_queue_waiting', help: 'Buyers waiting in a sale queue, by event', labelNames: ['event_id'] });
    this.queueAdmitted = metrics.counter({ name: 'seat_queue_admitted_total', help: 'Buyers admitted from a sale queue, by event (rate = admitted per second)', labelNames: ['event_id'] });
    this.queueWait = metrics.histogram({
      name: 'seat_queue_wait_seconds',
      help: 'Time from joining a sale queue to admission',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    });
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
    // Holds past their TTL that are still RESERVED: the sweeper is behind or stopped (alerted on).
    // Both gauges are collected in the same scrape: they share one query.
    let inFlight: Promise<{ seats: number; oldestOverdueSeconds: number } | undefined> | undefined;
    const overdue = () =>
      (inFlight ??= seats
        .heldPastExpiry()
        .catch(() => undefined)
        .finally(() => (inFlight = undefined)));
    metrics.gauge({
      name: 'seats_held_past_expiry_count',
      help: 'Seats still RESERVED after their hold expired (not yet swept back to inventory)',
      async collect() {
        const o = await overdue();
        if (o) this.set(o.seats);
      },
    });
    metrics.gauge({
      name: 'seat_hold_oldest_overdue_seconds',
      help: 'How long ago the oldest unswept expired hold lapsed (0 when none)',
      async collect() {
        const o = await overdue();
        if (o) this.set(o.oldestOverdueSeconds);
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
