import { Check, Column, CreateDateColumn, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';
import { VenueEntity } from './venue.entity';

export const EVENT_TYPES = ['CONCERT', 'SPORTS', 'THEATER', 'CONFERENCE'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_STATUSES = ['UPCOMING', 'ONGOING', 'COMPLETED', 'CANCELLED'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

@Entity('events')
@Check('events_event_type_check', `event_type IN ('CONCERT', 'SPORTS', 'THEATER', 'CONFERENCE')`)
@Check('events_status_check', `status IN ('UPCOMING', 'ONGOING', 'COMPLETED', 'CANCELLED')`)
@Check('events_dates_check', `end_date > start_date`)
@Check('events_seats_check', `total_seats > 0 AND available_seats >= 0 AND available_seats <= total_seats`)
@Check('events_base_price_check', `base_price >= 0`)
// Free-text search is a case-insensitive substring match on the name: a trigram index (migration).
@Index('events_name_trgm_idx', { synchronize: false })
export class EventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'bigint', transformer: numberColumn, primaryKeyConstraintName: 'events_pkey' })
  @Generated('increment')
  id: number;

  @Index('events_venue_idx')
  @Column({ name: 'venue_id', type: 'bigint', transformer: numberColumn })
  venueId: number;

  /** A venue with events cannot be deleted (RESTRICT): the admin deletes or moves its events first. */
  @ManyToOne(() => VenueEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'venue_id', foreignKeyConstraintName: 'events_venue_fk' })
  venue?: VenueEntity;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Index('events_event_type_idx')
  @Column({ name: 'event_type', type: 'varchar', length: 50 })
  eventType: EventType;

  @Index('events_start_date_idx')
  @Column({ name: 'start_date', type: 'timestamptz' })
  startDate: Date;

  @Column({ name: 'end_date', type: 'timestamptz' })
  endDate: Date;

  @Index('events_status_idx')
  @Column({ type: 'varchar', length: 20, default: 'UPCOMING' })
  status: EventStatus;

  @Column({ name: 'total_seats', type: 'integer' })
  totalSeats: number;

  /** Mirrors the seating service (AvailabilitySyncService); never above total_seats. */
  @Column({ name: 'available_seats', type: 'integer' })
  availableSeats: number;

  @Column({ name: 'base_price', type: 'numeric', precision: 10, scale: 2, transformer: numberColumn })
  basePrice: number;

  /** '<source>:events:<id>' of a row loaded by the importer; the key that makes a second import a no-op. */
  @Index('events_external_ref_key', { unique: true })
  @Column({ name: 'external_ref', type: 'varchar', length: 200, nullable: true })
  externalRef: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
