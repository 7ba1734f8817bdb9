import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { metricValue } from '@etsr/platform/testing';
import { SHAPED_LAYOUT, SMALL_LAYOUT, createPlan, newEventId, readSettled } from './factories';
import { SeatsRepository } from '../src/repositories/seats.repository';
import { EventLayout } from '../src/services/event-layout';
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
    // Found by openapi-fuzz.spec.ts: the decimals check threw on exponent form (a 500).
    ['a tiny price (5e-324)', [{ name: 'VIP', rows: 1, seatsPerRow: 10, price: 5e-324 }]],
    ['a price of 1e-7', [{ name: 'VIP', rows: 1, seatsPerRow: 10, price: 1e-7 }]],
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

  it('answers availability in the documented shape, per section front to back', async () => {
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

describe('seat plans shaped like real venues', () => {
  let svc: SeatingUnderTest;
  before(async () => {
    svc = await startSeatingForTest();
  });
  after(() => svc.stop());

  const bulk = (body: object) => svc.api.post('/v1/seats/bulk', { token: adminToken(), body });
  const best = (eventId: number, userId: number, quantity: number) =>
    svc.api.post('/v1/seats/reserve', { token: userToken(userId), body: { eventId, quantity } });
  const numbers = (body: { seats: { row: string; number: string }[] }) => body.seats.map((s) => `${s.row}${s.number}`).sort();
  /** The runs of free seats best available chooses from, as the allocator cuts them. */
  async function freeRuns(eventId: number, quantity: number, section?: string) {
    const seats = svc.app.app.get(SeatsRepository);
    const layout = new EventLayout(await seats.layoutOf(eventId));
    const runs = layout.runs(new Set(await seats.freeSeatIds(eventId)));
    return runs.filter((r) => r.last - r.first + 1 >= quantity && (section === undefined || r.section === section));
  }

  it('creates a plan with rows of different lengths, own labels and aisles, each seat placed for drawing', async () => {
    const eventId = newEventId();
    const res = await bulk({ eventId, venueId: 1, sections: SHAPED_LAYOUT });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body, { eventId, totalSeats: 20, created: 20 });

    const map = await svc.api.get(`/v1/seats?eventId=${eventId}`);
    const rows = map.body.sections.flatMap((s: { section: string; rows: { row: string; y: number; seats: [number, string, string, number][] }[] }) =>
      s.rows.map((r) => [s.section, r.row, r.y, r.seats.map(([, n, , x]) => `${n}@${x}`).join(' ')]),
    );
    assert.deepEqual(rows, [
      ['STALLS', 'A', 0, '1@-1.5 2@-0.5 3@0.5 4@1.5'],
      // An aisle after seat 3 is one seat wide: the row is 7 seats wide, centred on the aisle.
      ['STALLS', 'B', 1, '1@-3 2@-2 3@-1 4@1 5@2 6@3'],
      ['STALLS', 'AA', 2, '1@-4 2@-3 3@-1 4@0 5@1 6@3 7@4'],
      ['BALCONY', 'D', 3, '1@-1 2@0 3@1'],
    ]);
    const seat = await svc.api.get(`/v1/seats/${map.body.sections[0].rows[2].seats[5][0]}`);
    assert.deepEqual([seat.body.row, seat.body.number, seat.body.position], ['AA', '6', { x: 3, y: 2 }]);
  });

  it('the same shaped plan again changes nothing (200, created 0); a moved aisle is a different plan (409)', async () => {
    const eventId = newEventId();
    assert.equal((await bulk({ eventId, venueId: 1, sections: SHAPED_LAYOUT })).status, 201);
    const again = await bulk({ eventId, venueId: 1, sections: structuredClone(SHAPED_LAYOUT) });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, { eventId, totalSeats: 20, created: 0 });

    const moved = structuredClone(SHAPED_LAYOUT);
    moved[0].rows[1].aisles = [2];
    const refused = await bulk({ eventId, venueId: 1, sections: moved });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.error, 'SEAT_PLAN_EXISTS');
    const dropped = structuredClone(SHAPED_LAYOUT);
    delete dropped[0].rows[2].aisles;
    assert.equal((await bulk({ eventId, venueId: 1, sections: dropped })).status, 409);
    assert.equal((await svc.api.get(`/v1/seats/availability?eventId=${eventId}`)).body.totalSeats, 20);
  });

  it('two different plans sent at once: one is created, the other refused, never a mix', async () => {
    const eventId = newEventId();
    const other = structuredClone(SHAPED_LAYOUT);
    other[0].rows[1].aisles = [1, 4];
    const results = await Promise.all([SHAPED_LAYOUT, other, SHAPED_LAYOUT, other].map((sections) => bulk({ eventId, venueId: 1, sections })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 201, 409, 409], results.map((r) => r.text).join());
    const winner = results.find((r) => r.status === 201)!;
    assert.equal(winner.body.created, 20);
    const map = await svc.api.get(`/v1/seats?eventId=${eventId}`);
    const rowB = map.body.sections[0].rows[1].seats.map((s: [number, string, string, number]) => s[3]);
    // The x of every seat in row B comes from one of the two plans.
    assert.ok(['-3,-2,-1,1,2,3', '-3.5,-1.5,-0.5,0.5,2.5,3.5'].includes(rowB.join()), rowB.join());
  });

  it('best available never puts a block across an aisle', async () => {
    const eventId = newEventId();
    assert.equal((await bulk({ eventId, venueId: 1, sections: [{ name: 'BOX', price: 10, rows: [{ seats: 6, aisles: [3] }] }] })).status, 201);
    const pair = await best(eventId, 1, 2);
    assert.equal(pair.status, 201, pair.text);
    // The middle pair A3-A4 has the aisle between its seats.
    assert.ok(['A2,A3', 'A4,A5'].includes(numbers(pair.body).join()), numbers(pair.body).join());
    // No part of the row has four seats: nothing to offer, though four are free side by side across the aisle.
    const four = await best(eventId, 2, 4);
    assert.equal(four.status, 409, four.text);
    assert.equal((await svc.api.get(`/v1/seats/availability?eventId=${eventId}`)).body.availableSeats, 4);
  });

  it('best available counts a seat beside an aisle like one at the end of a row, so it strands no seat between taken ones', async () => {
    const eventId = newEventId();
    assert.equal((await bulk({ eventId, venueId: 1, sections: [{ name: 'BOX', price: 10, rows: [{ seats: 8, aisles: [4] }] }] })).status, 201);
    const map = await svc.api.get(`/v1/seats?eventId=${eventId}`);
    const id = (n: number) => map.body.sections[0].rows[0].seats[n - 1][0];
    assert.equal((await svc.api.post('/v1/seats/reserve', { token: userToken(9), body: { eventId, seatIds: [id(1), id(8)] } })).status, 201);
    // Free: 2-4 | 5-7. A3-A4 and A5-A6 are nearest the centre but strand A2 or A7 beside a taken
    // seat; A2-A3 and A6-A7 leave a seat beside the aisle, which anyone can still take.
    const pair = await best(eventId, 1, 2);
    assert.equal(pair.status, 201, pair.text);
    assert.ok(['A2,A3', 'A6,A7'].includes(numbers(pair.body).join()), numbers(pair.body).join());
  });

  it('free runs stop at aisles and carry their segment\'s first and last seats, taken ones included', async () => {
    const eventId = newEventId();
    assert.equal((await bulk({ eventId, venueId: 1, sections: SHAPED_LAYOUT })).status, 201);
    const map = await svc.api.get(`/v1/seats?eventId=${eventId}`);
    const rowB = map.body.sections[0].rows[1].seats.map((s: [number]) => s[0]);
    // Row B: 1 2 3 | 4 5 6, seats 2 and 6 taken.
    assert.equal((await svc.api.post('/v1/seats/reserve', { token: userToken(4), body: { eventId, seatIds: [rowB[1], rowB[5]] } })).status, 201);
    const runs = await freeRuns(eventId, 1, 'STALLS');
    assert.deepEqual(
      runs.filter((r) => r.rowLabel === 'B').map((r) => [r.first, r.last, r.segmentFirst, r.segmentLast, r.rowSize, r.seatIds, r.xs]),
      [
        [1, 1, 1, 3, 6, [rowB[0]], [-3]],
        [3, 3, 1, 3, 6, [rowB[2]], [-1]],
        [4, 5, 4, 6, 6, [rowB[3], rowB[4]], [1, 2]],
      ],
    );
    assert.deepEqual(runs.filter((r) => r.rowLabel === 'AA').map((r) => [r.first, r.last, r.segmentFirst, r.segmentLast]), [[1, 2, 1, 2], [3, 5, 3, 5], [6, 7, 6, 7]]);
    assert.deepEqual((await freeRuns(eventId, 3, 'STALLS')).map((r) => [r.rowLabel, r.first, r.last]), [['A', 1, 4], ['AA', 3, 5]]);
  });

  it('imported seats have no aisles: a row is one segment, from its lowest to its highest number', async () => {
    const eventId = newEventId();
    const seats = [3, 4, 5, 6].map((number) => ({ section: 'BOX', row: 'R1', number, price: 20 }));
    const imported = await svc.api.post('/internal/v1/import/seats', { token: adminToken(), body: { eventId, venueId: 1, seats } });
    assert.equal(imported.status, 200, imported.text);
    const runs = await freeRuns(eventId, 2);
    assert.deepEqual(runs.map((r) => [r.rowLabel, r.first, r.last, r.segmentFirst, r.segmentLast]), [['R1', 3, 6, 3, 6]]);
  });

  for (const [name, sections, says] of [
    ['no rows', [{ name: 'S', price: 1, rows: [] }], /rows must contain at least 1 elements/],
    ['a row of no seats', [{ name: 'S', price: 1, rows: [{ seats: 0 }] }], /seats must not be less than 1/],
    ['a row of 501 seats', [{ name: 'S', price: 1, rows: [{ seats: 501 }] }], /seats must not be greater than 500/],
    ['a row without seats', [{ name: 'S', price: 1, rows: [{ label: 'A' }] }], /seats is required/],
    ['a row that is not an object', [{ name: 'S', price: 1, rows: [5] }], /rows/],
    ['a null row', [{ name: 'S', price: 1, rows: [null] }], /rows/],
    ['201 rows', [{ name: 'S', price: 1, rows: Array.from({ length: 201 }, () => ({ seats: 1 })) }], /rows must contain no more than 200 elements/],
    ['an aisle after the last seat', [{ name: 'S', price: 1, rows: [{ seats: 6, aisles: [6] }] }], /aisles must be seat numbers in increasing order, each between 1 and 5/],
    ['an aisle before the first seat', [{ name: 'S', price: 1, rows: [{ seats: 6, aisles: [0] }] }], /between 1 and 5/],
    ['aisles out of order', [{ name: 'S', price: 1, rows: [{ seats: 6, aisles: [4, 2] }] }], /increasing order/],
    ['the same aisle twice', [{ name: 'S', price: 1, rows: [{ seats: 6, aisles: [2, 2] }] }], /increasing order/],
    ['a fractional aisle', [{ name: 'S', price: 1, rows: [{ seats: 6, aisles: [2.5] }] }], /aisles/],
    ['aisles that are not a list', [{ name: 'S', price: 1, rows: [{ seats: 6, aisles: 3 }] }], /aisles must be a list of seat numbers/],
    ['null aisles', [{ name: 'S', price: 1, rows: [{ seats: 6, aisles: null }] }], /aisles must not be null/],
    ['an aisle in a row of one seat', [{ name: 'S', price: 1, rows: [{ seats: 1, aisles: [1] }] }], /aisles must be empty in a row of one seat/],
    ['an odd row label', [{ name: 'S', price: 1, rows: [{ label: 'A-1', seats: 2 }] }], /label must be 1 to 10 letters or digits/],
    ['a row label of 11 characters', [{ name: 'S', price: 1, rows: [{ label: 'ABCDEFGHIJK', seats: 2 }] }], /label must be 1 to 10/],
    ['a numeric row label', [{ name: 'S', price: 1, rows: [{ label: 7, seats: 2 }] }], /label must be a string/],
    ['a row label used twice', [{ name: 'S', price: 1, rows: [{ label: 'X', seats: 2 }] }, { name: 'T', price: 1, rows: [{ label: 'X', seats: 2 }] }], /Row labels must be unique across the venue/],
    ['a row label that an unlabelled row gets by its place', [{ name: 'S', price: 1, rows: [{ label: 'B', seats: 2 }, { seats: 2 }] }], /"B"/],
    ['seatsPerRow in a shaped section', [{ name: 'S', price: 1, seatsPerRow: 4, rows: [{ seats: 2 }] }], /property seatsPerRow should not exist/],
    ['aisles in a rectangular section', [{ name: 'S', price: 1, rows: 2, seatsPerRow: 4, aisles: [2] }], /property aisles should not exist/],
    ['an unknown field in a row', [{ name: 'S', price: 1, rows: [{ seats: 2, color: 'red' }] }], /property color should not exist/],
    ['rows that are neither a number nor a list', [{ name: 'S', price: 1, rows: { seats: 2 } }], /a section is either/],
    ['a rectangular section without seatsPerRow', [{ name: 'S', price: 1, rows: 2 }], /seatsPerRow is required/],
    ['a shaped section without a price', [{ name: 'S', rows: [{ seats: 2 }] }], /price is required/],
    ['a section that is not an object', ['VIP'], /sections/],
    ['shaped rows over the seat limit', [{ name: 'S', price: 1, rows: Array.from({ length: 200 }, () => ({ seats: 500 })) }, { name: 'T', price: 1, rows: [{ seats: 1 }] }], /at most 100000 seats \(this one has 100001\)/],
  ] as const) {
    it(`refuses a plan with ${name} (400, saying what to fix)`, async () => {
      const res = await bulk({ eventId: newEventId(), venueId: 1, sections });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, 'VALIDATION_FAILED');
      assert.match(res.body.message, says);
    });
  }
});

describe('seat plans checked against the catalog', () => {
  let catalog: Server;
  let svc: SeatingUnderTest;
  before(async () => {
    catalog = createServer((req, res) => {
      const m = /^\/v1\/events\/(\d+)$/.exec(req.url ?? '');
      // Event 4343: the catalog refuses our credential, as it would with another SERVICE_SECRET.
      if (m && Number(m[1]) === 4343) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 401, error: 'INVALID_TOKEN' }));
      } else if (m && Number(m[1]) === 4242) {
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

  it('the catalog refusing our credential (401): 503 DEPENDENCY_MISCONFIGURED, not a 4xx blaming the admin; counted', async () => {
    const res = await svc.api.post('/v1/seats/bulk', { token: adminToken(), body: { eventId: 4343, sections: SMALL_LAYOUT } });
    assert.equal(res.status, 503, res.text);
    assert.equal(res.body.error, 'DEPENDENCY_MISCONFIGURED');
    assert.equal(metricValue((await svc.api.get('/metrics')).text, 'peer_refusals_total', { peer: 'catalog', status: '401' }), 1);
  });
});
