import { escapeLike } from '@etsr/platform';
import { EventStatus, EventType } from '../entities/event.entity';

/** A search over events, in the repository's terms (the service builds it from the query). */
export interface EventSearch {
  /** The venue's city, compared case-insensitively. */
  city?: string;
  eventType?: EventType;
  status?: EventStatus;
  /** start_date >= startFrom */
  startFrom?: Date;
  /** start_date <= at (inclusive) or < at */
  startTo?: { at: Date; inclusive: boolean };
  /** Case-insensitive substring of the name; LIKE wildcards in it are plain text. */
  nameContains?: string;
  descending: boolean;
  offset: number;
  limit: number;
}

export interface SearchSql {
  /** "WHERE ..." or "" */
  where: string;
  params: unknown[];
  orderBy: string;
}

/**
 * The WHERE and ORDER BY of an event search over `events e JOIN venues v`. Every value travels as a
 * parameter; each condition is written the way its index is (lower(v.city), lower(e.name) with
 * pg_trgm), so PostgreSQL can use them.
 */
export function buildEventSearchSql(search: EventSearch): SearchSql {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (search.city !== undefined) conditions.push(`lower(v.city) = lower(${param(search.city)})`);
  if (search.eventType !== undefined) conditions.push(`e.event_type = ${param(search.eventType)}`);
  if (search.status !== undefined) conditions.push(`e.status = ${param(search.status)}`);
  if (search.startFrom !== undefined) conditions.push(`e.start_date >= ${param(search.startFrom)}`);
  if (search.startTo !== undefined) conditions.push(`e.start_date ${search.startTo.inclusive ? '<=' : '<'} ${param(search.startTo.at)}`);
  if (search.nameContains !== undefined) {
    conditions.push(`lower(e.name) LIKE lower(${param(`%${escapeLike(search.nameContains)}%`)}) ESCAPE '\\'`);
  }
  const direction = search.descending ? 'DESC' : 'ASC';
  return {
    where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '',
    params,
    orderBy: `ORDER BY e.start_date ${direction}, e.event_id ${direction}`,
  };
}

