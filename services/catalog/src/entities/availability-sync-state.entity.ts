import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row shared by every replica: where the availability sync stands. Read and written only by the
 * replica holding the sync's advisory lock, so replicas take turns instead of repeating each other.
 */
@Entity('availability_sync_state')
@Check('availability_sync_state_singleton_check', `id = 1`)
export class AvailabilitySyncStateEntity {
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'availability_sync_state_pkey' })
  id: number;

  /** `changedSince` of the next delta request: the last answer's asOf minus the overlap. Null: ask for everything. */
  @Column({ name: 'changed_since', type: 'timestamptz', nullable: true })
  changedSince: Date | null;

  /** Delta cycles since the last full resync. */
  @Column({ name: 'runs_since_full', type: 'integer', default: 0 })
  runsSinceFull: number;

  /** When a replica last completed a cycle (database clock); others skip until the interval has passed. */
  @Column({ name: 'last_run_at', type: 'timestamptz', nullable: true })
  lastRunAt: Date | null;
}
