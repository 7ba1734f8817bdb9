import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';
import { NotificationEventEntity, NotificationType, ORDER_ID_CHECK } from './notification-event.entity';

export const CHANNELS = ['EMAIL', 'SMS'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * PENDING: not delivered yet (first try due, or a retry scheduled after a failure: see attempts,
 * last_error, next_attempt_at). SENT: the SMTP server (or SMS provider) accepted it. FAILED: given
 * up for good (NOTIFICATION_MAX_ATTEMPTS reached, or the server refused the recipient permanently).
 */
export const NOTIFICATION_STATUSES = ['PENDING', 'SENT', 'FAILED'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** One message on one channel, stored when the event arrived, rendered by the sender, kept until it is delivered. */
@Entity('notifications')
@Check('notifications_channel_check', `channel IN ('EMAIL', 'SMS')`)
@Check('notifications_status_check', `status IN ('PENDING', 'SENT', 'FAILED')`)
@Check('notifications_sent_check', `(status = 'SENT') = (sent_at IS NOT NULL)`)
@Check('notifications_order_check', ORDER_ID_CHECK)
@Check('notifications_rendered_check', `status <> 'SENT' OR body_text IS NOT NULL`)
@Index('notifications_event_channel_key', ['eventId', 'channel'], { unique: true })
@Index('notifications_due_idx', { synchronize: false })
@Index('notifications_user_idx', ['userId', 'createdAt'])
@Index('notifications_order_idx', ['orderId', 'createdAt'])
@Index('notifications_created_idx', ['createdAt'])
export class NotificationEntity {
  @PrimaryColumn({ name: 'notification_id', type: 'uuid', primaryKeyConstraintName: 'notifications_pkey' })
  id: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @ManyToOne(() => NotificationEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'notifications_event_fk' })
  event?: NotificationEventEntity;

  @Column({ type: 'varchar', length: 30 })
  type: NotificationType;

  @Column({ type: 'varchar', length: 10 })
  channel: Channel;

  @Column({ name: 'user_id', type: 'bigint', transformer: numberColumn })
  userId: number;

  /** Null for account notices. */
  @Column({ name: 'order_id', type: 'uuid', nullable: true })
  orderId: string | null;

  /** E-mail address or E.164 phone number. */
  @Column({ type: 'varchar', length: 254 })
  recipient: string;

  /** E-mail only. */
  @Column({ type: 'varchar', length: 300, nullable: true })
  subject: string | null;

  /** Null until the sender rendered the notification (at its first claim). */
  @Column({ name: 'body_text', type: 'text', nullable: true })
  bodyText: string | null;

  /** E-mail only. */
  @Column({ name: 'body_html', type: 'text', nullable: true })
  bodyHtml: string | null;

  @Column({ type: 'varchar', length: 10, default: 'PENDING' })
  status: NotificationStatus;

  /** Attempts started so far (a claim counts as one, so a sender that died mid-send used one too). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** Set while a sender holds the notification; a lapsed lease makes it due again. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** What the SMTP server (or SMS provider) said it queued the message as. */
  @Column({ name: 'provider_message_id', type: 'varchar', length: 300, nullable: true })
  providerMessageId: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  /** W3C trace id of the request that delivered the event: the sender logs under it, so one booking reads as one trace. */
  @Column({ name: 'trace_id', type: 'char', length: 32, nullable: true })
  traceId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
