import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { pgQuery, sqlRows } from '@etsr/platform';
import { PacingState } from '../services/queue-pacing';

export type EntryState = 'WAITING' | 'ADMITTED' | 'DONE';

/** A sale queue as every replica keeps it in memory (refreshed each tick). */
export interface SaleQueue {
  eventId: number;
  onSaleAt: Date;
  soldOut: boolean;
  admissionRate: number | null;
  waiting: number;
  admitted: number;
  admittedTotal: number;
}

/** A buyer's live place, with the queue it is in. */
export interface QueuePlace {
  entryId: string;
  eventId: number;
  userId: number;
  position: number;
  state: EntryState;
  ahead: number;
  joinedAt: Date;
  admittedAt: Date | null;
  passExpiresAt: Date | null;
  onSaleAt: Date;
  soldOut: boolean;
  admissionRate: number | null;
}

/** What one admission tick measured, for the pacing function. */
export interface TickMeasures {
  elapsedSeconds: number;
  liveHolds: number;
  admittedNotHolding: number;
  completions: number;
  allocations: number;
  meanHoldSeconds: number | null;
  waiting: number;
}

export interface TickOutcome {
  admitted: number;
  /** Seconds each admitted buyer waited, from joining to admission. */
  waits: number[];
  finished: number;
}

/**
 * Joins and admissions of one event exclude each other by an advisory lock: every join holds it
 * shared for its one statement, an admission tick takes it exclusively. So when a tick admits "the
 * first n by position", every place with a smaller position than one it sees has been committed:
 * no buyer whose insert was slow to commit is ever passed over by a later one.
 */
const JOIN_GATE = `hashtextextended('sale-queue:' || $1::bigint, 0)`;

const PLACE_COLUMNS = `e.entry_id AS "entryId", e.event_id AS "eventId", e.user_id AS "userId", e.position, e.state,
  e.joined_at AS "joinedAt", e.admitted_at AS "admittedAt", e.pass_expires_at AS "passExpiresAt",
  q.on_sale_at AS "onSaleAt", q.sold_out AS "soldOut", q.admission_rate AS "admissionRate",
  CASE WHEN e.state = 'WAITING' THEN (SELECT count(*) FROM queue_entries w WHERE w.event_id = e.event_id AND w.state = 'WAITING' AND w.position < e.position) ELSE 0 END AS ahead`;

function toPlace(r: Record<string, unknown>): QueuePlace {
  return {
    ...(r as unknown as QueuePlace),
    eventId: Number(r.eventId),
    userId: Number(r.userId),
    position: Number(r.position),
    ahead: Number(r.ahead),
    admissionRate: r.admissionRate === null ? null : Number(r.admissionRate),
  };
}

@Injectable()
export class SaleQueueRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Every sale queue with its waiting count: the small table each replica reads every tick. */
  async all(): Promise<SaleQueue[]> {
    const rows = await pgQuery(
      this.db,
      `SELECT q.event_id, q.on_sale_at, q.sold_out, q.admission_rate, q.admitted_total,
              (SELECT count(*) FROM queue_entries e WHERE e.event_id = q.event_id AND e.state = 'WAITING') AS waiting,
              (SELECT count(*) FROM queue_entries e WHERE e.event_id = q.event_id AND e.state = 'ADMITTED') AS admitted
         FROM sale_queues q`,
    );
    return rows.map((r) => ({
      eventId: Number(r.event_id),
      onSaleAt: r.on_sale_at as Date,
      soldOut: r.sold_out as boolean,
      admissionRate: r.admission_rate === null ? null : Number(r.admission_rate),
      waiting: Number(r.waiting),
      admitted: Number(r.admitted),
      admittedTotal: Number(r.admitted_total),
    }));
  }

  async upsert(eventId: number, onSaleAt: Date): Promise<boolean> {
    const rows = await sqlRows<{ created: boolean }>(
      this.db,
      `INSERT INTO sale_queues (event_id, on_sale_at) VALUES ($1, $2)
       ON CONFLICT (event_id) DO UPDATE SET on_sale_at = excluded.on_sale_at, updated_at = now()
       RETURNING (xmax = 0) AS created`,
      [eventId, onSaleAt],
    );
    return rows[0].created;
  }

  /** Removes the queue and its places; joins in flight finish first (the gate), later ones find no queue. */
  async remove(eventId: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${JOIN_GATE})`, [eventId]);
      await tx.query(`DELETE FROM queue_entries WHERE event_id = $1`, [eventId]);
      const rows = await sqlRows(tx, `DELETE FROM sale_queues WHERE event_id = $1 RETURNING event_id`, [eventId]);
      return rows.length > 0;
    });
  }

  /**
   * A place at the back for the buyer, or their live place if they have one (one per account:
   * the partial unique index). Undefined when the event has no sale queue.
   */
  async join(eventId: number, userId: number): Promise<{ place: QueuePlace; created: boolean } | undefined> {
    // A new place is answered by the insert itself: one query a join, which matters when a whole
    // crowd joins in the same second. Only a buyer who has a place already costs a second read.
    const inserted = await pgQuery(
      this.db,
      `WITH gate AS (SELECT pg_advisory_xact_lock_shared(${JOIN_GATE})),
       e AS (
         INSERT INTO queue_entries (event_id, user_id)
         SELECT q.event_id, $2 FROM gate, sale_queues q WHERE q.event_id = $1
         ON CONFLICT (event_id, user_id) WHERE state <> 'DONE' DO NOTHING
         RETURNING *)
       SELECT ${PLACE_COLUMNS} FROM e JOIN sale_queues q ON q.event_id = e.event_id`,
      [eventId, userId],
    );
    if (inserted.length) return { place: toPlace(inserted[0]), created: true };
    const place = await this.placeOf(eventId, userId);
    return place && { place, created: false };
  }

  /** The buyer's live place (WAITING or ADMITTED), with how many wait before them. */
  async placeOf(eventId: number, userId: number): Promise<QueuePlace | undefined> {
    const rows = await pgQuery(
      this.db,
      `SELECT ${PLACE_COLUMNS} FROM queue_entries e JOIN sale_queues q ON q.event_id = e.event_id
        WHERE e.event_id = $1 AND e.user_id = $2 AND e.state <> 'DONE'`,
      [eventId, userId],
    );
    return rows.length ? toPlace(rows[0]) : undefined;
  }

  /** The event's ADMITTED places: a few (the window and the buyers holding), read by the partial index. */
  async admittedPlaces(eventId: number): Promise<Set<string>> {
    const rows = await pgQuery<{ entry_id: string }>(this.db, `SELECT entry_id FROM queue_entries WHERE event_id = $1 AND state = 'ADMITTED'`, [eventId]);
    return new Set(rows.map((r) => r.entry_id));
  }

  /** The state of the entry a pass names, if it is this buyer's in this event. */
  async entryState(entryId: string, eventId: number, userId: number): Promise<EntryState | undefined> {
    const rows = await pgQuery<{ state: EntryState }>(this.db, `SELECT state FROM queue_entries WHERE entry_id = $1 AND event_id = $2 AND user_id = $3`, [
      entryId,
      eventId,
      userId,
    ]);
    return rows[0]?.state;
  }

  /** The admitted buyer holds seats: they stop counting as "admitted, not holding" and their turn lasts while the hold does. */
  async markHeld(entryId: string): Promise<void> {
    await pgQuery(this.db, `UPDATE queue_entries SET held_at = coalesce(held_at, now()) WHERE entry_id = $1`, [entryId]);
  }

  /**
   * One admission tick of an event, if no other replica ran one within `minIntervalMs` (the queue
   * row, locked SKIP LOCKED, decides which replica; the others skip). In one transaction: ends the
   * turns that are over, measures, asks `decide` how many to admit, admits that many by position
   * and stores the new pacing state. Undefined when skipped (another replica's turn, not open yet).
   */
  async tick(
    eventId: number,
    settings: { minIntervalMs: number; passTtlSeconds: number; graceSeconds: number },
    decide: (state: PacingState, measures: TickMeasures) => { state: PacingState; admit: number; soldOut: boolean },
  ): Promise<TickOutcome | undefined> {
    return this.db.transaction(async (tx) => {
      const [queue] = await sqlRows(
        tx,
        `SELECT window_size, completion_rate, admission_rate, hold_seconds, ticked_at,
                coalesce(extract(epoch FROM now() - ticked_at), 0)::float8 AS elapsed
           FROM sale_queues
          WHERE event_id = $1 AND on_sale_at <= now() AND (ticked_at IS NULL OR ticked_at <= now() - make_interval(secs => $2))
          FOR UPDATE SKIP LOCKED`,
        [eventId, settings.minIntervalMs / 1000],
      );
      if (!queue) return undefined;
      await tx.query(`SELECT pg_advisory_xact_lock(${JOIN_GATE})`, [eventId]);
      const finished = await this.finishTurns(tx, eventId);
      const since = (queue.ticked_at as Date | null) ?? new Date();
      const measures = await this.measure(tx, eventId, since, settings.graceSeconds);
      const state: PacingState = {
        window: Number(queue.window_size),
        completionRate: queue.completion_rate === null ? null : Number(queue.completion_rate),
        admissionRate: queue.admission_rate === null ? null : Number(queue.admission_rate),
        holdSeconds: queue.hold_seconds === null ? null : Number(queue.hold_seconds),
      };
      const decision = decide(state, { ...measures, elapsedSeconds: Number(queue.elapsed) });
      const admitted =
        decision.admit > 0
          ? await sqlRows<{ waited: number }>(
              tx,
              `UPDATE queue_entries SET state = 'ADMITTED', admitted_at = now(), pass_expires_at = now() + make_interval(secs => $3)
                WHERE entry_id IN (SELECT entry_id FROM queue_entries WHERE event_id = $1 AND state = 'WAITING' ORDER BY position LIMIT $2)
                RETURNING extract(epoch FROM now() - joined_at)::float8 AS waited`,
              [eventId, decision.admit, settings.passTtlSeconds],
            )
          : [];
      const s = decision.state;
      await tx.query(
        `UPDATE sale_queues SET window_size = $2, completion_rate = $3, admission_rate = $4, hold_seconds = $5, sold_out = $6,
                admitted_total = admitted_total + $7, ticked_at = now(), updated_at = CASE WHEN sold_out <> $6 THEN now() ELSE updated_at END
          WHERE event_id = $1`,
        [eventId, s.window, s.completionRate, s.admissionRate, s.holdSeconds, decision.soldOut, admitted.length],
      );
      return { admitted: admitted.length, waits: admitted.map((r) => Number(r.waited)), finished };
    });
  }

  /**
   * Turns that are over end (DONE): the pass lapsed unused, or the buyer held and no longer has
   * a live hold in the event (paid, released or expired). They may then join again, at the back.
   */
  private async finishTurns(tx: EntityManager, eventId: number): Promise<number> {
    const rows = await sqlRows(
      tx,
      `UPDATE queue_entries e SET state = 'DONE', finished_at = now()
        WHERE e.event_id = $1 AND e.state = 'ADMITTED'
          AND ((e.held_at IS NULL AND e.pass_expires_at < now())
            OR (e.held_at IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM reservations r WHERE r.user_id = e.user_id AND r.event_id = e.event_id AND r.status = 'RESERVED' AND r.expires_at >= now())))
        RETURNING e.entry_id`,
      [eventId],
    );
    return rows.length;
  }

  private async measure(tx: EntityManager, eventId: number, since: Date, graceSeconds: number): Promise<Omit<TickMeasures, 'elapsedSeconds'>> {
    const [m] = await sqlRows(
      tx,
      `SELECT
         (SELECT count(*) FROM reservations WHERE event_id = $1 AND status = 'RESERVED' AND expires_at >= now()) AS live_holds,
         (SELECT count(*) FROM queue_entries WHERE event_id = $1 AND state = 'ADMITTED' AND held_at IS NULL
             AND admitted_at > now() - make_interval(secs => $3)) AS admitted_not_holding,
         (SELECT count(*) FROM queue_entries WHERE event_id = $1 AND state = 'WAITING') AS waiting,
         c.completions, c.allocations, c.mean_hold_seconds
       FROM (SELECT count(*) AS completions,
                    count(*) FILTER (WHERE status = 'ALLOCATED') AS allocations,
                    avg(extract(epoch FROM updated_at - created_at)) FILTER (WHERE status = 'ALLOCATED')::float8 AS mean_hold_seconds
               FROM reservations WHERE event_id = $1 AND status <> 'RESERVED' AND updated_at > $2) c`,
      [eventId, since, graceSeconds],
    );
    return {
      liveHolds: Number(m.live_holds),
      admittedNotHolding: Number(m.admitted_not_holding),
      waiting: Number(m.waiting),
      completions: Number(m.completions),
      allocations: Number(m.allocations),
      meanHoldSeconds: m.mean_hold_seconds === null ? null : Number(m.mean_hold_seconds),
    };
  }
}
