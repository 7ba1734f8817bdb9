import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildEventSearchSql } from '../src/repositories/event-search.sql';
import { createEvent, createVenue } from './factories';
import { query } from '@etsr/platform/testing';
import { ADMIN_TOKEN, CatalogServiceUnderTest, EXPIRED_ADMIN_TOKEN, USER_TOKEN, startCatalogServiceForTest } from './harness';

/**
 * The documented example answer of the search, field for field. Its dates are ten years later than
 * the document's (2025): a new event cannot be created in the past, and one whose dates have
 * passed is COMPLETED, not UPCOMING.
 */
const SEARCH_EXAMPLE = {
  events: [
    {
      event_id: 1,
      venue_id: 1,
      venue_name: 'Madison Square Garden',
      name: 'Rock Concert 2025',
      description: 'Annual rock music festival featuring top artists',
      event_type: 'CONCERT',
      start_date: '2035-12-01T19:00:00Z',
      end_date: '2035-12-01T23:00:00Z',
      status: 'UPCOMING',
      total_seats: 20000,
      available_seats: 18500,
      base_price: 75.0,
      city: 'New York',
    },
  ],
  total_count: 1,
  filters_applied: {
    city: 'New York',
    event_type: 'CONCERT',
    status: 'UPCOMING',
  },
};

describe('GET /v1/events/search', () => {
  let svc: CatalogServiceUnderTest;
  /** Event ids by a short name, in creation order (Rock Concert 2025 is event 1). */
  const id: Record<string, number> = {};

  before(async () => {
    svc = await startCatalogServiceForTest();
    // Venue 1 and event 1 are those of the walkthrough and the example answer.
    const msg = await createVenue(svc.api, {
      name: 'Madison Square Garden', address: '4 Pennsylvania Plaza', city: 'New York', state: 'NY', country: 'USA', postal_code: null, capacity: 20000, venue_type: 'ARENA',
      facilities: { parking: true, wifi: true, food_court: true, accessible: true },
    });
    const wembley = await createVenue(svc.api, { name: 'Wembley Stadium', address: 'Wembley, London', city: 'London', state: null, country: 'UK', capacity: 90000, venue_type: 'STADIUM' });
    const chicago = await createVenue(svc.api, { name: 'Chicago Theatre', address: '175 N State St', city: 'Chicago', state: 'IL', country: 'USA', capacity: 3600, venue_type: 'THEATER' });
    const add = async (key: string, venueId: number, fields: Record<string, unknown>) => {
      id[key] = (await createEvent(svc.api, venueId, fields)).event_id;
    };
    await add('rock', msg.venue_id, {
      name: 'Rock Concert 2025', description: 'Annual rock music festival featuring top artists', event_type: 'CONCERT',
      start_date: '2035-12-01T19:00:00Z', end_date: '2035-12-01T23:00:00Z', total_seats: 20000, base_price: 75.0,
    });
    await add('final', wembley.venue_id, { name: 'Champions League Final', event_type: 'SPORTS', start_date: '2035-06-15T20:00:00Z', end_date: '2035-06-15T22:30:00Z', total_seats: 90000, base_price: 120 });
    await add('knicks', msg.venue_id, { name: 'Knicks vs Celtics', event_type: 'SPORTS', start_date: '2035-12-05T00:30:00Z', end_date: '2035-12-05T03:00:00Z' });
    await add('jazz', msg.venue_id, { name: 'Jazz Night 2025', event_type: 'CONCERT', status: 'COMPLETED', start_date: '2035-11-25T20:00:00Z', end_date: '2035-11-25T23:30:00Z' });
    await add('hamilton', chicago.venue_id, { name: 'Hamilton', event_type: 'THEATER', start_date: '2035-12-01T19:00:00Z', end_date: '2035-12-01T22:00:00Z' });
    await add('summit', chicago.venue_id, { name: 'Tech Summit 2026', event_type: 'CONFERENCE', status: 'CANCELLED', start_date: '2036-03-10T09:00:00Z', end_date: '2036-03-10T17:00:00Z' });
    await add('hits', wembley.venue_id, { name: '100% Rock_Hits', event_type: 'CONCERT', start_date: '2036-01-10T19:00:00Z', end_date: '2036-01-10T22:00:00Z' });
    await add('live', wembley.venue_id, { name: 'Rock Hits Live', event_type: 'CONCERT', start_date: '2036-02-01T19:00:00Z', end_date: '2036-02-01T22:00:00Z' });
    // 1,500 seats of the rock concert have been sold, as in the example answer.
    await svc.sql('UPDATE events SET available_seats = 18500 WHERE event_id = $1', [id.rock]);
  });
  after(() => svc.stop());

  const ids = (body: { events: { event_id: number }[] }) => body.events.map((e) => e.event_id);
  const search = async (qs: string) => {
    const res = await svc.api.get(`/v1/events/search?${qs}`);
    assert.equal(res.status, 200, `${qs}: ${res.text}`);
    return res.body;
  };
  const expectIds = async (qs: string, keys: string[]) => {
    const body = await search(qs);
    assert.deepEqual(ids(body), keys.map((k) => id[k]), qs);
    assert.equal(body.total_count, keys.length, `${qs} total_count`);
    return body;
  };
  /** Every event in start_date order, ties by event_id. */
  const ALL = ['final', 'jazz', 'rock', 'hamilton', 'knicks', 'hits', 'live', 'summit'];

  it('answers the documented search request exactly as the example shows, field for field', async () => {
    assert.equal(id.rock, 1);
    const res = await svc.api.get('/v1/events/search?city=New%20York&event_type=CONCERT&status=UPCOMING');
    assert.equal(res.status, 200);
    const { page, limit, events, ...rest } = res.body;
    assert.deepEqual([page, limit], [1, 20]);
    assert.deepEqual(Object.keys(res.body), ['events', 'total_count', 'filters_applied', 'page', 'limit']);
    // Beyond the example's fields each event carries only created_at and updated_at.
    const [event] = events;
    const { created_at, updated_at, ...documented } = event;
    assert.ok(!Number.isNaN(Date.parse(created_at)) && !Number.isNaN(Date.parse(updated_at)));
    assert.deepEqual({ ...rest, events: [documented] }, SEARCH_EXAMPLE);
    // Same key order as the example, too.
    assert.deepEqual(Object.keys(documented), Object.keys(SEARCH_EXAMPLE.events[0]));
    assert.match(res.text, /"base_price":75[,}]/);
  });

  it('answers the walkthrough browse request (step 3) with or without a token, even an expired or garbage one', async () => {
    const expected = await expectIds('city=New%20York&status=UPCOMING', ['rock', 'knicks']);
    assert.deepEqual(expected.filters_applied, { city: 'New York', status: 'UPCOMING' });
    for (const token of ['garbage', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...', EXPIRED_ADMIN_TOKEN, USER_TOKEN, ADMIN_TOKEN]) {
      const res = await svc.api.get('/v1/events/search?city=New%20York&status=UPCOMING', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, token);
      assert.deepEqual(res.body, expected);
    }
  });

  it('filters by the venue city, case-insensitively, whole city names only', async () => {
    for (const city of ['New%20York', 'new%20york', 'NEW+YORK', '%20New%20York%20']) {
      await expectIds(`city=${city}`, ['jazz', 'rock', 'knicks']);
    }
    await expectIds('city=New', []);
    await expectIds('city=York', []);
    await expectIds('city=London', ['final', 'hits', 'live']);
    assert.deepEqual((await search('city=%20new%20york')).filters_applied, { city: 'new york' });
  });

  it('filters by event type', async () => {
    await expectIds('event_type=SPORTS', ['final', 'knicks']);
    await expectIds('event_type=THEATER', ['hamilton']);
    await expectIds('event_type=CONFERENCE', ['summit']);
    await expectIds('event_type=CONCERT', ['jazz', 'rock', 'hits', 'live']);
  });

  it('filters by status', async () => {
    await expectIds('status=COMPLETED', ['jazz']);
    await expectIds('status=CANCELLED', ['summit']);
    await expectIds('status=ONGOING', []);
    await expectIds('status=UPCOMING', ['final', 'rock', 'hamilton', 'knicks', 'hits', 'live']);
  });

  it('filters by start date: from and to are inclusive, a date alone means the whole day (UTC)', async () => {
    await expectIds('from=2035-12-01', ['rock', 'hamilton', 'knicks', 'hits', 'live', 'summit']);
    await expectIds('to=2035-12-01', ['final', 'jazz', 'rock', 'hamilton']);
    await expectIds('from=2035-12-01&to=2035-12-01', ['rock', 'hamilton']);
    await expectIds('from=2035-12-01T19:00:00Z&to=2035-12-01T19:00:00Z', ['rock', 'hamilton']);
    await expectIds('from=2035-12-01T19:00:01Z', ['knicks', 'hits', 'live', 'summit']);
    await expectIds('to=2035-12-01T18:59:59Z', ['final', 'jazz']);
    await expectIds('from=2035-12-01T20:00:00%2B01:00&to=2035-12-01T19:00', ['rock', 'hamilton']);
    await expectIds('from=2036-01-01&to=2036-12-31', ['hits', 'live', 'summit']);
  });

  it('searches the name for a case-insensitive substring; LIKE wildcards and SQL are plain text', async () => {
    await expectIds('q=rock', ['rock', 'hits', 'live']);
    await expectIds('q=ROCK%20C', ['rock']);
    await expectIds('q=%25', ['hits']);
    await expectIds('q=_', ['hits']);
    await expectIds('q=k_H', ['hits']);
    await expectIds('q=100%25%20r', ['hits']);
    for (const q of ["'%20OR%201=1%20--", '%5C', '%25%25%25x', 'zzz']) await expectIds(`q=${q}`, []);
  });

  it('combines filters with AND and echoes exactly the filters given in filters_applied', async () => {
    await expectIds('city=London&event_type=CONCERT', ['hits', 'live']);
    await expectIds('city=new%20york&event_type=SPORTS&from=2035-12-02', ['knicks']);
    await expectIds('status=UPCOMING&q=rock&to=2035-12-31', ['rock']);
    await expectIds('city=Chicago&status=UPCOMING&event_type=THEATER&from=2035-01-01&to=2035-12-31&q=ham', ['hamilton']);
    const body = await search('city=Chicago&status=UPCOMING&event_type=THEATER&from=2035-01-01&to=2035-12-31T23:00:00Z&q=ham&page=1&limit=5&sort=-start_date');
    assert.deepEqual(body.filters_applied, { city: 'Chicago', event_type: 'THEATER', status: 'UPCOMING', from: '2035-01-01', to: '2035-12-31T23:00:00Z', q: 'ham' });
    assert.deepEqual((await search('')).filters_applied, {});
    assert.deepEqual((await search('page=2&sort=-start_date')).filters_applied, {});
  });

  it('sorts by start date ascending by default, descending with sort=-start_date, then by event_id', async () => {
    await expectIds('', ALL);
    await expectIds('sort=start_date', ALL);
    // rock and hamilton start together: rock (lower id) first ascending, last descending.
    await expectIds('sort=-start_date', [...ALL].reverse());
  });

  it('pages with page and limit; total_count counts every match', async () => {
    const pages = [];
    for (let page = 1; page <= 4; page++) {
      const body = await search(`limit=3&page=${page}`);
      assert.equal(body.total_count, 8);
      assert.deepEqual([body.page, body.limit], [page, 3]);
      pages.push(...ids(body));
    }
    assert.deepEqual(pages, ALL.map((k) => id[k]));
    const filtered = await search('event_type=CONCERT&limit=1&page=2');
    assert.deepEqual([ids(filtered), filtered.total_count], [[id.rock], 4]);
    const beyond = await search('page=99');
    assert.deepEqual([beyond.events, beyond.total_count], [[], 8]);
  });

  it('clamps limit to 100', async () => {
    const body = await search('limit=100000');
    assert.equal(body.limit, 100);
    assert.equal(body.events.length, 8);
  });

  it('GET /v1/events lists the same way, with the same filters', async () => {
    const list = await svc.api.get('/v1/events?limit=3&page=2');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, await search('limit=3&page=2'));
    const filtered = await svc.api.get('/v1/events?city=London&event_type=CONCERT', { token: 'garbage' });
    assert.deepEqual(ids(filtered.body), [id.hits, id.live]);
    assert.equal((await svc.api.get('/v1/events?status=nope')).status, 400);
  });

  describe('invalid filters are a 400 with the error body', () => {
    const cases = [
      'event_type=OPERA', 'event_type=concert', 'status=DONE', 'status=',
      'from=2035-13-01', 'from=yesterday', 'from=2035-02-30', 'to=2035-12-01T25:00:00Z', 'from=1733079600000', 'to=2035-12-01T19:00:00%2B24:00',
      'from=2035-12-02&to=2035-12-01', 'from=2035-12-01T19:00:01Z&to=2035-12-01T19:00:00Z',
      'limit=0', 'limit=-1', 'limit=ten', 'page=0', 'page=1.5', 'sort=name', 'sort=start_date,name', 'sort=', 'city=', `city=${'x'.repeat(101)}`,
      'q=', `q=${'x'.repeat(201)}`, 'city=London&city=Paris', 'unknown=1', 'venue_id=1', 'filters_applied=1',
    ];
    for (const qs of cases) {
      it(`refuses ${qs.length > 60 ? `${qs.slice(0, 60)}…` : qs}`, async () => {
        const res = await svc.api.get(`/v1/events/search?${qs}`);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.statusCode, 400);
        assert.equal(typeof res.body.error, 'string');
        assert.equal(typeof res.body.message, 'string');
      });
    }

    it('from after to is 400 INVALID_DATE_RANGE', async () => {
      const res = await svc.api.get('/v1/events/search?from=2035-12-02&to=2035-12-01');
      assert.equal(res.body.error, 'INVALID_DATE_RANGE');
    });
  });

  it('each filter can use its index', async () => {
    const indexes = await svc.sql<{ indexname: string; indexdef: string }>(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('events', 'venues')`);
    const byName = Object.fromEntries(indexes.map((i) => [i.indexname, i.indexdef]));
    assert.match(byName.venues_city_lower_idx, /lower\(\(city\)::text\)/);
    assert.match(byName.events_name_trgm_idx, /USING gin \(lower\(\(name\)::text\) gin_trgm_ops\)/);
    for (const name of ['events_event_type_idx', 'events_status_idx', 'events_start_date_idx']) assert.ok(byName[name], name);

    const plans: [string, Parameters<typeof buildEventSearchSql>[0]][] = [
      ['venues_city_lower_idx', { city: 'New York', descending: false, offset: 0, limit: 20 }],
      ['events_event_type_idx', { eventType: 'SPORTS', descending: false, offset: 0, limit: 20 }],
      ['events_status_idx', { status: 'CANCELLED', descending: false, offset: 0, limit: 20 }],
      ['events_start_date_idx', { startFrom: new Date('2036-01-01T00:00:00Z'), descending: false, offset: 0, limit: 20 }],
      ['events_name_trgm_idx', { nameContains: 'rock', descending: false, offset: 0, limit: 20 }],
    ];
    for (const [index, search] of plans) {
      const { where, params } = buildEventSearchSql(search);
      // Tiny tables are scanned whole anyway; forbidding that shows whether the index can serve the condition.
      const rows = await query<{ 'QUERY PLAN': string }>(
        svc.db.url,
        `EXPLAIN SELECT e.event_id FROM events e JOIN venues v ON v.venue_id = e.venue_id ${where}`,
        params,
        { setup: 'SET enable_seqscan = off' },
      );
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, new RegExp(index), `${index} in\n${plan}`);
    }
  });
});
