import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';

export type ReservationStatus = 'RESERVED' | 'ALLOCATED' | 'RELEASED' | 'EXPIRED';

const bigintArray = { to: (v: number[]) => v, from: (v: string[] | null) => (v ?? []).map(Number) };

/** A hold: its seats, owner, expiry, and once paid, its order. Rows are written by SQL in ReservationsRepository. */
@Entity('reservations')
@Check('reservations_status_check', `status IN ('RESERVED', 'ALLOCATED', 'RELEASED', 'EXPIRED')`)
@Index('reservations_user_event_live_idx', { synchronize: false })
@Index('reservations_expiry_idx', { synchronize: false })
// Live holds of an event, counted by the waiting room's admission tick (migration SaleQueues1765000000000).
@Index('reservations_event_live_idx', { synchronize: false })
@Index('reservations_order_key', { synchronize: false })
@Index('reservations_updated_idx', ['updatedAt'])
export class ReservationEntity {
  @PrimaryColumn({ name: 'reservation_id', type: 'varchar', length: 40, primaryKeyConstraintName: 'reservations_pkey' })
  id: string;

  @Column({ name: 'event_id', type: 'bigint', transformer: numberColumn })
  eventId: number;

  @Column({ name: 'user_id', type: 'bigint', transformer: numberColumn })
  userId: number;

  @Column({ name: 'seat_ids', type: 'bigint', array: true, transformer: bigintArray })
  seatIds: number[];

  @Column({ name: 'total_amount', type: 'numeric', precision: 12, scale: 2, transformer: numberColumn })
  totalAmount: number;

  @Column({ type: 'varchar', length: 20, default: 'RESERVED' })
  status: ReservationStatus;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'original_expires_at', type: 'timestamptz' })
  originalExpiresAt: Date;

  @Column({ name: 'order_id', type: 'uuid', nullable: true })
  orderId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
