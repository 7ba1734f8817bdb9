import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The waiting room of a flash sale: one sale queue per event, and a place in it per buyer.
 *
 * - `position` comes from one sequence at insert, so the order of places is the order of arrival;
 *   admission goes by position only (nobody overtakes). Positions of an event are not dense (the
 *   sequence is shared and a refused insert uses a number), so the number ahead of a buyer is
 *   counted, not subtracted. A dense per-event number would make every join of a sale wait on one
 *   counter row in turn.
 * - One live place per buyer and event (WAITING or ADMITTED), by a partial unique index: joining
 *   again returns the same place; once DONE (the turn is over), joining again goes to the back.
 * - The pacing state (window, measured rates) lives on the queue row, so whichever replica runs
 *   the next admission tick continues from the same numbers.
 * - A partial index on live holds per event: the admission tick counts them four times a second.
 * - No foreign key from places to their queue: its check would lock the queue row of every join
 *   (FOR KEY SHARE) and wait on the admission tick, which holds that row while it waits for the
 *   joins in flight (the join gate): a deadlock. Joins read the queue instead, and removing a
 *   queue deletes its places under the gate (SaleQueueRepository.remove).
 */
export class SaleQueues1765000000000 implements MigrationInterface {
  name = 'SaleQueues1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sale_queues (
        event_id bigint PRIMARY KEY,
        on_sale_at timestamptz NOT NULL,
        sold_out boolean NOT NULL DEFAULT false,
        window_size double precision NOT NULL DEFAULT 0,
        completion_rate double precision,
        admission_rate double precision,
        hold_seconds double precision,
        admitted_total bigint NOT NULL DEFAULT 0,
        ticked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE queue_entries (
        entry_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id bigint NOT NULL,
        user_id bigint NOT NULL,
        position bigserial NOT NULL,
        state varchar(10) NOT NULL DEFAULT 'WAITING' CONSTRAINT queue_entries_state_check CHECK (state IN ('WAITING', 'ADMITTED', 'DONE')),
        joined_at timestamptz NOT NULL DEFAULT now(),
        admitted_at timestamptz,
        pass_expires_at timestamptz,
        held_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX queue_entries_live_key ON queue_entries (event_id, user_id) WHERE state <> 'DONE'`);
    // Buyers ahead and waiting are counted by position: the state rides along for index-only scans.
    await q.query(`CREATE INDEX queue_entries_position_idx ON queue_entries (event_id, position) INCLUDE (state)`);
    await q.query(`CREATE INDEX queue_entries_admitted_idx ON queue_entries (event_id, admitted_at) WHERE state = 'ADMITTED'`);
    await q.query(`CREATE INDEX reservations_event_live_idx ON reservations (event_id) WHERE status = 'RESERVED'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reservations_event_live_idx`);
    await q.query(`DROP TABLE queue_entries`);
    await q.query(`DROP TABLE sale_queues`);
  }
}
