import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { sqlRows } from '@etsr/platform';
import { EVENT_STATUSES, EventEntity, EventStatus, EventType } from '../entities/event.entity';
import { EventSearch, buildEventSearchSql } from './event-search.sql';

/** An event as the API shows it: with its venue's name and city. */
export type EventWithVenue = Omit<EventEntity, 'venue' | 'externalRef'> & { venueName: string; city: string };

export interface NewEvent {
  venueId: number;
  name: string;
  description: string | null;
  eventType: EventType;
  startDate: Date;
  endDate: Date;
  status: EventStatus;
  totalSeats: number;
  basePrice: number;
}

export type EventChanges = Partial<Omit<NewEvent, 'status'>>;

/** Why a write was refused by the database's own rules. */
export type EventWriteProblem = 'venue-missing' | 'dates' | 'not-found';

interface EventRow {
  event_id: string;
  venue_id: string;
  venue_name: string;
  city: string;
  name: string;
  description: string | null;
  event_type: EventType;
  start_date: Date;
  end_date: Date;
  status: EventStatus;
  total_seats: number;
  available_seats: number;
  base_price: string;
  created_at: Date;
  updated_at: Date;
}

/** The columns of EventWithVenue, from `e` (events, or a CTE over it) joined to `v` (venues). */
const COLUMNS = `e.event_id, e.venue_id, v.name AS venue_name, v.city, e.name, e.description, e.event_type,
  e.start_date, e.end_date, e.status, e.total_seats, e.available_seats, e.base_price, e.created_at, e.updated_at`;

/** Writable columns and their SQL names; anything else never reaches a SET clause. */
const COLUMN_OF: Record<keyof EventChanges, string> = {
  venueId: 'venue_id',
  name: 'name',
  description: 'description',
  eventType: 'event_type',
  startDate: 'start_date',
  endDate: 'end_date',
  totalSeats: 'total_seats',
  basePrice: 'base_price',
};

@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts with available_seats = total_seats; the foreign key decides whether the venue exists.
   * `tx`: in the caller's transaction (the seat layout's outbox message commits with the event).
   */
  async insert(event: NewEvent, tx?: EntityManager): Promise<EventWithVenue | EventWriteProblem> {
    try {
      const [row] = await sqlRows<EventRow>(
        tx ?? this.dataSource,
        `WITH e AS (
           INSERT INTO events (venue_id, name, description, event_type, start_date, end_date, status, total_seats, available_seats, base_price)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
           RETURNING *)
         SELECT ${COLUMNS} FROM e JOIN venues v ON v.venue_id = e.venue_id`,
        [event.venueId, event.name, event.description, event.eventType, event.startDate, event.endDate, event.status, event.totalSeats, event.basePrice],
      );
      return toEvent(row);
    } catch (e) {
      const problem = writeProblem(e);
      if (problem) return problem;
      throw e;
    }
  }


  async findById(id: number): Promise<EventWithVenue | null> {
    const [row] = await sqlRows<EventRow>(this.dataSource, `SELECT ${COLUMNS} FROM events e JOIN venues v ON v.venue_id = e.venue_id WHERE e.event_id = $1`, [id]);
    return row ? toEvent(row) : null;
  }

  async findStatus(id: number): Promise<EventStatus | null> {
    const [row] = await sqlRows<{ status: EventStatus }>(this.dataSource, `SELECT status FROM events WHERE event_id = $1`, [id]);
    return row?.status ?? null;
  }

  /**
   * One conditional UPDATE. With `status`, it applies only while the event is in one of
   * `statusFrom` (the legal predecessors), so of two racing status changes at most one that is
   * illegal after the other can apply. A new total_seats moves available_seats by the same amount
   * (seats already sold stay sold), kept within 0..total_seats. 'not-found' means no row matched:
   * the caller tells a missing event from a refused transition.
   */
  async update(
    id: number,
    changes: EventChanges,
    status?: { to: EventStatus; from: EventStatus[] },
  ): Promise<EventWithVenue | EventWriteProblem> {
    const params: unknown[] = [id];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const sets: string[] = [];
    for (const [key, column] of Object.entries(COLUMN_OF) as [keyof EventChanges, string][]) {
      if (changes[key] === undefined) continue;
      if (key === 'totalSeats') {
        const total = param(changes.totalSeats);
        sets.push(`available_seats = LEAST(GREATEST(available_seats + (${total}::int - total_seats), 0), ${total}::int)`);
        sets.push(`total_seats = ${total}::int`);
      } else {
        sets.push(`${column} = ${param(changes[key])}`);
      }
    }
    let guard = '';
    if (status) {
      sets.push(`status = ${param(status.to)}`);
      guard = ` AND status = ANY(${param(status.from)}::varchar[])`;
    }
    if (!sets.length) return (await this.findById(id)) ?? 'not-found';
    sets.push('updated_at = now()');
    try {
      const [row] = await sqlRows<EventRow>(
        this.dataSource,
        `WITH e AS (UPDATE events SET ${sets.join(', ')} WHERE event_id = $1${guard} RETURNING *)
         SELECT ${COLUMNS} FROM e JOIN venues v ON v.venue_id = e.venue_id`,
        params,
      );
      return row ? toEvent(row) : 'not-found';
    } catch (e) {
      const problem = writeProblem(e);
      if (problem) return problem;
      throw e;
    }
  }

  /**
   * Deletes the event only while no seat of it is sold, as far as catalog knows
   * (available_seats = total_seats). Checked in the DELETE itself, so no sale slips in between.
   */
  async deleteUnsold(id: number): Promise<'deleted' | 'not-found' | { totalSeats: number; availableSeats: number }> {
    const deleted = await sqlRows(this.dataSource, `DELETE FROM events WHERE event_id = $1 AND available_seats = total_seats RETURNING event_id`, [id]);
    if (deleted.length) return 'deleted';
    const [row] = await sqlRows<{ total_seats: number; available_seats: number }>(
      this.dataSource,
      `SELECT total_seats, available_seats FROM events WHERE event_id = $1`,
      [id],
    );
    return row ? { totalSeats: row.total_seats, availableSeats: row.available_seats } : 'not-found';
  }

  /** One page of matches and the total, in start-date order (then event_id, for a stable order). */
  async search(search: EventSearch): Promise<{ events: EventWithVenue[]; total: number }> {
    const { where, params, orderBy } = buildEventSearchSql(search);
    const from = `FROM events e JOIN venues v ON v.venue_id = e.venue_id ${where}`;
    const n = params.length;
    const [rows, [count]] = await Promise.all([
      sqlRows<EventRow>(this.dataSource, `SELECT ${COLUMNS} ${from} ${orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`, [...params, search.limit, search.offset]),
      sqlRows<{ n: string }>(this.dataSource, `SELECT count(*) AS n ${from}`, params),
    ]);
    return { events: rows.map(toEvent), total: Number(count.n) };
  }

  /** Events per status, every status present (0 when none): the catalog_events_count gauge. */
  async countByStatus(): Promise<Record<EventStatus, number>> {
    const rows = await sqlRows<{ status: EventStatus; n: string }>(this.dataSource, `SELECT status, count(*) AS n FROM events GROUP BY status`);
    const counts = Object.fromEntries(EVENT_STATUSES.map((s) => [s, 0])) as Record<EventStatus, number>;
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }
}

function toEvent(row: EventRow): EventWithVenue {
  return {
    id: Number(row.event_id),
    venueId: Number(row.venue_id),
    venueName: row.venue_name,
    city: row.city,
    name: row.name,
    description: row.description,
    eventType: row.event_type,
    startDate: row.start_date,
    endDate: row.end_date,
    status: row.status,
    totalSeats: row.total_seats,
    availableSeats: row.available_seats,
    basePrice: Number(row.base_price),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Constraint violations that mean "the input does not fit", named by their constraint. */
function writeProblem(e: unknown): EventWriteProblem | undefined {
  if (!(e instanceof QueryFailedError)) return undefined;
  const driver = (e as QueryFailedError & { driverError?: { code?: string; constraint?: string } }).driverError;
  if (driver?.code === '23503' && driver.constraint === 'events_venue_fk') return 'venue-missing';
  if (driver?.code === '23514' && driver.constraint === 'events_dates_check') return 'dates';
  return undefined;
}
