import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '@etsr/platform';
import { SeatStatus } from '../entities/seat.entity';
import { LayoutSeat } from '../services/event-layout';

/** A seat is free when AVAILABLE, or RESERVED by a hold past its expiry that the sweeper has not reached yet. */
export const FREE = freeSeatIn('');

/** FREE for the seats row of a query that names it (`freeSeatIn('f.')`). */
export function freeSeatIn(prefix: string): string {
  return `(${prefix}status = 'AVAILABLE' OR (${prefix}status = 'RESERVED' AND ${prefix}reservation_expiry < now()))`;
}

export interface PlannedSeat {
  section: string;
  rowLabel: string;
  seatNumber: number;
  price: number;
  rowIndex: number;
  rowSize: number;
  posX: number;
  /** Which part of its row, between aisles, the seat is in (0 for the first or only one). */
  segment: number;
}

/** What makes two plans the same: every seat's place, price and part of its row. */
export type PlanSeat = Pick<PlannedSeat, 'section' | 'rowLabel' | 'seatNumber' | 'price' | 'rowIndex' | 'segment'>;

export interface SectionCounts {
  section: string;
  total: number;
  available: number;
  reserved: number;
  allocated: number;
  blocked: number;
  price: number;
}

export interface EventCounts {
  eventId: number;
  total: number;
  available: number;
  reserved: number;
  allocated: number;
  blocked: number;
}

export interface SeatRow {
  seatId: number;
  eventId: number;
  venueId: number;
  section: string;
  rowLabel: string;
  seatNumber: number;
  status: SeatStatus;
  price: number;
  rowIndex: number;
  posX: number;
  reservationExpiry: Date | null;
}

/** A seat as the map draws it, without its status. */
export interface MapPlanSeat {
  seatId: number;
  section: string;
  rowLabel: string;
  seatNumber: number;
  price: number;
  rowIndex: number;
  posX: number;
}

/** The letters of SeatsRepository.seatStates. */
export const STATE_CODES: Record<string, SeatStatus> = { A: 'AVAILABLE', R: 'RESERVED', S: 'ALLOCATED', B: 'BLOCKED' };

/** A seat as a seat map snapshot keeps it: status already resolved (lapsed holds are AVAILABLE). */
export interface SnapshotSeat extends MapPlanSeat {
  status: SeatStatus;
}

/** A run of consecutive free seats in one row, between two aisles at most. */
export interface FreeRun {
  section: string;
  rowLabel: string;
  rowIndex: number;
  rowSize: number;
  first: number;
  last: number;
  /** First and last seat numbers of the run's segment (the part of the row between aisles), free or not. */
  segmentFirst: number;
  segmentLast: number;
  seatIds: number[];
  xs: number[];
}

const SEAT_COLUMNS = `seat_id AS "seatId", event_id AS "eventId", venue_id AS "venueId", section, row_label AS "rowLabel",
  seat_number AS "seatNumber", CASE WHEN ${FREE} THEN 'AVAILABLE' ELSE status END AS status, price, row_index AS "rowIndex",
  pos_x AS "posX", reservation_expiry AS "reservationExpiry"`;

function toSeat(r: Record<string, unknown>): SeatRow {
  return {
    ...(r as unknown as SeatRow),
    seatId: Number(r.seatId),
    eventId: Number(r.eventId),
    venueId: Number(r.venueId),
    price: Number(r.price),
  };
}

export interface SeatDescription {
  seatId: number;
  section: string;
  rowLabel: string;
  seatNumber: number;
  price: number;
}

/** Seat descriptions kept at most (about 100 bytes each). */
const MAX_DESCRIPTIONS = 200_000;

@Injectable()
export class SeatsRepository {
  /** describe()'s seats by id. */
  private readonly descriptions = new Map<number, SeatDescription>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async now(): Promise<Date> {
    const [row] = await sqlRows<{ now: Date }>(this.db, `SELECT now() AS now`);
    return row.now;
  }

  /** The event's current plan, to compare a repeated layout against. */
  async planOf(eventId: number): Promise<PlanSeat[]> {
    const rows = await sqlRows<{ section: string; row_label: string; seat_number: number; price: string; row_index: number; segment: number }>(
      this.db,
      `SELECT section, row_label, seat_number, price, row_index, segment FROM seats WHERE event_id = $1`,
      [eventId],
    );
    return rows.map((r) => ({
      section: r.section,
      rowLabel: r.row_label,
      seatNumber: r.seat_number,
      price: Number(r.price),
      rowIndex: r.row_index,
      segment: r.segment,
    }));
  }

  /**
   * Inserts a plan in one statement, in `tx`, and returns how many seats were new, or null when the
   * event had seats already. Plans of one event are created one at a time (advisory lock, held
   * until the caller commits), so two different layouts sent at once cannot mix: the second finds
   * the first's seats.
   */
  async insertPlan(tx: EntityManager, eventId: number, venueId: number, seats: PlannedSeat[]): Promise<number | null> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('seat-plan:' || $1, 0))`, [eventId]);
    const [present] = await sqlRows(tx, `SELECT 1 FROM seats WHERE event_id = $1 LIMIT 1`, [eventId]);
    if (present) return null;
    // ON CONFLICT: seats imported one by one (the import path) at the same moment are left alone.
    const inserted = await sqlRows(
      tx,
      `INSERT INTO seats (event_id, venue_id, section, row_label, seat_number, price, row_index, row_size, pos_x, segment)
       SELECT $1, $2, * FROM unnest($3::varchar[], $4::varchar[], $5::int[], $6::numeric[], $7::int[], $8::int[], $9::real[], $10::smallint[])
       ON CONFLICT (event_id, section, row_label, seat_number) DO NOTHING
       RETURNING seat_id`,
      [
        eventId,
        venueId,
        seats.map((s) => s.section),
        seats.map((s) => s.rowLabel),
        seats.map((s) => s.seatNumber),
        seats.map((s) => s.price),
        seats.map((s) => s.rowIndex),
        seats.map((s) => s.rowSize),
        seats.map((s) => s.posX),
        seats.map((s) => s.segment),
      ],
    );
    if (inserted.length) await tx.query(`INSERT INTO seat_plan_changes (event_id) VALUES ($1)`, [eventId]);
    return inserted.length;
  }

  /**
   * Fresh planner statistics after a plan is loaded (after the commit, outside any transaction). A
   * sale often opens right after its seats are loaded, before autovacuum has analysed them; without
   * statistics the planner reads a hold's seats through (event_id, status), scanning the whole
   * event (measured: 3.7 ms instead of 0.14 ms by primary key for 20,000 seats).
   */
  async analyze(): Promise<void> {
    await this.db.query('ANALYZE seats');
  }

  async countsForEvents(eventIds: number[] | null): Promise<EventCounts[]> {
    const rows = await sqlRows<Record<string, string>>(
      this.db,
      `SELECT event_id,
              count(*) AS total,
              count(*) FILTER (WHERE ${FREE}) AS available,
              count(*) FILTER (WHERE status = 'RESERVED' AND reservation_expiry >= now()) AS reserved,
              count(*) FILTER (WHERE status = 'ALLOCATED') AS allocated,
              count(*) FILTER (WHERE status = 'BLOCKED') AS blocked
         FROM seats WHERE ($1::bigint[] IS NULL OR event_id = ANY ($1))
        GROUP BY event_id ORDER BY event_id`,
      [eventIds],
    );
    return rows.map((r) => ({
      eventId: Number(r.event_id),
      total: Number(r.total),
      available: Number(r.available),
      reserved: Number(r.reserved),
      allocated: Number(r.allocated),
      blocked: Number(r.blocked),
    }));
  }

  /** Events whose availability may have changed since `since`: holds, allocations, releases, expiries, admin changes. */
  async eventsChangedSince(since: Date): Promise<number[]> {
    const rows = await sqlRows<{ event_id: string }>(
      this.db,
      `SELECT event_id FROM reservations WHERE updated_at > $1
        UNION SELECT event_id FROM seat_plan_changes WHERE changed_at > $1`,
      [since],
    );
    return rows.map((r) => Number(r.event_id));
  }

  /**
   * What never changes of an event's seats once they exist (seats are only ever added, never
   * edited or deleted), in map order: read once per event and kept, see seatStates.
   */
  async mapPlan(eventId: number): Promise<MapPlanSeat[]> {
    const rows = await sqlRows<Record<string, unknown>>(
      this.db,
      `SELECT seat_id, section, row_label, seat_number, price, row_index, pos_x
         FROM seats WHERE event_id = $1
        ORDER BY row_index, section, seat_number`,
      [eventId],
    );
    return rows.map((r) => ({
      seatId: Number(r.seat_id),
      section: r.section as string,
      rowLabel: r.row_label as string,
      seatNumber: Number(r.seat_number),
      price: Number(r.price),
      rowIndex: Number(r.row_index),
      posX: Number(r.pos_x),
    }));
  }

  /**
   * What changes: every seat's status as one letter (STATE_CODES) in seat id order, a lapsed hold
   * as AVAILABLE, and the earliest expiry of a live hold. One short row for the whole event, in
   * one statement: refreshing a 10,000-seat map as 10,000 rows of nine columns made parsing them
   * the largest CPU cost of the seating service in a sale.
   */
  async seatStates(eventId: number): Promise<{ codes: string; earliestHoldExpiry: number | null }> {
    const [row] = await sqlRows<{ codes: string | null; earliest: Date | null }>(
      this.db,
      `SELECT string_agg(CASE WHEN ${FREE} THEN 'A' WHEN status = 'RESERVED' THEN 'R' WHEN status = 'ALLOCATED' THEN 'S' ELSE 'B' END, '' ORDER BY seat_id) AS codes,
              min(reservation_expiry) FILTER (WHERE status = 'RESERVED' AND reservation_expiry >= now()) AS earliest
         FROM seats WHERE event_id = $1`,
      [eventId],
    );
    return { codes: row?.codes ?? '', earliestHoldExpiry: row?.earliest ? row.earliest.getTime() : null };
  }

  /**
   * Section, row, number and price of seats. These never change once a seat exists (seats are
   * only added; no statement updates them), so they are kept in memory: every reservation answer
   * needs them, three times per booking, and they were a query each time.
   */
  async describe(seatIds: number[]): Promise<SeatDescription[]> {
    const missing = seatIds.filter((id) => !this.descriptions.has(id));
    if (missing.length) {
      const rows = await sqlRows<Record<string, unknown>>(
        this.db,
        `SELECT seat_id, section, row_label, seat_number, price FROM seats WHERE seat_id = ANY ($1::bigint[])`,
        [missing],
      );
      // Bounded by clearing: a refill costs a query per reservation answered, nothing else.
      if (this.descriptions.size + rows.length > MAX_DESCRIPTIONS) this.descriptions.clear();
      for (const r of rows) {
        const seatId = Number(r.seat_id);
        this.descriptions.set(seatId, { seatId, section: r.section as string, rowLabel: r.row_label as string, seatNumber: Number(r.seat_number), price: Number(r.price) });
      }
    }
    return [...new Set(seatIds)]
      .sort((a, b) => a - b)
      .flatMap((id) => this.descriptions.get(id) ?? []);
  }

  async findById(seatId: number): Promise<SeatRow | null> {
    const [row] = await sqlRows<Record<string, unknown>>(this.db, `SELECT ${SEAT_COLUMNS} FROM seats WHERE seat_id = $1`, [seatId]);
    return row ? toSeat(row) : null;
  }

  /** AVAILABLE (or a lapsed hold) → BLOCKED; a live hold or a sold seat is left alone. */
  async block(tx: EntityManager, seatId: number): Promise<boolean> {
    return this.adminChange(
      tx,
      seatId,
      `UPDATE seats SET status = 'BLOCKED', reservation_id = NULL, reserved_by = NULL, reservation_expiry = NULL, updated_at = now()
        WHERE seat_id = $1 AND ${FREE} RETURNING event_id`,
    );
  }

  async unblock(tx: EntityManager, seatId: number): Promise<boolean> {
    return this.adminChange(tx, seatId, `UPDATE seats SET status = 'AVAILABLE', updated_at = now() WHERE seat_id = $1 AND status = 'BLOCKED' RETURNING event_id`);
  }

  private async adminChange(tx: EntityManager, seatId: number, sql: string): Promise<boolean> {
    const [row] = await sqlRows<{ event_id: string }>(tx, sql, [seatId]);
    if (!row) return false;
    await tx.query(`INSERT INTO seat_plan_changes (event_id) VALUES ($1)`, [row.event_id]);
    return true;
  }

  /** Every seat of an event in plan order (front rows first), as the best-available allocator keeps it. */
  async layoutOf(eventId: number): Promise<LayoutSeat[]> {
    const rows = await sqlRows<Record<string, unknown>>(
      this.db,
      `SELECT seat_id, section, row_label, row_index, row_size, segment, seat_number, pos_x
         FROM seats WHERE event_id = $1 ORDER BY row_index, section, row_label, seat_number`,
      [eventId],
    );
    return rows.map((r) => ({
      seatId: Number(r.seat_id),
      section: r.section as string,
      rowLabel: r.row_label as string,
      rowIndex: Number(r.row_index),
      rowSize: Number(r.row_size),
      segment: Number(r.segment),
      seatNumber: Number(r.seat_number),
      posX: Number(r.pos_x),
    }));
  }

  /** Ids of an event's free seats (read in `tx` when given): one array, so a 10,000-seat event is one small row to parse. */
  async freeSeatIds(eventId: number, tx?: EntityManager): Promise<number[]> {
    const [row] = await sqlRows<{ ids: string }>(tx ?? this.db, `SELECT coalesce(array_agg(seat_id), '{}')::text AS ids FROM seats WHERE event_id = $1 AND ${FREE}`, [eventId]);
    return row.ids.length > 2 ? row.ids.slice(1, -1).split(',').map(Number) : [];
  }

  /**
   * Returns lapsed holds to inventory, one batch at a time. SKIP LOCKED lets several replicas sweep
   * together without waiting on each other or on a buyer who is taking one of these seats right now.
   */
  async releaseLapsedHolds(batchSize: number): Promise<number> {
    const rows = await sqlRows(
      this.db,
      `WITH lapsed AS (
         SELECT seat_id FROM seats WHERE status = 'RESERVED' AND reservation_expiry < now()
          ORDER BY reservation_expiry LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE seats s SET status = 'AVAILABLE', reservation_id = NULL, reserved_by = NULL, reservation_expiry = NULL, updated_at = now()
         FROM lapsed WHERE s.seat_id = lapsed.seat_id
       RETURNING s.seat_id`,
      [batchSize],
    );
    return rows.length;
  }

  /** Seats still RESERVED after their hold lapsed (the sweeper has not returned them yet) and the oldest lapse. */
  async heldPastExpiry(): Promise<{ seats: number; oldestOverdueSeconds: number }> {
    const [row] = await sqlRows<{ n: string; age: string }>(
      this.db,
      `SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(reservation_expiry)), 0) AS age
         FROM seats WHERE status = 'RESERVED' AND reservation_expiry < now()`,
    );
    return { seats: Number(row.n), oldestOverdueSeconds: Number(row.age) };
  }

  async countHeld(): Promise<number> {
    const [row] = await sqlRows<{ n: string }>(this.db, `SELECT count(*) AS n FROM seats WHERE status = 'RESERVED' AND reservation_expiry >= now()`);
    return Number(row.n);
  }
}
