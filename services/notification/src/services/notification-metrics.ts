import { Injectable } from '@nestjs/common';
import { MetricsService } from '@etsr/platform';
import { Counter } from 'prom-client';
import { NOTIFICATION_TYPES, isAccountType } from '../entities/notification-event.entity';
import { CHANNELS } from '../entities/notification.entity';
import { NotificationsRepository } from '../repositories/notifications.repository';

/** The notification service's business metrics. */
@Injectable()
export class NotificationMetrics {
  readonly sent: Counter<'channel' | 'type'>;
  readonly sendFailures: Counter<'channel'>;
  readonly received: Counter<'type' | 'outcome'>;

  constructor(metrics: MetricsService, notifications: NotificationsRepository) {
    this.sent = metrics.counter({ name: 'notifications_sent_total', help: 'Notifications delivered (accepted by the SMTP server or SMS provider)', labelNames: ['channel', 'type'] });
    this.sendFailures = metrics.counter({ name: 'notification_send_failures_total', help: 'Failed delivery attempts (each retry counts)', labelNames: ['channel'] });
    this.received = metrics.counter({ name: 'notification_events_received_total', help: 'Events received, new or repeated', labelNames: ['type', 'outcome'] });
    for (const channel of CHANNELS) {
      this.sendFailures.inc({ channel }, 0);
      // Account e-mails never go by SMS: no series for that.
      for (const type of NOTIFICATION_TYPES) if (channel === 'EMAIL' || !isAccountType(type)) this.sent.inc({ channel, type }, 0);
    }
    for (const type of NOTIFICATION_TYPES) for (const outcome of ['new', 'duplicate']) this.received.inc({ type, outcome }, 0);
    // Read from the database at scrape time: every replica reports the same truth.
    metrics.gauge({
      name: 'notifications_pending_count',
      help: 'Notifications not delivered yet (first attempt due, being sent, or waiting for a retry)',
      labelNames: ['channel'],
      async collect() {
        try {
          const counts = await notifications.countPending();
          for (const channel of CHANNELS) this.set({ channel }, counts.find((c) => c.channel === channel)?.n ?? 0);
        } catch {
          /* database down: health reports it */
        }
      },
    });
  }
}
