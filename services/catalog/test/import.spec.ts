import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, CatalogServiceUnderTest, USER_TOKEN, startCatalogServiceForTest } from './harness';

const venue = (n: number, overrides: Record<string, unknown> = {}) => ({
  externalRef: `test:venues:${n}`, name: `Venue ${n}`, address: 'Pune', city: 'Pune', country: 'India', capacity: 500, venue_type: 'OTHER', ...overrides,
});
const event = (n: number, venueId: number, overrides: Record<string, unknown> = {}) => ({
  externalRef: `test:events:${n}`, venue_id: venueId, name: `Concert #${n}`, event_type: 'CONCERT',
  start_date: '2024-05-19T10:38:35Z', end_date: '2024-05-19T13:38:35Z', status: 'COMPLETED', total_seats: 120, base_price: 492.51, ...overrides,
});

describe('POST /internal/v1/import/venues and /events', () => {
  let svc: CatalogServiceUnderTest;
  before(async () => {
    svc = await startCatalogServiceForTest();
  });
  after(() => svc.stop());

  it('creates venues and past events with their status once; a second run finds them', async () => {
    const venues = await svc.api.post('/internal/v1/import/venues', { token: ADMIN_TOKEN, body: { venues: [venue(1), venue(2)] } });
    assert.equal(venues.status, 200, venues.text);
    assert.deepEqual([venues.body.created, venues.body.present], [2, 0]);
    const venueId = venues.body.rows[0].id;
    const body = { events: [event(1, venueId), event(2, venueId, { status: 'CANCELLED' }), event(3, venueId, { status: 'UPCOMING', start_date: '2030-01-01T19:00:00Z', end_date: '2030-01-01T22:00:00Z' })] };
    const events = await svc.api.post('/internal/v1/import/events', { token: ADMIN_TOKEN, body });
    assert.equal(events.status, 200, events.text);
    assert.equal(events.body.created, 3);
    const shown = await svc.api.get(`/v1/events/${events.body.rows[0].id}`);
    assert.equal(shown.body.status, 'COMPLETED');
    assert.equal(shown.body.start_date, '2024-05-19T10:38:35Z');

    const again = await svc.api.post('/internal/v1/import/events', { token: ADMIN_TOKEN, body });
    assert.deepEqual([again.body.created, again.body.present], [0, 3]);
    assert.deepEqual(again.body.rows.map((r: { id: number }) => r.id), events.body.rows.map((r: { id: number }) => r.id));
    const venuesAgain = await svc.api.post('/internal/v1/import/venues', { token: ADMIN_TOKEN, body: { venues: [venue(1), venue(2)] } });
    assert.deepEqual([venuesAgain.body.created, venuesAgain.body.present], [0, 2]);
  });

  it('the same batch twice at once creates each row once', async () => {
    const body = { venues: Array.from({ length: 30 }, (_, i) => venue(100 + i)) };
    const [a, b] = await Promise.all([1, 2].map(() => svc.api.post('/internal/v1/import/venues', { token: ADMIN_TOKEN, body })));
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.body.created + b.body.created, 30);
    assert.deepEqual(a.body.rows.map((r: { id: number }) => r.id), b.body.rows.map((r: { id: number }) => r.id));
    const [{ n }] = await svc.sql<{ n: string }>(`SELECT count(*) AS n FROM venues WHERE external_ref LIKE 'test:venues:1__'`);
    assert.equal(Number(n), 30);
  });

  it('refuses bad rows with 4xx and writes nothing of the batch; only admins may import', async () => {
    const [{ venue_id }] = await svc.sql<{ venue_id: string }>(`SELECT venue_id FROM venues LIMIT 1`);
    const unknownVenue = await svc.api.post('/internal/v1/import/events', { token: ADMIN_TOKEN, body: { events: [event(50, Number(venue_id)), event(51, 999999)] } });
    assert.equal(unknownVenue.status, 404);
    assert.equal(unknownVenue.body.error, 'VENUE_NOT_FOUND');
    assert.equal((await svc.sql(`SELECT 1 FROM events WHERE external_ref = 'test:events:50'`)).length, 0);
    const badType = await svc.api.post('/internal/v1/import/events', { token: ADMIN_TOKEN, body: { events: [event(52, Number(venue_id), { event_type: 'Concert' })] } });
    assert.equal(badType.status, 400);
    const badDates = await svc.api.post('/internal/v1/import/events', { token: ADMIN_TOKEN, body: { events: [event(53, Number(venue_id), { end_date: '2024-05-19T09:00:00Z' })] } });
    assert.equal(badDates.status, 400);
    assert.equal((await svc.api.post('/internal/v1/import/venues', { token: USER_TOKEN, body: { venues: [venue(60)] } })).status, 403);
  });
});
