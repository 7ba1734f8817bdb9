import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, metricValue } from '@etsr/platform/testing';
import { FakeSeating } from './fake-seating';
import { createEvent, createVenue, eventBody } from './factories';
import { ADMIN_TOKEN, CatalogServiceUnderTest, startCatalogServiceForTest } from './harness';

const QUIET = { LOG_LEVEL: 'fatal' };
const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
/** The demo's three tiers: 100 + 300 + 600 seats. */
const THREE_TIERS = [
  { name: 'VIP', rows: 5, seatsPerRow: 20, price: 150 },
  { name: 'PREMIUM', rows: 10, seatsPerRow: 30, price: 100 },
  { name: 'REGULAR', rows: 15, seatsPerRow: 40, price: 50 },
];

describe('a new event starts in the future', () => {
  let svc: CatalogServiceUnderTest;
  let venueId: number;
  before(async () => {
    svc = await startCatalogServiceForTest({ env: QUIET });
    venueId = (await createVenue(svc.api)).venue_id;
  });
  after(() => svc.stop());

  for (const [name, start_date, end_date] of [
    ['a year ago', '2025-12-01T19:00:00Z', '2025-12-01T23:00:00Z'],
    ['a minute ago, ending tomorrow', new Date(Date.now() - 60_000).toISOString(), hoursFromNow(24)],
  ]) {
    it(`refuses one that started ${name}: 400 EVENT_IN_PAST, nothing stored`, async () => {
      const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: eventBody(venueId, { name: `Past ${name}`, start_date, end_date }) });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, 'EVENT_IN_PAST');
      assert.match(res.body.message, /is in the past: a new event must start in the future/);
      assert.deepEqual(await svc.sql('SELECT 1 FROM events WHERE name = $1', [`Past ${name}`]), []);
    });
  }

  it('takes one that starts in an hour', async () => {
    const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: eventBody(venueId, { start_date: hoursFromNow(1), end_date: hoursFromNow(3) }) });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.status, 'UPCOMING');
  });
});

describe('events move UPCOMING → ONGOING → COMPLETED by their dates', () => {
  let svc: CatalogServiceUnderTest;
  let venueId: number;
  before(async () => {
    svc = await startCatalogServiceForTest({ env: { ...QUIET, EVENT_STATUS_INTERVAL_MS: '100' } });
    venueId = (await createVenue(svc.api)).venue_id;
  });
  after(() => svc.stop());

  const statusOf = async (id: number) => (await svc.api.get(`/v1/events/${id}`)).body.status as string;
  /** Moves an event's dates (a new event cannot be created in the past, so time is moved instead). */
  const setDates = (id: number, startHours: number, endHours: number) =>
    svc.sql(`UPDATE events SET start_date = now() + make_interval(hours => $2), end_date = now() + make_interval(hours => $3) WHERE event_id = $1`, [id, startHours, endHours]);

  it('an event whose start has come is ONGOING, whose end has passed COMPLETED; a future one stays UPCOMING', async () => {
    const future = await createEvent(svc.api, venueId);
    const running = await createEvent(svc.api, venueId);
    const over = await createEvent(svc.api, venueId);
    await setDates(running.event_id, -1, 2);
    await setDates(over.event_id, -3, -1);
    await eventually(async () => ((await statusOf(running.event_id)) === 'ONGOING' ? true : undefined), 5000, 'the running event ONGOING');
    await eventually(async () => ((await statusOf(over.event_id)) === 'COMPLETED' ? true : undefined), 5000, 'the past event COMPLETED');
    assert.equal(await statusOf(future.event_id), 'UPCOMING');
    // The ONGOING one ends: COMPLETED. Search by status sees the new statuses.
    await setDates(running.event_id, -2, -1);
    await eventually(async () => ((await statusOf(running.event_id)) === 'COMPLETED' ? true : undefined), 5000, 'the ended event COMPLETED');
    const upcoming = (await svc.api.get(`/v1/events/search?status=UPCOMING&limit=100`)).body.events.map((e: { event_id: number }) => e.event_id);
    assert.ok(upcoming.includes(future.event_id) && !upcoming.includes(running.event_id) && !upcoming.includes(over.event_id));
  });

  it('CANCELLED stays CANCELLED whatever its dates', async () => {
    const cancelled = await createEvent(svc.api, venueId, { status: 'CANCELLED' });
    const marker = await createEvent(svc.api, venueId);
    await setDates(cancelled.event_id, -3, -1);
    await setDates(marker.event_id, -3, -1);
    await eventually(async () => ((await statusOf(marker.event_id)) === 'COMPLETED' ? true : undefined), 5000, 'the marker COMPLETED');
    assert.equal(await statusOf(cancelled.event_id), 'CANCELLED');
  });

  it('two replicas on one database move each event once and agree', async () => {
    const second = await startCatalogServiceForTest({ database: svc.db, env: { ...QUIET, EVENT_STATUS_INTERVAL_MS: '50' } });
    try {
      const events = await Promise.all(Array.from({ length: 20 }, () => createEvent(svc.api, venueId)));
      await svc.sql(`UPDATE events SET start_date = now() - interval '1 hour', end_date = now() + interval '1 hour' WHERE event_id = ANY($1)`, [events.map((e) => e.event_id)]);
      await eventually(async () => {
        const rows = await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE event_id = ANY($1) AND status = 'ONGOING'`, [events.map((e) => e.event_id)]);
        return rows[0].n === events.length ? true : undefined;
      }, 5000, 'every event ONGOING');
    } finally {
      await second.stop();
    }
  });
});

describe('POST /v1/events with a seat_layout: the seats are created at seating', () => {
  let seating: FakeSeating;
  let svc: CatalogServiceUnderTest;
  let venueId: number;
  before(async () => {
    seating = new FakeSeating();
    const url = await seating.start();
    svc = await startCatalogServiceForTest({ env: { ...QUIET, SEATING_URL: url, OUTBOX_POLL_INTERVAL_MS: '100' } });
    venueId = (await createVenue(svc.api)).venue_id;
  });
  after(async () => {
    await svc.stop();
    await seating.stop();
  });

  /** An event body with the layout and without the factory's total_seats (overrides may add it back). */
  const withLayout = (overrides: Record<string, unknown> = {}) => {
    const { total_seats: _, ...body } = eventBody(venueId);
    return { ...body, seat_layout: THREE_TIERS, ...overrides };
  };
  const outboxStatus = async (eventId: number) => (await svc.sql<{ status: string }>(`SELECT status FROM outbox WHERE dedupe_key = $1`, [`seat-plan:${eventId}`]))[0]?.status;

  it('one call: the event (total_seats from the layout) and, within a moment, its seat plan, sent with the catalog\'s credential', async () => {
    const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: withLayout() });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.total_seats, 1000);
    assert.equal(res.body.available_seats, 1000);
    assert.equal('seat_layout' in res.body, false);
    const plan = await eventually(() => seating.plans.get(res.body.event_id), 5000, 'the seat plan at seating');
    assert.deepEqual(plan, { sections: THREE_TIERS, service: 'catalog' });
    await eventually(async () => ((await outboxStatus(res.body.event_id)) === 'SENT' ? true : undefined), 5000, 'the outbox message SENT');
  });

  it('total_seats may be given too, and must then be the layout\'s count (400 SEAT_COUNT_MISMATCH, nothing stored)', async () => {
    const agreeing = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: withLayout({ total_seats: 1000 }) });
    assert.equal(agreeing.status, 201, agreeing.text);
    const body = withLayout({ total_seats: 999, name: 'Mismatched' });
    const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'SEAT_COUNT_MISMATCH');
    assert.match(res.body.message, /total_seats is 999 but seat_layout has 1000 seats/);
    assert.deepEqual(await svc.sql(`SELECT 1 FROM events WHERE name = 'Mismatched'`), []);
  });

  it('a layout seating would refuse is refused here, before anything is stored', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['two sections of one name', [THREE_TIERS[0], { ...THREE_TIERS[1], name: 'VIP' }], /Section names must be unique/],
      ['one row label twice', [{ name: 'A', price: 10, rows: [{ label: 'X', seats: 5 }, { label: 'X', seats: 5 }] }], /Row labels must be unique/],
      ['no sections', [], /seat_layout/],
      ['a section without seatsPerRow', [{ name: 'VIP', rows: 5, price: 150 }], /seatsPerRow/],
      ['not a list', { VIP: 100 }, /seat_layout/],
    ];
    for (const [what, seat_layout, message] of cases) {
      const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: withLayout({ seat_layout, name: `Bad layout ${what}` }) });
      assert.equal(res.status, 400, `${what}: ${res.text}`);
      assert.match(res.body.message, message, what);
      assert.deepEqual(await svc.sql('SELECT 1 FROM events WHERE name = $1', [`Bad layout ${what}`]), [], what);
    }
  });

  it('while seating is away the event is created and its plan follows once seating is back', async () => {
    seating.down = true;
    try {
      const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: withLayout() });
      assert.equal(res.status, 201, res.text);
      const calls = seating.bulkCalls;
      await eventually(() => (seating.bulkCalls > calls ? true : undefined), 5000, 'a first delivery attempt');
      assert.equal(seating.plans.has(res.body.event_id), false);
      seating.down = false;
      await eventually(() => seating.plans.get(res.body.event_id), 10_000, 'the seat plan after seating is back');
    } finally {
      seating.down = false;
    }
  });

  it('seating refusing our credential (403): the plan is kept and retried, never DEAD, and arrives once that is fixed', async () => {
    seating.refusing = 403;
    try {
      const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: withLayout() });
      assert.equal(res.status, 201, res.text);
      const calls = seating.bulkCalls;
      await eventually(() => (seating.bulkCalls >= calls + 2 ? true : undefined), 10_000, 'two refused deliveries');
      assert.equal(await outboxStatus(res.body.event_id), 'PENDING');
      assert.ok((metricValue((await svc.api.get('/metrics')).text, 'peer_refusals_total', { peer: 'seating', status: '403' }) ?? 0) >= 2);
      seating.refusing = undefined;
      await eventually(() => seating.plans.get(res.body.event_id), 10_000, 'the seat plan once the credential is accepted');
    } finally {
      seating.refusing = undefined;
    }
  });

  it('a layout seating refuses for good is not retried forever: the message is DEAD', async () => {
    seating.bulkFailure = 400;
    try {
      const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: withLayout() });
      assert.equal(res.status, 201, res.text);
      await eventually(async () => ((await outboxStatus(res.body.event_id)) === 'DEAD' ? true : undefined), 5000, 'the outbox message DEAD');
    } finally {
      seating.bulkFailure = undefined;
    }
  });

  it('without total_seats and without seat_layout the body is refused (400 naming total_seats)', async () => {
    const { total_seats: _, ...body } = eventBody(venueId);
    const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body });
    assert.equal(res.status, 400);
    assert.match(res.body.message, /total_seats/);
  });
});

describe('a seat_layout needs a seating service', () => {
  let svc: CatalogServiceUnderTest;
  before(async () => {
    svc = await startCatalogServiceForTest({ env: QUIET });
  });
  after(() => svc.stop());

  it('without SEATING_URL it is 400 SEATING_NOT_CONFIGURED, saying what to do instead', async () => {
    const venueId = (await createVenue(svc.api)).venue_id;
    const res = await svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: eventBody(venueId, { seat_layout: THREE_TIERS }) });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'SEATING_NOT_CONFIGURED');
    assert.match(res.body.message, /POST \/v1\/seats\/bulk/);
    assert.deepEqual(await svc.sql('SELECT 1 FROM events'), []);
  });
});
