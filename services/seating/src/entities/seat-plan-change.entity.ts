import { Column, Entity, Generated, Index, PrimaryColumn } from 'typeorm';
import { asNumber } from './seat.entity';

/** A note that an admin changed an event's seat plan (created, blocked, unblocked), for availability sync. */
@Entity('seat_plan_changes')
export class SeatPlanChangeEntity {
  @PrimaryColumn({ type: 'bigint', transformer: asNumber, primaryKeyConstraintName: 'seat_plan_changes_pkey' })
  @Generated('increment')
  id: number;

  @Column({ name: 'event_id', type: 'bigint', transformer: asNumber })
  eventId: number;

  @Index('seat_plan_changes_changed_idx')
  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
