import { badRequest, pageOffset } from '@etsr/platform';
import { FiltersAppliedDto, SearchEventsQuery } from '../dtos/event.dto';
import { parseIsoInstant } from '../dtos/validation';
import type { EventSearch } from '../repositories/event-search.sql';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Turns validated query parameters into the search the repository runs, and the
 * `filters_applied` of the answer (the filters given, as given). Pure, so unit-tested.
 *
 * Dates bound start_date: `from` is inclusive (a date means 00:00 UTC of that day); `to` is
 * inclusive too, and a date alone covers that whole day (start_date < the next day's 00:00 UTC).
 */
export function toEventSearch(query: SearchEventsQuery): { search: EventSearch; filtersApplied: FiltersAppliedDto } {
  const search: EventSearch = {
    descending: query.sort === '-start_date',
    offset: pageOffset(query),
    limit: query.limit,
  };
  const filtersApplied: FiltersAppliedDto = {};
  if (query.city !== undefined) search.city = filtersApplied.city = query.city;
  if (query.event_type !== undefined) search.eventType = filtersApplied.event_type = query.event_type;
  if (query.status !== undefined) search.status = filtersApplied.status = query.status;
  if (query.from !== undefined) {
    search.startFrom = parseIsoInstant(query.from)!.date;
    filtersApplied.from = query.from;
  }
  if (query.to !== undefined) {
    const to = parseIsoInstant(query.to)!;
    search.startTo = to.dateOnly ? { at: new Date(to.date.getTime() + DAY_MS), inclusive: false } : { at: to.date, inclusive: true };
    filtersApplied.to = query.to;
  }
  if (query.q !== undefined) search.nameContains = filtersApplied.q = query.q;
  if (search.startFrom && search.startTo) {
    const lastIncluded = search.startTo.inclusive ? search.startTo.at.getTime() : search.startTo.at.getTime() - 1;
    if (search.startFrom.getTime() > lastIncluded) {
      throw badRequest('from must not be after to', 'INVALID_DATE_RANGE', { from: query.from, to: query.to });
    }
  }
  return { search, filtersApplied };
}
