import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SMALL_LAYOUT, createPlan, newEventId, readSettled } from './factories';
import { SeatingUnderTest, adminToken, startSeatingForTest, userToken } from './harness';

describe('seat plans, availability and seat maps', () => {
  let svc: SeatingUnderTest;
  before(async () => {
    svc = await startSeatingForTest();
  });
  after(() => svc.stop());

  it('creates a plan from a layout (admin); the same layout again changes nothing', async () => {
    const eventId = newEventId();
    const body = { eventId, venueId: 1, sections: SMALL_LAYOUT };
    const first = await svc.api.post('/v1/seats/bulk', { token: adminToken(), body });
    assert.equal(first.status, 201);
    assert.deepEqual(first.body, { eventId, totalSeats: 100, created: 100 });
    const again = await svc.api.post('/v1/seats/bulk', { token: adminToken(), body: { ...body, sections: [...SMALL_LAYOUT].reverse().reverse() } });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { eventId, totalSeats: 100, created: 0 });
    assert.equal((await svc.api.get(`/v1/seats/availability?eventId=${eventId}`)).body.totalSeats, 100);
  });

  it('two identical layouts at once still make one plan', async () => {
    const eventId = newEventId();
    const body = { eventId, venueId: 1, sections: SMALL_LAYOUT };
    const results = await Promise.all([0, 1, 2, 3].map(() => svc.api.post('/v1/seats/bulk', { token: adminToken(), body })));
    assert.ok(results.every((r) => r.status === 201 || r.status === 200), results.map((r) => r.text).join());
    assert.equal(results.reduce((n, r) => n + r.body.created, 0), 100);
    assert.equal((await svc.api.get(`/v1/seats/availability?eventId=${eventId}`)).body.totalSeats, 100);
  });

  it('refuses a different layout for an event that has seats (409)', async () => {
    const plan = await createPlan(svc.api);
    const res = await svc.api.post('/v1/seats/bulk', {
      token: adminToken(),
      body: { eventId: plan.eventId, venueId: 1, sections: [{ name: 'VIP', rows: 2, seatsPerRow: 10, price: 175 }] },
    });
    assert.equal(res.status, 409);
    assert.equal(res.body.error, 'SEAT_PLAN_EXISTS');
  });

  it('only admins create plans', async () => {
    const body = { eventId: newEventId(), venueId: 1, sections: SMALL_LAYOUT };
    assert.equal((await svc.api.post('/v1/seats/bulk', { body })).status, 401);
    assert.equal((await svc.api.post('/v1/seats/bulk', { token: userToken(7), body })).status, 403);
  });

  for (const [name, sections] of [
    ['no sections', []],
    ['repeated section names', [SMALL_LAYOUT[0], SMALL_LAYOUT[0]]],
    ['zero rows', [{ name: 'VIP', rows: 0, seatsPerRow: 10, price: 1 }]],
    ['a negative price', [{ name: 'VIP', rows: 1, seatsPerRow: 10, price: -1 }]],
    ['a price with three decimals', [{ name: 'VIP', rows: 1, seatsPerRow: 10, price: 1.005 }]],
    ['a string for rows', [{ name: 'VIP', rows: '5', seatsPerRow: 10, price: 1 }]],
    ['a huge row count', [{ name: 'VIP', rows: 1e9, seatsPerRow: 10, price: 1 }]],
    ['over the seat limit', [{ name: 'A', rows: 200, seatsPerRow: 500, price: 1 }, { name: 'B', rows: 200, seatsPerRow: 500, price: 1 }]],
    ['an odd section name', [{ name: "VIP'; DROP TABLE seats;--", rows: 1, seatsPerRow: 1, price: 1 }]],
    ['an unknown field', [{ name: 'VIP', rows: 1, seatsPerRow: 1, price: 1, color: 'gold' }]],
  ] as const) {
    it(`refuses a layout with ${name} (400)`, async () => {
      const res = await svc.api.post('/v1/seats/bulk', { token: adminToken(), body: { eventId: newEventId(), venueId: 1, sections } });
      assert.equal(res.status, 400, res.text);
    });
  }

  it('answers availability in the shape of section 6.1, per section front to back', async () => {
    const plan = await createPlan(svc.api);
    const res = await svc.api.get(`/v1/seats/availability?eventId=${plan.eventId}`, { token: 'any-token-is-ignored' });
    assert.equal(res.status, 200);
    assert.deepEqual(
      { ...res.body, seatsBySection: res.body.seatsBySection.map((s: { section: string; totalSeats: number; availableSeats: number; price: number }) => [s.section, s.totalSeats, s.availableSeats, s.price]) },
      {
        eventId: plan.eventId,
        totalSeats: 100,
        availableSeats: 100,
        reservedSeats: 0,
        allocatedSeats: 0,
        blockedSeats: 0,
        seatsBySection: [
          ['VIP', 20, 20, 150],
          ['PREMIUM', 30, 30, 100],
          ['REGULAR', 50, 50, 50],
        ],
      },
    );
    const vip = await svc.api.get(`/v1/seats/availability?eventId=${plan.eventId}&section=VIP`);
    assert.equal(vip.body.totalSeats, 20);
  });

  it('lists every seat for a seat map, grouped by section and row', async () => {
    const plan = await createPlan(svc.api);
    const res = await svc.api.get(`/v1/seats?eventId=${plan.eventId}`);
    assert.deepEqual(res.body.seatFields, ['seatId', 'number', 'status', 'x']);
    assert.deepEqual(res.body.sections.map((s: { section: string }) => s.section), ['VIP', 'PREMIUM', 'REGULAR']);
    assert.deepEqual(res.body.sections[0].rows.map((r: { row: string }) => r.row), ['A', 'B']);
    assert.deepEqual(res.body.sections[0].rows[0].seats[0], [plan.ids['VIP-A-1'], '1', 'AVAILABLE', -4.5]);
    assert.equal(res.body.totalSeats, 100);
  });

  it('a 20,000-seat map stays compact', async () => {
    const plan = await createPlan(svc.api, [{ name: 'FLOOR', rows: 100, seatsPerRow: 200, price: 80 }]);
    const res = await svc.api.get(`/v1/seats?eventId=${plan.eventId}`);
    assert.equal(res.body.totalSeats, 20000);
    assert.ok(res.text.length < 800_000, `${res.text.length} bytes`);
  });

  it('shows one seat', async () => {
    const plan = await createPlan(svc.api);
    const res = await svc.api.get(`/v1/seats/${plan.ids['PREMIUM-C-4']}`);
    assert.deepEqual(res.body, {
      seatId: plan.ids['PREMIUM-C-4'],
      eventId: plan.eventId,
      venueId: 1,
      section: 'PREMIUM',
      row: 'C',
      number: '4',
      price: 100,
      status: 'AVAILABLE',
      position: { x: -1.5, y: 2 },
    });
  });

  it('unknown events and seats are 404; ids that are not ids are 400', async () => {
    assert.equal((await svc.api.get('/v1/seats/availability?eventId=999999')).body.error, 'EVENT_NOT_FOUND');
    assert.equal((await svc.api.get('/v1/seats?eventId=999999')).status, 404);
    assert.equal((await svc.api.get('/v1/seats/99999999')).status, 404);
    for (const q of ['eventId=abc', 'eventId=-1', 'eventId=0', 'eventId=1.5', 'eventId=99999999999999999999', '', 'eventId=1&foo=bar']) {
      assert.equal((await svc.api.get(`/v1/seats/availability?${q}`)).status, 400, q);
    }
    assert.equal((await svc.api.get('/v1/seats/abc')).status, 400);
  });

  it('blocks a free seat and unblocks it (admin); a held seat cannot be blocked', async () => {
    const plan = await createPlan(svc.api);
    const seat = plan.ids['VIP-A-1'];
    assert.equal((await svc.api.put(`/v1/seats/${seat}/block`, { token: userToken(3) })).status, 403);
    const blocked = await svc.api.put(`/v1/seats/${seat}/block`, { token: adminToken() });
    assert.equal(blocked.status, 200);
    assert.equal(blocked.body.status, 'BLOCKED');
    await readSettled(svc.api, `/v1/seats/availability?eventId=${plan.eventId}`, (a) => a.blockedSeats === 1);
    const reserve = await svc.api.post('/v1/seats/reserve', { token: userToken(3), body: { eventId: plan.eventId, seatIds: [seat] } });
    assert.equal(reserve.status, 409);
    assert.equal((await svc.api.put(`/v1/seats/${seat}/unblock`, { token: adminToken() })).body.status, 'AVAILABLE');

    const held = plan.ids['VIP-A-2'];
    assert.equal((await svc.api.post('/v1/seats/reserve', { token: userToken(3), body: { eventId: plan.eventId, seatIds: [held] } })).status, 201);
    const refused = await svc.api.put(`/v1/seats/${held}/block`, { token: adminToken() });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error, 'SEAT_NOT_BLOCKABLE');
  });
});

describe('seat plans checked against the catalog', () => {
  let catalog: Server;
  let svc: SeatingUnderTest;
  before(async () => {
    catalog = createServer((req, res) => {
      const m = /^\/v1\/events\/(\d+)$/.exec(req.url ?? '');
      if (m && Number(m[1]) === 4242) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ event_id: 4242, venue_id: 7, name: 'Jazz Night' }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 404, error: 'EVENT_NOT_FOUND' }));
      }
    });
    await new Promise<void>((r) => catalog.listen(0, '127.0.0.1', r));
    svc = await startSeatingForTest({ CATALOG_URL: `http://127.0.0.1:${(catalog.address() as AddressInfo).port}` });
  });
  after(async () => {
    await svc.stop();
    await new Promise<void>((r) => catalog.close(() => r()));
  });

  it('takes the venue from the catalog event', async () => {
    const res = await svc.api.post('/v1/seats/bulk', { token: adminToken(), body: { eventId: 4242, sections: SMALL_LAYOUT } });
    assert.equal(res.status, 201, res.text);
    const map = await svc.api.get('/v1/seats?eventId=4242');
    const seat = await svc.api.get(`/v1/seats/${map.body.sections[0].rows[0].seats[0][0]}`);
    assert.equal(seat.body.venueId, 7);
  });

  it('refuses an event the catalog does not know (404) and a wrong venue (400)', async () => {
    const unknown = await svc.api.post('/v1/seats/bulk', { token: adminToken(), body: { eventId: 5, sections: SMALL_LAYOUT } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'EVENT_NOT_FOUND');
    const wrong = await svc.api.post('/v1/seats/bulk', { token: adminToken(), body: { eventId: 4242, venueId: 8, sections: SMALL_LAYOUT } });
    assert.equal(wrong.status, 400);
  });
});
