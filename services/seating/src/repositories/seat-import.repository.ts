import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { conflict, sqlRows } from '@etsr/platform';
import { ImportAllocationDto, ImportSeatDto, ImportedAllocationDto, ImportedSeatDto } from '../dtos/import.dto';

/** The reservation that ties an imported order's seats to it: derived from the order id, so a repeat finds it. */
export const importReservationId = (orderId: string) => `imp_${orderId.replace(/-/g, '')}`;

/**
 * Seats listed one by one (not from a layout) and historical allocations. Seats are keyed by
 * their position (event, section, row, number), which is unique; allocations by a reservation id
 * derived from the order. Both are `INSERT ... ON CONFLICT DO NOTHING RETURNING`, in one
 * transaction per batch (SeatImportService), so a repeat or a racing importer creates nothing twice.
 */
@Injectable()
export class SeatImportRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async importSeats(tx: EntityManager, eventId: number, venueId: number, seats: ImportSeatDto[]): Promise<ImportedSeatDto[]> {
    const geometry = seatGeometry(seats);
    const inserted = await sqlRows<{ seat_id: string; section: string; row_label: string; seat_number: number }>(
      tx,
      `INSERT INTO seats (event_id, venue_id, section, row_label, seat_number, price, row_index, row_size, pos_x)
       SELECT $1, $2, * FROM unnest($3::varchar[], $4::varchar[], $5::int[], $6::numeric[], $7::int[], $8::int[], $9::real[])
       ON CONFLICT (event_id, section, row_label, seat_number) DO NOTHING
       RETURNING seat_id, section, row_label, seat_number`,
      [eventId, venueId, seats.map((s) => s.section), seats.map((s) => s.row), seats.map((s) => s.number), seats.map((s) => s.price),
        geometry.map((g) => g.rowIndex), geometry.map((g) => g.rowSize), geometry.map((g) => g.posX)],
    );
    if (inserted.length) await tx.query(`INSERT INTO seat_plan_changes (event_id) VALUES ($1)`, [eventId]);
    const all = await sqlRows<{ seat_id: string; section: string; row_label: string; seat_number: number }>(
      tx,
      `SELECT seat_id, section, row_label, seat_number FROM seats WHERE event_id = $1`,
      [eventId],
    );
    const created = new Set(inserted.map((r) => r.seat_id));
    const byPosition = new Map(all.map((r) => [`${r.section}|${r.row_label}|${r.seat_number}`, r.seat_id]));
    return seats.map((s) => {
      const id = byPosition.get(`${s.section}|${s.row}|${s.number}`)!;
      return { section: s.section, row: s.row, number: s.number, seatId: Number(id), created: created.has(id) };
    });
  }

  /** Fresh planner statistics after many new seats (run after the commit, outside any transaction). */
  async analyzeSeats(): Promise<void> {
    await this.db.query('ANALYZE seats');
  }

  /** A seat that is not AVAILABLE (or not of the event) is 409, which fails the caller's whole transaction. */
  async importAllocation(tx: EntityManager, a: ImportAllocationDto): Promise<ImportedAllocationDto> {
    const reservationId = importReservationId(a.orderId);
    const seatIds = [...new Set(a.seatIds)].sort((x, y) => x - y);
    const [inserted] = await sqlRows(
      tx,
      `INSERT INTO reservations (reservation_id, event_id, user_id, seat_ids, total_amount, status, expires_at, original_expires_at, order_id, created_at)
       VALUES ($1, $2, $3, $4, $5, 'ALLOCATED', $6, $6, $7, $6) ON CONFLICT DO NOTHING RETURNING reservation_id`,
      [reservationId, a.eventId, a.userId, seatIds, a.totalAmount, a.allocatedAt, a.orderId],
    );
    if (!inserted) {
      const [existing] = await sqlRows<{ reservation_id: string; seat_ids: string[] }>(tx, `SELECT reservation_id, seat_ids FROM reservations WHERE order_id = $1`, [a.orderId]);
      const same = existing?.reservation_id === reservationId && existing.seat_ids.map(Number).sort((x, y) => x - y).join() === seatIds.join();
      if (!same) throw conflict(`Order ${a.orderId} already has other seats allocated`, 'ORDER_ALREADY_ALLOCATED', { orderId: a.orderId });
      return { orderId: a.orderId, reservationId, created: false };
    }
    const taken = await sqlRows<{ seat_id: string }>(
      tx,
      `UPDATE seats SET status = 'ALLOCATED', reservation_id = $1, reserved_by = $2, reservation_expiry = NULL, updated_at = now()
       WHERE seat_id = ANY($3::bigint[]) AND event_id = $4 AND status = 'AVAILABLE' RETURNING seat_id`,
      [reservationId, a.userId, seatIds, a.eventId],
    );
    if (taken.length !== seatIds.length) {
      const got = new Set(taken.map((r) => Number(r.seat_id)));
      const unavailable = seatIds.filter((id) => !got.has(id));
      throw conflict(`Seats not available in event ${a.eventId} for order ${a.orderId}: ${unavailable.join(', ')}`, 'SEAT_UNAVAILABLE', { orderId: a.orderId, seatIds: unavailable });
    }
    return { orderId: a.orderId, reservationId, created: true };
  }
}

/**
 * Positions for listed seats: rows are numbered front to back in the order they first appear,
 * a row's size is its highest seat number, and a seat sits at its number's offset from the
 * row's centre, as with seats planned from a layout.
 */
export function seatGeometry(seats: ImportSeatDto[]): { rowIndex: number; rowSize: number; posX: number }[] {
  const rowIndex = new Map<string, number>();
  const rowSize = new Map<string, number>();
  for (const s of seats) {
    const key = `${s.section}|${s.row}`;
    if (!rowIndex.has(key)) rowIndex.set(key, rowIndex.size);
    rowSize.set(key, Math.max(rowSize.get(key) ?? 0, s.number));
  }
  return seats.map((s) => {
    const key = `${s.section}|${s.row}`;
    const size = rowSize.get(key)!;
    return { rowIndex: rowIndex.get(key)!, rowSize: size, posX: s.number - (size + 1) / 2 };
  });
}
