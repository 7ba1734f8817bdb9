import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '@etsr/platform';
import { NotificationAttachmentEntity } from '../entities/notification-attachment.entity';
import { NotificationType } from '../entities/notification-event.entity';
import { Channel, NotificationEntity } from '../entities/notification.entity';

/** A notification to store when its event arrives: who gets it on which channel, not rendered yet. */
export interface NewNotification {
  id: string;
  channel: Channel;
  recipient: string;
  subject: string | null;
}

/** What the sender renders when it first claims a notification. */
export interface RenderedNotification {
  bodyText: string;
  bodyHtml: string | null;
  attachments: Omit<NotificationAttachmentEntity, 'notificationId' | 'notification'>[];
}

export interface NewEvent {
  eventId: string;
  type: NotificationType;
  userId: number;
  /** Null for account notices. */
  orderId: string | null;
  requestHash: string;
  traceId: string | null;
  /** The event as received: the sender renders the messages from it. */
  payload: object;
}

export type RecordResult = { kind: 'created'; notifications: NotificationEntity[] } | { kind: 'exists'; requestHash: string; notifications: NotificationEntity[] };

export interface NotificationFilter {
  userId?: number;
  orderId?: string;
}

/** Columns of a notification without its bodies (lists, claims read the bodies separately). */
const SUMMARY_COLUMNS = `notification_id AS id, event_id AS "eventId", type, channel, user_id AS "userId", order_id AS "orderId",
  recipient, subject, status, attempts, next_attempt_at AS "nextAttemptAt", lease_until AS "leaseUntil", last_error AS "lastError",
  provider_message_id AS "providerMessageId", sent_at AS "sentAt", trace_id AS "traceId", created_at AS "createdAt", updated_at AS "updatedAt"`;
const FULL_COLUMNS = `${SUMMARY_COLUMNS}, body_text AS "bodyText", body_html AS "bodyHtml"`;

function toNotification(row: Record<string, unknown>): NotificationEntity {
  return Object.assign(new NotificationEntity(), row, { userId: Number(row.userId), attempts: Number(row.attempts) });
}

/** How a failed attempt ends: another try after `retryInMs`, or FAILED for good. */
export type FailureOutcome = { retryInMs: number } | { final: true };

@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findEventHash(eventId: string): Promise<string | null> {
    const [row] = await sqlRows<{ request_hash: string }>(this.db, `SELECT request_hash FROM notification_events WHERE event_id = $1`, [eventId]);
    return row?.request_hash ?? null;
  }

  /**
   * Stores an event and its notifications, unrendered, in one statement (one round trip, no
   * transaction to hold open). The event id's primary key decides between simultaneous deliveries
   * of one event: the first inserts, the others wait for it to commit, insert nothing (ON CONFLICT
   * DO NOTHING, and the notifications are inserted only from the event row that was inserted) and
   * read what it stored.
   */
  async record(event: NewEvent, notifications: NewNotification[]): Promise<RecordResult> {
    const created = await sqlRows<Record<string, unknown>>(
      this.db,
      `WITH event AS (
         INSERT INTO notification_events (event_id, type, user_id, order_id, request_hash, payload) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id
       ), created AS (
         INSERT INTO notifications (notification_id, event_id, type, channel, user_id, order_id, recipient, subject, trace_id)
         SELECT n.id, event.event_id, $2, n.channel, $3, $4, n.recipient, n.subject, $7
           FROM event, unnest($8::uuid[], $9::varchar[], $10::varchar[], $11::varchar[]) AS n (id, channel, recipient, subject)
         RETURNING ${SUMMARY_COLUMNS}
       )
       SELECT * FROM created ORDER BY channel`,
      [
        event.eventId,
        event.type,
        event.userId,
        event.orderId,
        event.requestHash,
        JSON.stringify(event.payload),
        event.traceId,
        notifications.map((n) => n.id),
        notifications.map((n) => n.channel),
        notifications.map((n) => n.recipient),
        notifications.map((n) => n.subject),
      ],
    );
    if (created.length) return { kind: 'created', notifications: created.map(toNotification) };
    return { kind: 'exists', requestHash: (await this.findEventHash(event.eventId)) ?? '', notifications: await this.findByEvent(event.eventId) };
  }

  /** The event a notification is rendered from, as received; null once all its notifications are rendered. */
  async payloadOf(eventId: string): Promise<Record<string, unknown> | null> {
    const [row] = await sqlRows<{ payload: Record<string, unknown> | null }>(this.db, `SELECT payload FROM notification_events WHERE event_id = $1`, [eventId]);
    return row?.payload ?? null;
  }

  /**
   * Stores what the sender rendered, unless another sender stored it first (then the stored
   * rendering is kept: rendering is deterministic, either is the same message). The event's payload
   * is cleared once every notification of it is rendered. In `tx`, the caller's transaction.
   */
  async storeRendered(tx: EntityManager, n: Pick<NotificationEntity, 'id' | 'eventId'>, rendered: RenderedNotification): Promise<void> {
    // The event first: renderings of its e-mail and SMS take turns, so the last one sees the other's and clears the payload.
    await tx.query(`SELECT 1 FROM notification_events WHERE event_id = $1 FOR NO KEY UPDATE`, [n.eventId]);
    const updated = await sqlRows(
      tx,
      `UPDATE notifications SET body_text = $2, body_html = $3, updated_at = now() WHERE notification_id = $1 AND body_text IS NULL RETURNING notification_id`,
      [n.id, rendered.bodyText, rendered.bodyHtml],
    );
    if (!updated.length) return;
    for (const a of rendered.attachments) {
      await tx.query(
        `INSERT INTO notification_attachments (notification_id, seq, content_id, filename, content_type, content) VALUES ($1, $2, $3, $4, $5, $6)`,
        [n.id, a.seq, a.contentId, a.filename, a.contentType, a.content],
      );
    }
    await tx.query(
      `UPDATE notification_events SET payload = NULL
        WHERE event_id = $1 AND payload IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM notifications WHERE event_id = $1 AND body_text IS NULL)`,
      [n.eventId],
    );
  }

  async findByEvent(eventId: string): Promise<NotificationEntity[]> {
    const rows = await sqlRows<Record<string, unknown>>(this.db, `SELECT ${SUMMARY_COLUMNS} FROM notifications WHERE event_id = $1 ORDER BY channel`, [eventId]);
    return rows.map(toNotification);
  }

  async findWithBody(id: string): Promise<NotificationEntity | null> {
    const [row] = await sqlRows<Record<string, unknown>>(this.db, `SELECT ${FULL_COLUMNS} FROM notifications WHERE notification_id = $1`, [id]);
    return row ? toNotification(row) : null;
  }

  async attachmentsOf(notificationId: string): Promise<NotificationAttachmentEntity[]> {
    const rows = await sqlRows<Record<string, unknown>>(
      this.db,
      `SELECT notification_id AS "notificationId", seq, content_id AS "contentId", filename, content_type AS "contentType", content
         FROM notification_attachments WHERE notification_id = $1 ORDER BY seq`,
      [notificationId],
    );
    return rows.map((r) => Object.assign(new NotificationAttachmentEntity(), r, { seq: Number(r.seq) }));
  }

  /** One page of notifications, newest first, and how many match in all. */
  async list(filter: NotificationFilter, limit: number, offset: number): Promise<{ rows: NotificationEntity[]; total: number }> {
    const where = `($1::bigint IS NULL OR user_id = $1) AND ($2::uuid IS NULL OR order_id = $2)`;
    const params = [filter.userId ?? null, filter.orderId ?? null];
    const [rows, [count]] = await Promise.all([
      sqlRows<Record<string, unknown>>(
        this.db,
        `SELECT ${SUMMARY_COLUMNS} FROM notifications WHERE ${where} ORDER BY created_at DESC, notification_id LIMIT $3 OFFSET $4`,
        [...params, limit, offset],
      ),
      sqlRows<{ n: string }>(this.db, `SELECT count(*) AS n FROM notifications WHERE ${where}`, params),
    ]);
    return { rows: rows.map(toNotification), total: Number(count.n) };
  }

  /** Whether an order has notifications of a user other than `userId`. */
  async orderHasOtherUser(orderId: string, userId: number): Promise<boolean> {
    const [row] = await sqlRows<{ found: boolean }>(
      this.db,
      `SELECT EXISTS (SELECT 1 FROM notifications WHERE order_id = $1 AND user_id <> $2) AS found`,
      [orderId, userId],
    );
    return row.found;
  }

  /** The newest notifications; the text of SMS (short) but no e-mail bodies. */
  async latest(limit: number): Promise<NotificationEntity[]> {
    const rows = await sqlRows<Record<string, unknown>>(
      this.db,
      `SELECT ${SUMMARY_COLUMNS}, CASE WHEN channel = 'SMS' THEN body_text END AS "bodyText" FROM notifications ORDER BY created_at DESC, notification_id LIMIT $1`,
      [limit],
    );
    return rows.map(toNotification);
  }

  /**
   * Claims up to `limit` due notifications for `leaseSeconds`: they are skipped by every other
   * sender (FOR UPDATE SKIP LOCKED while claiming, the lease afterwards). The lease is also the
   * next due time, so a sender that dies mid-send leaves them due again when the lease runs out.
   * Each claim counts as an attempt.
   */
  async claimDue(limit: number, leaseSeconds: number, maxAttempts: number): Promise<NotificationEntity[]> {
    // A sender died during the last allowed attempt: nothing will try again, so say so.
    await this.db.query(
      `UPDATE notifications SET status = 'FAILED', lease_until = NULL, updated_at = now(),
              last_error = left(coalesce(last_error || '; ', '') || 'gave up: the sender stopped during the last attempt', 2000)
        WHERE status = 'PENDING' AND next_attempt_at <= now() AND attempts >= $1`,
      [maxAttempts],
    );
    const rows = await sqlRows<Record<string, unknown>>(
      this.db,
      `UPDATE notifications SET lease_until = now() + make_interval(secs => $2), next_attempt_at = now() + make_interval(secs => $2),
              attempts = attempts + 1, updated_at = now()
        WHERE notification_id IN (SELECT notification_id FROM notifications
                                   WHERE status = 'PENDING' AND next_attempt_at <= now() AND attempts < $3
                                   ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING ${FULL_COLUMNS}`,
      [limit, leaseSeconds, maxAttempts],
    );
    return rows.map(toNotification);
  }

  /** Delivered. Also when the lease ran out meanwhile: the message did go out. */
  async markSent(id: string, providerMessageId: string): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET status = 'SENT', sent_at = now(), lease_until = NULL, last_error = NULL, provider_message_id = $2, updated_at = now()
        WHERE notification_id = $1 AND status = 'PENDING'`,
      [id, providerMessageId],
    );
  }

  /**
   * An attempt failed. Only applied while no other sender has claimed the notification since
   * (`attempt` is the attempt number of this sender's claim: a later claim counted one more);
   * once this sender's lease ran out and another claimed it, the other's outcome counts.
   */
  async markFailed(id: string, attempt: number, error: string, outcome: FailureOutcome): Promise<boolean> {
    const final = 'final' in outcome;
    const rows = await sqlRows(
      this.db,
      `UPDATE notifications SET status = $3, lease_until = NULL, last_error = $4, updated_at = now(),
              next_attempt_at = now() + make_interval(secs => $5)
        WHERE notification_id = $1 AND status = 'PENDING' AND attempts = $2 RETURNING notification_id`,
      [id, attempt, final ? 'FAILED' : 'PENDING', error.slice(0, 2000), final ? 0 : outcome.retryInMs / 1000],
    );
    return rows.length > 0;
  }

  async countPending(): Promise<{ channel: Channel; n: number }[]> {
    const rows = await sqlRows<{ channel: Channel; n: string }>(this.db, `SELECT channel, count(*) AS n FROM notifications WHERE status = 'PENDING' GROUP BY channel`);
    return rows.map((r) => ({ channel: r.channel, n: Number(r.n) }));
  }
}
