import { Injectable } from '@nestjs/common';
import { JsonLogger, MetricsService, ServiceClient, TokenService } from '@etsr/platform';
import { UserConfig } from '../config';

/**
 * Hands account e-mails (password setup and reset) to the notification service, with the
 * platform's ServiceClient. Absent when NOTIFICATION_URL is not set.
 */
@Injectable()
export class NotificationClient {
  private readonly client?: ServiceClient;

  constructor(config: UserConfig, tokens: TokenService, logger: JsonLogger, metrics: MetricsService) {
    if (config.NOTIFICATION_URL) {
      this.client = new ServiceClient({
        tokens,
        target: 'notification',
        baseUrl: config.NOTIFICATION_URL,
        timeoutMs: config.HTTP_CLIENT_TIMEOUT_MS,
        log: logger.forContext(NotificationClient.name),
        metrics,
      });
    }
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  /** POST /internal/v1/account-notifications: idempotent there by the notice's eventId, so safe to repeat. */
  async sendAccountNotice(notice: Record<string, unknown>): Promise<void> {
    if (!this.client) throw new Error('NOTIFICATION_URL is not set');
    await this.client.request({ method: 'POST', path: '/internal/v1/account-notifications', idempotent: true, body: notice });
  }
}
