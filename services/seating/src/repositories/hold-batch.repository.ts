import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { sqlRows } from '@etsr/platform';
import { HeldSeat } from './reservations.repository';
import { freeSeatIn } from './seats.repository';

/** One block the allocator chose for one request of a batch. */
export interface PlannedHold {
  reservationId: string;
  userId: number;
  seatIds: number[];
}

export interface TakenHold {
  reservationId: string;
  seats: HeldSeat[];
  expiresAt: Date;
}

/**
 * The SQL of a best-available batch (see BestAvailableAllocator): every statement runs in the
 * batch's one transaction, which the allocator opens and passes in.
 */
@Injectable()
export class HoldBatchRepository {

  /**
   * Locks the event's allocator (one batch per event at a time, across every replica) and the hold
   * counters of the batch's users (the same keys reserve_seats() takes, so a user's exact-seat holds
   * and best-available holds are counted against one cap). Keys are taken in sorted order, so two
   * batches never wait for each other in a cycle.
   */
  async lock(tx: EntityManager, eventId: number, userIds: number[]): Promise<void> {
    const keys = [`best:${eventId}`, ...new Set(userIds)].map((k) => (typeof k === 'number' ? `hold:${k}:${eventId}` : k));
    await tx.query(
      `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(x, 0) AS k FROM unnest($1::text[]) AS x ORDER BY 1) AS keys`,
      [keys],
    );
  }

  /** Seats each user holds in the event right now (live holds only). */
  async heldByUsers(tx: EntityManager, eventId: number, userIds: number[]): Promise<Map<number, number>> {
    const rows = await sqlRows<{ user_id: string; held: string }>(
      tx,
      `SELECT user_id, sum(cardinality(seat_ids)) AS held FROM reservations
        WHERE event_id = $1 AND user_id = ANY ($2::bigint[]) AND status = 'RESERVED' AND expires_at > now()
        GROUP BY user_id`,
      [eventId, [...new Set(userIds)]],
    );
    return new Map(rows.map((r) => [Number(r.user_id), Number(r.held)]));
  }

  /**
   * Takes the planned seats that are still free and records a reservation for every plan that got
   * all its seats, in one statement. Seats are locked in seat_id order, the order reserve_seats()
   * uses, so a batch and an exact-seat hold queue instead of deadlocking. Plans that lost a seat
   * (an exact-seat hold took it between the batch's reading and this statement) are returned
   * incomplete; `undo()` gives their other seats back in the same transaction.
   */
  async take(tx: EntityManager, eventId: number, plans: PlannedHold[], ttlSeconds: number): Promise<{ held: TakenHold[]; incomplete: string[] }> {
    const seatIds = plans.flatMap((p) => p.seatIds);
    const owners = plans.flatMap((p) => p.seatIds.map(() => p.reservationId));
    const users = plans.flatMap((p) => p.seatIds.map(() => p.userId));
    const rows = await sqlRows<Record<string, unknown>>(
      tx,
      `WITH wanted AS (
         SELECT * FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS w(seat_id, reservation_id, user_id)),
       taken AS (
         UPDATE seats s
            SET status = 'RESERVED', reservation_id = c.reservation_id, reserved_by = c.user_id,
                reservation_expiry = now() + make_interval(secs => $5), updated_at = now()
           FROM (SELECT f.seat_id, w.reservation_id, w.user_id FROM seats f JOIN wanted w ON w.seat_id = f.seat_id
                  WHERE f.event_id = $1 AND ${freeSeatIn('f.')}
                  ORDER BY f.seat_id FOR UPDATE OF f) AS c
          WHERE s.seat_id = c.seat_id
         RETURNING s.seat_id, s.reservation_id, s.reserved_by, s.section, s.row_label, s.seat_number, s.price, s.reservation_expiry),
       complete AS (
         SELECT t.reservation_id FROM taken t GROUP BY t.reservation_id
         HAVING count(*) = (SELECT count(*) FROM wanted w WHERE w.reservation_id = t.reservation_id)),
       recorded AS (
         INSERT INTO reservations (reservation_id, event_id, user_id, seat_ids, total_amount, expires_at, original_expires_at)
         SELECT t.reservation_id, $1, min(t.reserved_by), array_agg(t.seat_id ORDER BY t.seat_id), sum(t.price),
                min(t.reservation_expiry), min(t.reservation_expiry)
           FROM taken t JOIN complete USING (reservation_id) GROUP BY t.reservation_id)
       SELECT t.*, (t.reservation_id IN (SELECT reservation_id FROM complete)) AS complete FROM taken t ORDER BY t.seat_id`,
      [eventId, seatIds, owners, users, ttlSeconds],
    );
    const held = new Map<string, TakenHold>();
    for (const r of rows) {
      if (!r.complete) continue;
      const id = r.reservation_id as string;
      let hold = held.get(id);
      if (!hold) held.set(id, (hold = { reservationId: id, seats: [], expiresAt: r.reservation_expiry as Date }));
      hold.seats.push({
        seatId: Number(r.seat_id),
        section: r.section as string,
        rowLabel: r.row_label as string,
        seatNumber: Number(r.seat_number),
        price: Number(r.price),
      });
    }
    return { held: [...held.values()], incomplete: plans.map((p) => p.reservationId).filter((id) => !held.has(id)) };
  }

  /** Frees the seats a batch took for plans that did not get all of theirs. */
  async undo(tx: EntityManager, reservationIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE seats SET status = 'AVAILABLE', reservation_id = NULL, reserved_by = NULL, reservation_expiry = NULL, updated_at = now()
        WHERE reservation_id = ANY ($1::text[]) AND status = 'RESERVED'`,
      [reservationIds],
    );
  }
}
