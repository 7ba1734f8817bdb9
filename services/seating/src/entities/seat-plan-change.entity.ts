import { Column, Entity, Generated, Index, PrimaryColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';

/** A note that an admin changed an event's seat plan (created, blocked, unblocked), for availability sync. */
@Entity('seat_plan_changes')
export class SeatPlanChangeEntity {
  @PrimaryColumn({ type: 'bigint', transformer: numberColumn, primaryKeyConstraintName: 'seat_plan_changes_pkey' })
  @Generated('increment')
  id: number;

  @Column({ name: 'event_id', type: 'bigint', transformer: numberColumn })
  eventId: number;

  @Index('seat_plan_changes_changed_idx')
  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
