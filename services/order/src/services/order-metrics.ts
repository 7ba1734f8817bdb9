import { Injectable } from '@nestjs/common';
import { MetricsService } from '@etsr/platform';
import { Counter } from 'prom-client';

/** Business metrics of the booking saga (for the Business Metrics dashboard). */
@Injectable()
export class OrderMetrics {
  readonly created: Counter<'event_id'>;
  readonly confirmed: Counter<'event_id'>;
  readonly revenueCents: Counter<'event_id' | 'currency'>;
  readonly refunded: Counter<'reason'>;
  readonly ticketsIssued: Counter;
  readonly callbacks: Counter<'status' | 'outcome'>;

  constructor(metrics: MetricsService) {
    this.created = metrics.counter({ name: 'orders_created_total', help: 'Orders created', labelNames: ['event_id'] });
    this.confirmed = metrics.counter({ name: 'orders_confirmed_total', help: 'Orders confirmed with tickets (completed bookings)', labelNames: ['event_id'] });
    this.revenueCents = metrics.counter({ name: 'order_revenue_cents_total', help: 'Total of confirmed orders', labelNames: ['event_id', 'currency'] });
    this.refunded = metrics.counter({ name: 'orders_refunded_total', help: 'Orders refunded', labelNames: ['reason'] });
    this.ticketsIssued = metrics.counter({ name: 'tickets_issued_total', help: 'Tickets issued' });
    this.callbacks = metrics.counter({ name: 'payment_callbacks_total', help: 'Payment callbacks by status and what was done', labelNames: ['status', 'outcome'] });
  }
}
