import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { SearchEventsQuery } from '../dtos/event.dto';
import { toEventSearch } from './event-search';

/** The query as the validation pipe hands it over (converted, defaults applied), or its errors. */
function parse(q: Record<string, string>) {
  const query = plainToInstance(SearchEventsQuery, q);
  const errors = validateSync(query, { whitelist: true, forbidNonWhitelisted: true });
  return { query, errors: errors.map((e) => e.property) };
}

describe('toEventSearch', () => {
  it('without filters: everything, ascending, first page of 20, nothing applied', () => {
    const { search, filtersApplied } = toEventSearch(parse({}).query);
    assert.deepEqual(search, { descending: false, offset: 0, limit: 20 });
    assert.deepEqual(filtersApplied, {});
  });

  it('carries each filter, and echoes the filters as given (city trimmed)', () => {
    const { query, errors } = parse({ city: ' New York ', event_type: 'CONCERT', status: 'UPCOMING', q: 'rock', page: '3', limit: '10', sort: '-start_date' });
    assert.deepEqual(errors, []);
    const { search, filtersApplied } = toEventSearch(query);
    assert.deepEqual(search, { city: 'New York', eventType: 'CONCERT', status: 'UPCOMING', nameContains: 'rock', descending: true, offset: 20, limit: 10 });
    assert.deepEqual(filtersApplied, { city: 'New York', event_type: 'CONCERT', status: 'UPCOMING', q: 'rock' });
  });

  it('a date bounds the whole day; a date-time is an instant; both ends inclusive', () => {
    const days = toEventSearch(parse({ from: '2025-12-01', to: '2025-12-31' }).query);
    assert.deepEqual(days.search.startFrom, new Date('2025-12-01T00:00:00Z'));
    assert.deepEqual(days.search.startTo, { at: new Date('2026-01-01T00:00:00Z'), inclusive: false });
    assert.deepEqual(days.filtersApplied, { from: '2025-12-01', to: '2025-12-31' });
    const instants = toEventSearch(parse({ from: '2025-12-01T19:00:00+01:00', to: '2025-12-01T19:00:00Z' }).query);
    assert.deepEqual(instants.search.startFrom, new Date('2025-12-01T18:00:00Z'));
    assert.deepEqual(instants.search.startTo, { at: new Date('2025-12-01T19:00:00Z'), inclusive: true });
  });

  it('from may equal to, and may fall on the day given as to; later is 400 INVALID_DATE_RANGE', () => {
    assert.doesNotThrow(() => toEventSearch(parse({ from: '2025-12-01', to: '2025-12-01' }).query));
    assert.doesNotThrow(() => toEventSearch(parse({ from: '2025-12-01T23:59:59.999Z', to: '2025-12-01' }).query));
    assert.doesNotThrow(() => toEventSearch(parse({ from: '2025-12-01T10:00:00Z', to: '2025-12-01T10:00:00Z' }).query));
    for (const [from, to] of [['2025-12-02', '2025-12-01'], ['2025-12-02T00:00:00Z', '2025-12-01'], ['2025-12-01T10:00:01Z', '2025-12-01T10:00:00Z']]) {
      assert.throws(() => toEventSearch(parse({ from, to }).query), (e: { status?: number; code?: string }) => e.status === 400 && e.code === 'INVALID_DATE_RANGE', `${from} ${to}`);
    }
  });

  it('the query class refuses invalid filters and unknown parameters', () => {
    const invalid: Record<string, string>[] = [
      { event_type: 'OPERA' }, { status: 'done' }, { from: '2025-02-30' }, { to: 'soon' }, { sort: 'name' }, { city: '' }, { q: '   ' }, { limit: '0' }, { x: '1' },
    ];
    for (const q of invalid) {
      assert.ok(parse(q).errors.length > 0, JSON.stringify(q));
    }
    assert.equal(parse({ limit: '1000' }).query.limit, 100);
  });
});
