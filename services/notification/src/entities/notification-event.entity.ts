import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';

/** Notices about an order: every one of them has an order id. */
export const ORDER_NOTIFICATION_TYPES = ['ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED'] as const;
export type OrderNotificationType = (typeof ORDER_NOTIFICATION_TYPES)[number];
/** Account e-mails from the user service (a one-time token to set a password): no order. */
export const ACCOUNT_NOTIFICATION_TYPES = ['ACCOUNT_SETUP', 'PASSWORD_RESET'] as const;
export type AccountNotificationType = (typeof ACCOUNT_NOTIFICATION_TYPES)[number];

export const NOTIFICATION_TYPES = [...ORDER_NOTIFICATION_TYPES, ...ACCOUNT_NOTIFICATION_TYPES] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const isAccountType = (type: NotificationType): type is AccountNotificationType => (ACCOUNT_NOTIFICATION_TYPES as readonly string[]).includes(type);

/** SQL: an order notice has an order id, an account notice has none (the CHECKs of both tables). */
export const ORDER_ID_CHECK = `(order_id IS NULL) = (type IN ('ACCOUNT_SETUP', 'PASSWORD_RESET'))`;

/**
 * One event received from another service. Its primary key is the sender's eventId: that is what
 * makes receiving idempotent (a repeat finds the row and gets the notifications made the first time).
 */
@Entity('notification_events')
@Check('notification_events_type_check', `type IN ('ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED', 'ACCOUNT_SETUP', 'PASSWORD_RESET')`)
@Check('notification_events_order_check', ORDER_ID_CHECK)
export class NotificationEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid', primaryKeyConstraintName: 'notification_events_pkey' })
  eventId: string;

  @Column({ type: 'varchar', length: 30 })
  type: NotificationType;

  @Column({ name: 'user_id', type: 'bigint', transformer: numberColumn })
  userId: number;

  /** Null for account notices (ACCOUNT_SETUP, PASSWORD_RESET), set for every order notice. */
  @Column({ name: 'order_id', type: 'uuid', nullable: true })
  orderId: string | null;

  /** SHA-256 of the request body (canonical JSON): the same eventId with another body is refused. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  /**
   * The event as received, until the sender has rendered every notification of it (then null):
   * receiving stores it and nothing else, rendering happens after the answer.
   */
  @Column({ type: 'jsonb', nullable: true })
  payload: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
