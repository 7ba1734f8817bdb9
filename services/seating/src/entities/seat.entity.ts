import { Check, Column, CreateDateColumn, Entity, Generated, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';

export type SeatStatus = 'AVAILABLE' | 'RESERVED' | 'ALLOCATED' | 'BLOCKED';
export const SEAT_STATUSES: SeatStatus[] = ['AVAILABLE', 'RESERVED', 'ALLOCATED', 'BLOCKED'];


/**
 * One seat of one event. A held seat (RESERVED) names its reservation and expiry; an ALLOCATED
 * seat keeps its reservation id, which links it to the order. Hot-path writes go through SQL
 * (see SeatsRepository and the reserve_seats function), not through this entity.
 */
@Entity('seats')
@Check('seats_status_check', `status IN ('AVAILABLE', 'RESERVED', 'ALLOCATED', 'BLOCKED')`)
@Check('seats_hold_check', `(status IN ('RESERVED', 'ALLOCATED')) = (reservation_id IS NOT NULL)`)
@Check('seats_price_check', `price >= 0`)
@Index('seats_position_key', ['eventId', 'section', 'rowLabel', 'seatNumber'], { unique: true })
@Index('seats_event_status_idx', ['eventId', 'status'])
@Index('seats_reservation_idx', { synchronize: false })
@Index('seats_hold_expiry_idx', { synchronize: false })
export class SeatEntity {
  @PrimaryColumn({ name: 'seat_id', type: 'bigint', transformer: numberColumn, primaryKeyConstraintName: 'seats_pkey' })
  @Generated('increment')
  id: number;

  @Column({ name: 'event_id', type: 'bigint', transformer: numberColumn })
  eventId: number;

  @Column({ name: 'venue_id', type: 'bigint', transformer: numberColumn })
  venueId: number;

  @Column({ type: 'varchar', length: 20 })
  section: string;

  @Column({ name: 'row_label', type: 'varchar', length: 10 })
  rowLabel: string;

  @Column({ name: 'seat_number', type: 'integer' })
  seatNumber: number;

  @Column({ type: 'varchar', length: 20, default: 'AVAILABLE' })
  status: SeatStatus;

  @Column({ name: 'reservation_id', type: 'varchar', length: 40, nullable: true })
  reservationId: string | null;

  @Column({ name: 'reserved_by', type: 'bigint', nullable: true, transformer: numberColumn })
  reservedBy: number | null;

  @Column({ name: 'reservation_expiry', type: 'timestamptz', nullable: true })
  reservationExpiry: Date | null;

  @Column({ type: 'numeric', precision: 10, scale: 2, transformer: numberColumn })
  price: number;

  /** Row position from the front of the venue (0 = front row), over all sections. */
  @Column({ name: 'row_index', type: 'integer' })
  rowIndex: number;

  /** Seats in this row: a row's seats are numbered 1..row_size. */
  @Column({ name: 'row_size', type: 'integer' })
  rowSize: number;

  /** Horizontal position relative to the row's centre (0 = centre), for drawing and "best available". */
  @Column({ name: 'pos_x', type: 'real' })
  posX: number;

  /** Which part of the row, between aisles, the seat is in (0 = first); a block never spans two. */
  @Column({ type: 'smallint', default: 0 })
  segment: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
