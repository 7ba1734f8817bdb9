import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { pgQuery, sqlRows } from '@etsr/platform';
import { ReservationEntity, ReservationStatus } from '../entities/reservation.entity';

export interface HeldSeat {
  seatId: number;
  section: string;
  rowLabel: string;
  seatNumber: number;
  price: number;
}

export type ReserveResult =
  | { kind: 'held'; seats: HeldSeat[]; expiresAt: Date }
  | { kind: 'no-seats-for-event' }
  | { kind: 'seats-not-in-event'; seatIds: number[] }
  | { kind: 'over-cap'; alreadyHeld: number }
  | { kind: 'taken'; seatIds: number[] };

/** What a state change found; the service turns each outcome into an answer. */
export type ChangeResult =
  | { kind: 'done'; reservation: ReservationEntity }
  | { kind: 'unchanged'; reservation: ReservationEntity }
  | { kind: 'not-found' }
  | { kind: 'refused'; reservation: ReservationEntity; reason: 'expired' | 'released' | 'allocated' | 'other-order' | 'in-checkout' };

/**
 * A hold past its expiry reads EXPIRED at once, by the database's clock, whether or not the
 * sweeper has stored it so yet (it does once the seats are back in inventory): every read and
 * every change below sees a reservation through this one expression, so none can treat a lapsed
 * hold as live. Same boundary as the seats': held while `expiry >= now()`.
 */
const RESERVATION_COLUMNS = `reservation_id AS id, event_id AS "eventId", user_id AS "userId", seat_ids AS "seatIds",
  total_amount AS "totalAmount", CASE WHEN status = 'RESERVED' AND expires_at < now() THEN 'EXPIRED' ELSE status END AS status,
  expires_at AS "expiresAt", original_expires_at AS "originalExpiresAt",
  order_id AS "orderId", created_at AS "createdAt", updated_at AS "updatedAt"`;

function toReservation(r: Record<string, unknown>): ReservationEntity {
  return Object.assign(new ReservationEntity(), {
    ...r,
    eventId: Number(r.eventId),
    userId: Number(r.userId),
    seatIds: (r.seatIds as string[]).map(Number),
    totalAmount: Number(r.totalAmount),
  });
}

/** Detail of a raised EA00x error: a list of ids, or a number. */
const detailIds = (detail: string | undefined) => (detail ? detail.split(',').map(Number) : []);

@Injectable()
export class ReservationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One call of reserve_seats (see the migration): all seats held, or none and why. The hot path, so straight to the pool. */
  async reserve(reservationId: string, eventId: number, userId: number, seatIds: number[], ttlSeconds: number, maxPerUser: number): Promise<ReserveResult> {
    try {
      const rows = await pgQuery(
        this.db,
        `SELECT seat_id, section, row_label, seat_number, price, expires_at FROM reserve_seats($1, $2, $3, $4::bigint[], $5, $6)`,
        [reservationId, eventId, userId, seatIds, ttlSeconds, maxPerUser],
      );
      return {
        kind: 'held',
        expiresAt: rows[0].expires_at as Date,
        seats: rows.map((r) => ({
          seatId: Number(r.seat_id),
          section: r.section as string,
          rowLabel: r.row_label as string,
          seatNumber: Number(r.seat_number),
          price: Number(r.price),
        })),
      };
    } catch (e) {
      const { code, detail } = e as { code?: string; detail?: string };
      switch (code) {
        case 'EA001':
          return { kind: 'no-seats-for-event' };
        case 'EA002':
          return { kind: 'seats-not-in-event', seatIds: detailIds(detail) };
        case 'EA003':
          return { kind: 'over-cap', alreadyHeld: Number(detail ?? 0) };
        case 'EA004':
          return { kind: 'taken', seatIds: detailIds(detail) };
        default:
          throw e;
      }
    }
  }

  async findById(id: string): Promise<ReservationEntity | null> {
    const [row] = await sqlRows<Record<string, unknown>>(this.db, `SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE reservation_id = $1`, [id]);
    return row ? toReservation(row) : null;
  }

  /** The owner gives a live hold back. A hold its order is paying for is the order's to release. */
  cancel(tx: EntityManager, id: string): Promise<ChangeResult> {
    return this.change(tx, { id }, async (r) => {
      if (r.status === 'RELEASED' || r.status === 'EXPIRED') return { kind: 'unchanged', reservation: r };
      if (r.status === 'ALLOCATED') return { kind: 'refused', reservation: r, reason: 'allocated' };
      if (r.orderId) return { kind: 'refused', reservation: r, reason: 'in-checkout' };
      return { kind: 'done', reservation: await this.free(tx, r, 'RELEASED') };
    });
  }

  /**
   * Seats of a paid order become ALLOCATED. Repeating it for the same order changes nothing. A
   * hold past its expiry is still allocated when all its seats are untaken (it is paid for); otherwise
   * the reservation is expired and nothing changes.
   */
  allocate(tx: EntityManager, id: string, orderId: string): Promise<ChangeResult> {
    return this.change(tx, { id }, async (r) => {
      if (r.status === 'ALLOCATED') return r.orderId === orderId ? { kind: 'unchanged', reservation: r } : { kind: 'refused', reservation: r, reason: 'other-order' };
      if (r.status === 'RELEASED') return { kind: 'refused', reservation: r, reason: 'released' };
      if (r.orderId && r.orderId !== orderId) return { kind: 'refused', reservation: r, reason: 'other-order' };
      const taken = await sqlRows(
        tx,
        `UPDATE seats s SET status = 'ALLOCATED', reservation_id = $1, reserved_by = $3, reservation_expiry = NULL, updated_at = now()
           FROM (SELECT seat_id FROM seats
                  WHERE seat_id = ANY ($2::bigint[])
                    AND ((reservation_id = $1 AND status = 'RESERVED') OR status = 'AVAILABLE' OR (status = 'RESERVED' AND reservation_expiry < now()))
                  ORDER BY seat_id FOR UPDATE) AS mine
          WHERE s.seat_id = mine.seat_id RETURNING s.seat_id`,
        [r.id, r.seatIds, r.userId],
      );
      if (taken.length !== r.seatIds.length) {
        throw new RollbackWith({ kind: 'refused', reservation: r, reason: 'expired' });
      }
      const [row] = await sqlRows<Record<string, unknown>>(
        tx,
        `UPDATE reservations SET status = 'ALLOCATED', order_id = $2, updated_at = now() WHERE reservation_id = $1 RETURNING ${RESERVATION_COLUMNS}`,
        [r.id, orderId],
      );
      return { kind: 'done', reservation: toReservation(row) };
    });
  }

  /** Seats of a reservation (held or sold) go back to inventory: a refund or a cancelled order. Idempotent. */
  release(tx: EntityManager, key: { id?: string; orderId?: string }): Promise<ChangeResult> {
    return this.change(tx, key, async (r) => {
      if (r.status === 'RELEASED' || r.status === 'EXPIRED') {
        // An expired hold may still have been allocated by nothing; make sure no seat stays tied to it.
        await this.freeSeats(tx, r.id);
        return { kind: 'unchanged', reservation: r };
      }
      return { kind: 'done', reservation: await this.free(tx, r, 'RELEASED') };
    });
  }

  /**
   * An order takes charge of a hold: the reservation is tied to the order (one order per
   * reservation) and its expiry pushed out to at least now + extendSeconds, but never beyond the
   * original expiry + maxExtensionSeconds, so a stuck payment cannot keep seats forever.
   */
  holdForOrder(tx: EntityManager, id: string, orderId: string, extendSeconds: number, maxExtensionSeconds: number): Promise<ChangeResult> {
    return this.change(tx, { id }, async (r) => {
      if (r.orderId && r.orderId !== orderId) return { kind: 'refused', reservation: r, reason: 'other-order' };
      if (r.status === 'ALLOCATED') return { kind: 'unchanged', reservation: r };
      if (r.status === 'RELEASED') return { kind: 'refused', reservation: r, reason: 'released' };
      if (r.status === 'EXPIRED') return { kind: 'refused', reservation: r, reason: 'expired' };
      const [row] = await sqlRows<Record<string, unknown>>(
        tx,
        `UPDATE reservations
            SET order_id = $2, updated_at = now(),
                expires_at = LEAST(original_expires_at + make_interval(secs => $4), GREATEST(expires_at, now() + make_interval(secs => $3)))
          WHERE reservation_id = $1 RETURNING ${RESERVATION_COLUMNS}`,
        [r.id, orderId, extendSeconds, maxExtensionSeconds],
      );
      const updated = toReservation(row);
      // Every seat must still be this hold's, live (locked in seat id order, like every hold): one
      // the sweeper freed or another buyer took meanwhile makes the whole hold expired.
      const kept = await sqlRows(
        tx,
        `UPDATE seats s SET reservation_expiry = $2, updated_at = now()
           FROM (SELECT seat_id FROM seats WHERE reservation_id = $1 AND status = 'RESERVED' AND reservation_expiry >= now()
                  ORDER BY seat_id FOR UPDATE) AS mine
          WHERE s.seat_id = mine.seat_id RETURNING s.seat_id`,
        [r.id, updated.expiresAt],
      );
      if (kept.length !== r.seatIds.length) throw new RollbackWith({ kind: 'refused', reservation: r, reason: 'expired' });
      return { kind: 'done', reservation: updated };
    });
  }

  /**
   * Marks holds past their expiry EXPIRED once none of their seats is still held for them
   * (SeatsRepository.releaseLapsedHolds frees those first). Without that condition a hold that
   * lapsed between the two statements of a sweep would read EXPIRED while its seats stay RESERVED.
   */
  async expireLapsed(): Promise<number> {
    const rows = await sqlRows(
      this.db,
      `UPDATE reservations r SET status = 'EXPIRED', updated_at = now()
        WHERE r.status = 'RESERVED' AND r.expires_at < now()
          AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.reservation_id = r.reservation_id AND s.status = 'RESERVED')
        RETURNING r.reservation_id`,
    );
    return rows.length;
  }

  /**
   * Runs `fn` on the reservation, locked until the caller's transaction `tx` ends. `fn` may throw a
   * RollbackWith to undo its work and still answer (ReservationsService catches it).
   */
  private async change(tx: EntityManager, key: { id?: string; orderId?: string }, fn: (r: ReservationEntity) => Promise<ChangeResult>): Promise<ChangeResult> {
    const [row] = await sqlRows<Record<string, unknown>>(
      tx,
      key.id
        ? `SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE reservation_id = $1 FOR UPDATE`
        : `SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE order_id = $1 FOR UPDATE`,
      [key.id ?? key.orderId],
    );
    if (!row) return { kind: 'not-found' };
    return fn(toReservation(row));
  }

  private async free(tx: EntityManager, r: ReservationEntity, status: ReservationStatus): Promise<ReservationEntity> {
    await this.freeSeats(tx, r.id);
    const [row] = await sqlRows<Record<string, unknown>>(
      tx,
      `UPDATE reservations SET status = $2, updated_at = now() WHERE reservation_id = $1 RETURNING ${RESERVATION_COLUMNS}`,
      [r.id, status],
    );
    return toReservation(row);
  }

  private async freeSeats(tx: EntityManager, reservationId: string): Promise<void> {
    await tx.query(
      `UPDATE seats SET status = 'AVAILABLE', reservation_id = NULL, reserved_by = NULL, reservation_expiry = NULL, updated_at = now()
        WHERE reservation_id = $1 AND status IN ('RESERVED', 'ALLOCATED')`,
      [reservationId],
    );
  }
}

/** Thrown inside a transaction to roll it back while still returning an outcome (`result`). */
export class RollbackWith extends Error {
  constructor(readonly result: ChangeResult) {
    super('rollback');
  }
}
