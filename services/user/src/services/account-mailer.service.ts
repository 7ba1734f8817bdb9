import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ContextLogger, JsonLogger, MetricsService, OutboxMessage, OutboxWorker, PermanentFailure, ServiceClient, TokenService, UpstreamError, enqueue } from '@etsr/platform';
import { UserConfig } from '../config';
import { UserEntity } from '../entities/user.entity';

export const ACCOUNT_NOTICE_TOPIC = 'account-notice';
export type AccountNoticeType = 'ACCOUNT_SETUP' | 'PASSWORD_RESET';

/** The path buyers set a password at, with a setup or reset token alike. */
export const CONFIRM_PATH = '/v1/users/password-setup/confirm';

/**
 * E-mails the owner of an account a password token, through the notification service. The notice
 * is written to the outbox in the transaction that stores the token, so an e-mail is never lost
 * to a notification service that is down, and retries send the same notice (idempotent there by
 * its eventId). The outbox holds the token in clear until delivery; MaintenanceService deletes
 * delivered account notices, so it does not linger in userdb.
 */
@Injectable()
export class AccountMailer {
  private readonly client?: ServiceClient;
  private readonly log: ContextLogger;

  constructor(
    private readonly config: UserConfig,
    private readonly outbox: OutboxWorker,
    tokens: TokenService,
    logger: JsonLogger,
    metrics: MetricsService,
  ) {
    this.log = logger.forContext(AccountMailer.name);
    if (config.NOTIFICATION_URL) {
      this.client = new ServiceClient({ tokens, target: 'notification', baseUrl: config.NOTIFICATION_URL, timeoutMs: config.HTTP_CLIENT_TIMEOUT_MS, log: this.log, metrics });
      outbox.handle(ACCOUNT_NOTICE_TOPIC, (m) => this.deliver(m));
    }
  }

  /** Whether e-mails can be sent at all (NOTIFICATION_URL is set). */
  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** Writes the e-mail to the outbox in `tx`; call `sendSoon()` after the commit. False when e-mail is off. */
  async enqueue(tx: EntityManager, type: AccountNoticeType, user: UserEntity, token: string, expiresAt: Date): Promise<boolean> {
    if (!this.client) {
      this.log.warn('NOTIFICATION_URL is not set: the password e-mail is not sent', { userId: user.id, type });
      return false;
    }
    await enqueue(tx, ACCOUNT_NOTICE_TOPIC, {
      eventId: randomUUID(),
      type,
      userId: user.id,
      email: user.email,
      // Imported accounts may have no first name; the notification service then greets by username.
      ...(user.firstName ? { name: user.firstName } : {}),
      data: { username: user.username, token, expiresAt: expiresAt.toISOString(), confirmUrl: `${this.config.PUBLIC_URL.replace(/\/+$/, '')}${CONFIRM_PATH}` },
    });
    return true;
  }

  sendSoon(): void {
    this.outbox.nudge();
  }

  private async deliver(message: OutboxMessage): Promise<void> {
    try {
      await this.client!.request({ method: 'POST', path: '/internal/v1/account-notifications', idempotent: true, body: message.payload });
    } catch (e) {
      // A verdict on the notice (4xx other than 429) will not change on retry: the message goes DEAD
      // for an operator. A refusal of our credential is a PeerRefusedError, which the outbox retries.
      if (e instanceof UpstreamError && e.status < 500 && e.status !== 429) throw new PermanentFailure(`notification refused: ${e.message}`);
      throw e;
    }
  }
}
