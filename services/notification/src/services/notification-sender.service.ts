import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, PeriodicTask, runWithTrace } from '@etsr/platform';
import { MailTransport, PermanentDeliveryError, errorText } from '../clients/mail-transport.client';
import { SmsProvider } from '../clients/sms.provider';
import { NotificationConfig } from '../config';
import { NotificationEntity } from '../entities/notification.entity';
import { NotificationsRepository, RenderedNotification } from '../repositories/notifications.repository';
import { MessageComposer, StoredEvent } from './message-composer.service';
import { NotificationMetrics } from './notification-metrics';
import { RetrySettings, afterFailure } from './retry-policy';

/**
 * Delivers stored notifications in the background: every NOTIFICATION_SEND_INTERVAL_MS, and at
 * once when an event arrives (nudge). It claims due notifications with a lease (FOR UPDATE SKIP
 * LOCKED, so several replicas share the work without sending one message twice), sends them, and
 * marks them SENT, or schedules a retry with exponential backoff and jitter; after
 * NOTIFICATION_MAX_ATTEMPTS a notification is FAILED for good.
 *
 * At least once: a sender that dies after the SMTP server accepted a message but before marking it
 * SENT loses its lease, and the message is sent again when the lease runs out; a server that had
 * the whole message but answered after the attempt was given up may deliver it too. Every attempt
 * of an e-mail carries the same Message-ID, so a duplicate can be recognised. An attempt is only
 * counted as failed (and its retry scheduled) once it is over, and the lease outlasts a whole
 * attempt, so no retry ever runs beside an attempt that could still deliver.
 */
@Injectable()
export class NotificationSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log;
  private readonly retry: RetrySettings;
  private readonly task: PeriodicTask;
  private stopped = false;
  /** Counts nudge() calls, so a pass in progress knows to claim again. */
  private nudges = 0;
  /** Wakes a pass in progress that waits for its sends. */
  private wake?: () => void;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: NotificationConfig,
    private readonly notifications: NotificationsRepository,
    private readonly mail: MailTransport,
    private readonly sms: SmsProvider,
    private readonly composer: MessageComposer,
    private readonly metrics: NotificationMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(NotificationSender.name);
    this.retry = { maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS, baseDelayMs: config.NOTIFICATION_RETRY_BASE_MS, maxDelayMs: config.NOTIFICATION_RETRY_MAX_MS };
    this.task = new PeriodicTask('Notification sender', config.NOTIFICATION_SEND_INTERVAL_MS, () => this.drain(), this.log);
  }

  onApplicationBootstrap(): void {
    this.task.start(true);
  }

  /** Before the database pool closes: finish the messages in hand, claim no more. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
  }

  /** Send what is due now rather than at the next interval (a pass in progress claims again; otherwise one starts). */
  nudge(): void {
    this.nudges++;
    this.wake?.();
    this.task.trigger();
  }

  /**
   * One pass: send due notifications until none are left (or the sender stops), with up to
   * NOTIFICATION_BATCH_SIZE sends in flight, claiming more as places free up. Waiting for a whole
   * batch before claiming the next held every batch to its slowest send: in a sale, 33 e-mails/s
   * went out for 41 confirmations/s and the backlog grew. A claim waits for a quarter of the places
   * to be free (or none in flight), so claims stay batches rather than one statement per message.
   * Resolves when done; never rejects.
   */
  async drain(): Promise<void> {
    const size = this.config.NOTIFICATION_BATCH_SIZE;
    const inFlight = new Set<Promise<void>>();
    let more = true;
    let nudgesSeen = this.nudges;
    try {
      while (!this.stopped) {
        if (this.nudges !== nudgesSeen) more = true;
        const room = size - inFlight.size;
        if (more && (room >= Math.ceil(size / 4) || !inFlight.size)) {
          nudgesSeen = this.nudges;
          const batch = await this.notifications.claimDue(room, this.config.NOTIFICATION_LEASE_SECONDS, this.retry.maxAttempts);
          more = batch.length === room;
          for (const n of batch) {
            const send: Promise<void> = runWithTrace(() => this.deliver(n), n.traceId ?? undefined).finally(() => inFlight.delete(send));
            inFlight.add(send);
          }
        }
        if (!inFlight.size) {
          if (more && !this.stopped) continue;
          return;
        }
        // Until a send ends (a free place) or a nudge says more is due.
        await Promise.race([...inFlight, new Promise<void>((resolve) => (this.wake = resolve))]);
        this.wake = undefined;
      }
    } catch (e) {
      this.log.warn('Send pass failed; the next interval retries', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      await Promise.all(inFlight);
    }
  }

  private async deliver(n: NotificationEntity): Promise<void> {
    const fields = { notificationId: n.id, eventId: n.eventId, channel: n.channel, type: n.type, attempt: n.attempts };
    let providerMessageId: string;
    let deadline: AbortSignal | undefined;
    try {
      // Rendering is outside the deadline: it is local work. The send is aborted, not abandoned, at the
      // deadline: it settles once its connection is closed, and only then is a retry scheduled.
      const message = await this.message(n);
      deadline = AbortSignal.timeout(this.config.NOTIFICATION_SEND_TIMEOUT_MS);
      providerMessageId = await this.send(n, message, deadline);
    } catch (e) {
      const error = deadline?.aborted ? `no answer within ${this.config.NOTIFICATION_SEND_TIMEOUT_MS} ms: attempt aborted, connection closed` : errorText(e);
      const outcome = afterFailure(n.attempts, e instanceof PermanentDeliveryError, this.retry);
      this.metrics.sendFailures.inc({ channel: n.channel });
      try {
        const applied = await this.notifications.markFailed(n.id, n.attempts, error, outcome);
        if (!applied) this.log.warn('Attempt failed after another sender took the notification over', { ...fields, error });
        else if ('final' in outcome) this.log.error('Notification given up', e, { ...fields, status: 'FAILED' });
        else this.log.warn('Notification not delivered; will retry', { ...fields, error, retryInMs: outcome.retryInMs });
      } catch (dbError) {
        // The lease runs out and the notification is tried again.
        this.log.warn('Could not record a failed attempt', { ...fields, error: errorText(dbError) });
      }
      return;
    }
    this.metrics.sent.inc({ channel: n.channel, type: n.type });
    try {
      await this.notifications.markSent(n.id, providerMessageId);
      this.log.info('Notification sent', fields);
    } catch (dbError) {
      // Delivered but not recorded: it is sent again when the lease runs out (at least once).
      this.log.error('Sent, but could not record it; it will be sent again', dbError, fields);
    }
  }

  private async send(n: NotificationEntity, message: RenderedNotification, signal: AbortSignal): Promise<string> {
    if (n.channel === 'SMS') {
      return (await this.sms.send({ to: n.recipient, text: message.bodyText, reference: n.id }, signal)).providerMessageId;
    }
    const sent = await this.mail.send({
      to: n.recipient,
      subject: n.subject ?? '',
      text: message.bodyText,
      html: message.bodyHtml ?? '',
      messageId: messageIdOf(n.id, this.config.messageIdDomain),
      headers: { 'X-Notification-Id': n.id, 'X-Event-Id': n.eventId, 'X-Notification-Type': n.type },
      attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, contentId: a.contentId, content: a.content })),
    }, signal);
    return sent.providerMessageId;
  }

  /**
   * The notification's bodies and attachments. Receiving stores the event only: the first claim
   * renders the message from it (QR codes included) and stores it, so later attempts and the inbox
   * show the same message.
   */
  private async message(n: NotificationEntity): Promise<RenderedNotification> {
    if (n.bodyText !== null) {
      return { bodyText: n.bodyText, bodyHtml: n.bodyHtml, attachments: n.channel === 'EMAIL' ? await this.notifications.attachmentsOf(n.id) : [] };
    }
    const event = await this.notifications.payloadOf(n.eventId);
    // Only a notification stored before rendering was deferred could lack both; nothing can be sent.
    if (!event) throw new PermanentDeliveryError('nothing to render: the event was not stored with its notification');
    const rendered = await this.composer.render(event as unknown as StoredEvent, n.channel);
    await this.db.transaction((tx) => this.notifications.storeRendered(tx, n, rendered));
    return rendered;
  }
}

/** The Message-ID of every attempt of an e-mail: derived from the notification, so a repeat is recognisable. */
export function messageIdOf(notificationId: string, domain: string): string {
  return `<notification-${notificationId}@${domain}>`;
}
