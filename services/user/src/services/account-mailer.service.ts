import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ContextLogger, JsonLogger, OutboxMessage, OutboxWorker, PermanentFailure, UpstreamError, enqueue } from '@etsr/platform';
import { NotificationClient } from '../clients/notification.client';
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
  private readonly log: ContextLogger;

  constructor(
    private readonly config: UserConfig,
    private readonly outbox: OutboxWorker,
    private readonly notification: NotificationClient,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(AccountMailer.name);
    if (notification.configured) outbox.handle(ACCOUNT_NOTICE_TOPIC, (m) => this.deliver(m));
  }

  /** Whether e-mails can be sent at all (NOTIFICATION_URL is set). */
  get enabled(): boolean {
    return this.notification.configured;
  }

  /** Writes the e-mail to the outbox in `tx`; call `sendSoon()` after the commit. False when e-mail is off. */
  async enqueue(tx: EntityManager, type: AccountNoticeType, user: UserEntity, token: string, expiresAt: Date): Promise<boolean> {
    if (!this.notification.configured) {
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
      await this.notification.sendAccountNotice(message.payload);
    } catch (e) {
      // A verdict on the notice (4xx other than 429) will not change on retry: the message goes DEAD
      // for an operator. A refusal of our credential is a PeerRefusedError, which the outbox retries.
      if (e instanceof UpstreamError && e.status < 500 && e.status !== 429) throw new PermanentFailure(`notification refused: ${e.message}`);
      throw e;
    }
  }
}
