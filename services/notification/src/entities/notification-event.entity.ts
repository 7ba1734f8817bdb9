import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';

export const NOTIFICATION_TYPES = ['ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * One event received from another service. Its primary key is the sender's eventId: that is what
 * makes receiving idempotent (a repeat finds the row and gets the notifications made the first time).
 */
@Entity('notification_events')
@Check('notification_events_type_check', `type IN ('ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED')`)
export class NotificationEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid', primaryKeyConstraintName: 'notification_events_pkey' })
  eventId: string;

  @Column({ type: 'varchar', length: 30 })
  type: NotificationType;

  @Column({ name: 'user_id', type: 'bigint', transformer: numberColumn })
  userId: number;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  /** SHA-256 of the request body (canonical JSON): the same eventId with another body is refused. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
