import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { eventually, metricValue } from '@etsr/platform/testing';
import { SeatPlan, createPlan, readSettled } from './factories';
import { SeatingUnderTest, adminToken, serviceToken, startSeatingForTest, userToken } from './harness';

describe('holds', () => {
  let svc: SeatingUnderTest;
  let plan: SeatPlan;
  before(async () => {
    svc = await startSeatingForTest({ MAX_SEATS_PER_USER_PER_EVENT: '10' });
    plan = await createPlan(svc.api);
  });
  after(() => svc.stop());

  const reserve = (userId: number, body: Record<string, unknown>, token = userToken(userId)) =>
    svc.api.post('/v1/seats/reserve', { token, body: { eventId: plan.eventId, ...body } });

  it('holds seats for 15 minutes and answers in the documented shape', async () => {
    const seatIds = [plan.ids['VIP-A-4'], plan.ids['VIP-A-5'], plan.ids['VIP-A-6']];
    const res = await reserve(5, { seatIds, userId: 5 });
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.reservationId, /^res_[A-Za-z0-9_-]+$/);
    assert.equal(res.body.eventId, plan.eventId);
    assert.equal(res.body.userId, 5);
    assert.deepEqual(res.body.seats, [
      { seatId: seatIds[0], section: 'VIP', row: 'A', number: '4', price: 150 },
      { seatId: seatIds[1], section: 'VIP', row: 'A', number: '5', price: 150 },
      { seatId: seatIds[2], section: 'VIP', row: 'A', number: '6', price: 150 },
    ]);
    assert.equal(res.body.totalAmount, 450);
    assert.equal(res.body.status, 'RESERVED');
    assert.equal(res.body.ttlSeconds, 900);
    const expiresIn = Date.parse(res.body.expiresAt) - Date.now();
    assert.ok(expiresIn > 895_000 && expiresIn <= 901_000, `${expiresIn}`);
    const availability = await readSettled(svc.api, `/v1/seats/availability?eventId=${plan.eventId}`, (a) => a.reservedSeats === 3);
    assert.equal(availability.body.availableSeats, 97);
  });

  it('a taken seat is a 409 naming the seat, and the request holds nothing (all or nothing)', async () => {
    const a = plan.ids['PREMIUM-C-1'];
    const b = plan.ids['PREMIUM-C-2'];
    assert.equal((await reserve(6, { seatIds: [a] })).status, 201);
    const res = await reserve(7, { seatIds: [b, a] });
    assert.equal(res.status, 409);
    assert.equal(res.body.error, 'SEATS_TAKEN');
    assert.deepEqual(res.body.details.seatIds, [a]);
    assert.match(res.body.message, new RegExp(`Seats already taken: ${a}`));
    assert.equal((await svc.api.get(`/v1/seats/${b}`)).body.status, 'AVAILABLE');
  });

  it("a userId that is not the caller's is refused (403); no token is 401", async () => {
    const seatIds = [plan.ids['REGULAR-J-1']];
    const res = await reserve(8, { seatIds, userId: 9 });
    assert.equal(res.status, 403);
    assert.equal(res.body.error, 'USER_MISMATCH');
    // The refusal says who the caller is, so the fix is in the message.
    assert.equal(res.body.message, "User id 9 in the body is not you: your token is user 8's. Send 8, or leave the user id out");
    assert.deepEqual(res.body.details, { userId: 9, yourUserId: 8 });
    assert.equal((await svc.api.post('/v1/seats/reserve', { body: { eventId: plan.eventId, seatIds } })).status, 401);
  });

  describe('bad input', () => {
    const cases: [string, Record<string, unknown>, number, string?][] = [
      ['an unknown event', { eventId: 987654, seatIds: [1] }, 404, 'EVENT_NOT_FOUND'],
      ['an unknown event, best available', { eventId: 987654, quantity: 2 }, 404, 'EVENT_NOT_FOUND'],
      ['seat ids of another event', { seatIds: [999999999] }, 400, 'SEATS_NOT_IN_EVENT'],
      ['no seats', { seatIds: [] }, 400],
      ['a repeated seat', { seatIds: [5, 5] }, 400],
      ['11 seats', { seatIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }, 400],
      ['quantity 0', { quantity: 0 }, 400],
      ['quantity 11', { quantity: 11 }, 400],
      ['seatIds and quantity', { seatIds: [1], quantity: 1 }, 400],
      ['neither seatIds nor quantity', {}, 400],
      ['a section without quantity', { seatIds: [1], section: 'VIP' }, 400],
      ['a negative seat id', { seatIds: [-1] }, 400],
      ['a huge seat id', { seatIds: [1e20] }, 400],
      ['a fractional seat id', { seatIds: [1.5] }, 400],
      ['a string seat id', { seatIds: ['45'] }, 400],
      ['a string event id', { eventId: '1', seatIds: [1] }, 400],
      ['a negative event id', { eventId: -1, seatIds: [1] }, 400],
      ['a null event id', { eventId: null, seatIds: [1] }, 400],
      ['an object for seatIds', { seatIds: { 0: 1 } }, 400],
      ['an unknown field', { seatIds: [1], price: 0 }, 400],
    ];
    for (const [name, body, status, code] of cases) {
      it(`${name} → ${status}`, async () => {
        const res = await reserve(10, body);
        assert.equal(res.status, status, res.text);
        if (code) assert.equal(res.body.error, code);
      });
    }

    it('malformed JSON → 400; a JSON body sent as a form (curl -d without a Content-Type) works', async () => {
      const bad = await svc.api.post('/v1/seats/reserve', { token: userToken(10), raw: '{"eventId": 1, "seatIds": [1,' });
      assert.equal(bad.status, 400);
      const curlDefault = await svc.api.post('/v1/seats/reserve', {
        token: userToken(10),
        raw: JSON.stringify({ eventId: plan.eventId, seatIds: [plan.ids['REGULAR-J-10']], userId: 10 }),
        contentType: 'application/x-www-form-urlencoded',
      });
      assert.equal(curlDefault.status, 201, curlDefault.text);
    });
  });

  it('caps the seats one user may hold in one event, also across requests', async () => {
    const user = 20;
    const seats = plan.all.slice(60, 71);
    assert.equal((await reserve(user, { seatIds: seats.slice(0, 6) })).status, 201);
    const over = await reserve(user, { seatIds: seats.slice(6, 11) });
    assert.equal(over.status, 409);
    assert.equal(over.body.error, 'HOLD_LIMIT_REACHED');
    assert.deepEqual(over.body.details, { limit: 10, alreadyHeld: 6 });
    assert.equal((await reserve(user, { seatIds: seats.slice(6, 10) })).status, 201);
  });

  it('parallel requests of one user cannot overshoot the cap', async () => {
    const user = 21;
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => reserve(user, { seatIds: plan.all.slice(72 + i * 3, 75 + i * 3) })));
    assert.equal(results.filter((r) => r.status === 201).length, 3);
    assert.ok(results.filter((r) => r.status === 409).every((r) => r.body.error === 'HOLD_LIMIT_REACHED'));
  });

  it('looks up a reservation: its owner, an admin and a service may; others may not', async () => {
    const held = await reserve(30, { seatIds: [plan.ids['PREMIUM-D-9']] });
    const path = `/v1/seats/reservation/${held.body.reservationId}`;
    const own = await svc.api.get(path, { token: userToken(30) });
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.seats, held.body.seats);
    assert.equal(own.body.status, 'RESERVED');
    assert.ok(own.body.ttlSeconds > 890);
    assert.equal((await svc.api.get(path, { token: adminToken() })).status, 200);
    assert.equal((await svc.api.get(path, { token: serviceToken('order') })).status, 200);
    assert.equal((await svc.api.get(path, { token: userToken(31) })).status, 403);
    assert.equal((await svc.api.get('/v1/seats/reservation/res_doesnotexist', { token: adminToken() })).status, 404);
    assert.equal((await svc.api.get('/v1/seats/reservation/not-a-reservation', { token: adminToken() })).status, 400);
  });

  it('the owner cancels a hold; the seats are free at once; cancelling again changes nothing', async () => {
    const seat = plan.ids['PREMIUM-D-10'];
    const held = await reserve(32, { seatIds: [seat] });
    const path = `/v1/seats/reservation/${held.body.reservationId}`;
    assert.equal((await svc.api.delete(path, { token: userToken(33) })).status, 403);
    const cancelled = await svc.api.delete(path, { token: userToken(32) });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'RELEASED');
    assert.equal((await svc.api.get(`/v1/seats/${seat}`)).body.status, 'AVAILABLE');
    assert.equal((await svc.api.delete(path, { token: userToken(32) })).body.status, 'RELEASED');
  });

  describe('allocation and release (platform services only)', () => {
    // The routes under /internal/v1, and their deprecated aliases under /v1/seats: the same behaviour.
    const paths = [
      { allocate: '/internal/v1/seats/allocate', release: '/internal/v1/seats/release', row: 'F', seats: [1, 2, 5], buyers: [40, 41] },
      { allocate: '/v1/seats/allocate', release: '/v1/seats/release', row: 'J', seats: [2, 3, 4], buyers: [44, 45] },
    ];
    for (const { allocate, release, row, seats, buyers } of paths) {
      it(`${allocate} allocates a hold to an order; repeating it changes nothing; a user token cannot`, async () => {
        const seatIds = [plan.ids[`REGULAR-${row}-${seats[0]}`], plan.ids[`REGULAR-${row}-${seats[1]}`]];
        const held = await reserve(buyers[0], { seatIds });
        const orderId = randomUUID();
        const body = { reservationId: held.body.reservationId, orderId };
        const byUser = await svc.api.post(allocate, { token: userToken(buyers[0]), body });
        assert.equal(byUser.status, 403);
        assert.equal(byUser.body.error, 'SERVICE_ONLY');
        // The alias, reachable through the ingress, says what happens instead: a buyer pays, and the order service allocates.
        if (allocate.startsWith('/v1/')) assert.match(byUser.body.message, /allocated by the order service once the order is paid.*POST \/v1\/charge/);
        const byAdmin = await svc.api.post(allocate, { token: adminToken(), body });
        assert.equal(byAdmin.status, 403);
        const first = await svc.api.post(allocate, { token: serviceToken(), body });
        assert.equal(first.status, 200, first.text);
        assert.equal(first.body.status, 'ALLOCATED');
        assert.equal(first.body.orderId, orderId);
        const again = await svc.api.post(allocate, { token: serviceToken(), body });
        assert.equal(again.status, 200);
        assert.deepEqual(again.body, first.body);
        for (const id of seatIds) assert.equal((await svc.api.get(`/v1/seats/${id}`)).body.status, 'ALLOCATED');
        const otherOrder = await svc.api.post(allocate, { token: serviceToken(), body: { ...body, orderId: randomUUID() } });
        assert.equal(otherOrder.status, 409);
        // A sold seat is not the owner's to cancel, and cannot be blocked.
        assert.equal((await svc.api.delete(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(buyers[0]) })).status, 409);
      });

      it(`${release} releases an order's seats (refund): they are on sale again; releasing twice is fine`, async () => {
        const seatIds = [plan.ids[`REGULAR-${row}-${seats[2]}`]];
        const held = await reserve(buyers[1], { seatIds });
        const orderId = randomUUID();
        await svc.api.post(allocate, { token: serviceToken(), body: { reservationId: held.body.reservationId, orderId } });
        const released = await svc.api.post(release, { token: serviceToken(), body: { orderId } });
        assert.equal(released.status, 200, released.text);
        assert.equal(released.body.status, 'RELEASED');
        assert.equal((await svc.api.get(`/v1/seats/${seatIds[0]}`)).body.status, 'AVAILABLE');
        assert.equal((await svc.api.post(release, { token: serviceToken(), body: { orderId } })).status, 200);
        assert.equal((await svc.api.post(release, { token: userToken(buyers[1]), body: { orderId } })).status, 403);
        assert.equal((await svc.api.post(release, { token: serviceToken(), body: { orderId: randomUUID() } })).status, 404);
        assert.equal((await svc.api.post(release, { token: serviceToken(), body: {} })).status, 400);
      });
    }

    it('the OpenAPI document marks the /v1/seats aliases deprecated, pointing to their /internal/v1 routes', async () => {
      const doc = (await svc.api.get('/docs-json')).body;
      for (const name of ['allocate', 'release']) {
        const alias = doc.paths[`/v1/seats/${name}`].post;
        const route = doc.paths[`/internal/v1/seats/${name}`].post;
        assert.equal(alias.deprecated, true);
        assert.match(alias.description, new RegExp(`POST /internal/v1/seats/${name}`));
        assert.equal(route.deprecated, undefined);
        assert.deepEqual(Object.keys(alias.responses).sort(), Object.keys(route.responses).sort());
      }
    });

    // Found by openapi-fuzz.spec.ts: both answer the 409s above, and the document did not say so.
    it('the OpenAPI document lists the 409 of allocation and of an order taking a hold', async () => {
      const doc = (await svc.api.get('/docs-json')).body;
      assert.ok(doc.paths['/internal/v1/seats/allocate'].post.responses['409']);
      assert.ok(doc.paths['/v1/seats/allocate'].post.responses['409']);
      assert.ok(doc.paths['/internal/v1/reservations/{id}/order'].post.responses['409']);
    });

    it('bad allocation input is 400; an unknown reservation 404', async () => {
      const t = serviceToken();
      assert.equal((await svc.api.post('/v1/seats/allocate', { token: t, body: { reservationId: 'res_abc123xyz' } })).status, 400);
      assert.equal((await svc.api.post('/v1/seats/allocate', { token: t, body: { reservationId: 'x', orderId: randomUUID() } })).status, 400);
      assert.equal((await svc.api.post('/v1/seats/allocate', { token: t, body: { reservationId: 'res_abc', orderId: 'nope' } })).status, 400);
      assert.equal((await svc.api.post('/v1/seats/allocate', { token: t, body: { reservationId: 'res_abc', orderId: randomUUID() } })).status, 404);
    });

    it('an order takes charge of a hold: one order per hold, expiry extended within the cap', async () => {
      const held = await reserve(42, { seatIds: [plan.ids['REGULAR-J-5']] });
      const orderId = randomUUID();
      const path = `/internal/v1/reservations/${held.body.reservationId}/order`;
      assert.equal((await svc.api.post(path, { token: userToken(42), body: { orderId } })).status, 403);
      const res = await svc.api.post(path, { token: serviceToken(), body: { orderId, extendSeconds: 3600 } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.orderId, orderId);
      // Capped at the first expiry + RESERVATION_MAX_EXTENSION_SECONDS (900 s by default).
      const extended = Date.parse(res.body.expiresAt) - Date.parse(held.body.expiresAt);
      assert.ok(extended > 0 && extended <= 900_000, `${extended}`);
      const other = await svc.api.post(path, { token: serviceToken(), body: { orderId: randomUUID() } });
      assert.equal(other.status, 409);
      assert.equal(other.body.error, 'RESERVATION_ORDERED');
      const cancel = await svc.api.delete(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(42) });
      assert.equal(cancel.status, 409);
      assert.equal(cancel.body.error, 'RESERVATION_IN_CHECKOUT');
    });
  });

  it('the metrics count holds by outcome and seats held', async () => {
    const text = (await svc.api.get('/actuator/prometheus')).text;
    assert.ok((metricValue(text, 'seat_reservations_total', { status: 'success' }) ?? 0) >= 5);
    assert.ok((metricValue(text, 'seat_reservations_total', { status: 'failed' }) ?? 0) >= 1);
    assert.ok((metricValue(text, 'seats_currently_reserved_count') ?? 0) >= 1);
    assert.ok((metricValue(text, 'seats_available_by_event', { event_id: String(plan.eventId) }) ?? 0) > 0);
  });
});

describe('best available', () => {
  let svc: SeatingUnderTest;
  let plan: SeatPlan;
  before(async () => {
    svc = await startSeatingForTest({ MAX_SEATS_PER_USER_PER_EVENT: '50' });
    plan = await createPlan(svc.api);
  });
  after(() => svc.stop());

  const best = (userId: number, quantity: number, section?: string) =>
    svc.api.post('/v1/seats/reserve', { token: userToken(userId), body: { eventId: plan.eventId, quantity, ...(section ? { section } : {}) } });
  const seatNames = (body: { seats: { section: string; row: string; number: string }[] }) => body.seats.map((s) => `${s.section}-${s.row}-${s.number}`);

  it('holds the centre of the front row', async () => {
    const res = await best(1, 2);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(seatNames(res.body), ['VIP-A-5', 'VIP-A-6']);
  });

  it('then the next best, never stranding a single seat', async () => {
    // Row A now has 1-4 and 7-10 free. Three seats: 2-4 would strand 1? No: 1 is at the row end. 1-3 strands 4 next to the taken 5.
    const res = await best(2, 3);
    assert.deepEqual(seatNames(res.body), ['VIP-A-2', 'VIP-A-3', 'VIP-A-4']);
  });

  it('honours a section', async () => {
    const res = await best(3, 4, 'REGULAR');
    assert.deepEqual(seatNames(res.body), ['REGULAR-F-4', 'REGULAR-F-5', 'REGULAR-F-6', 'REGULAR-F-7']);
  });

  it('409 SOLD_OUT with what is left when no row has that many adjacent seats; 404 for an unknown section', async () => {
    const res = await best(4, 10, 'VIP');
    assert.equal(res.status, 201); // row B is still empty
    const none = await best(5, 10, 'VIP');
    assert.equal(none.status, 409);
    assert.equal(none.body.error, 'SOLD_OUT');
    // Row A: 1 and 7-10 are free (2-6 held above): 5 seats, at most 4 together.
    assert.deepEqual(none.body.details, { availableSeats: 5, largestBlock: 4, sections: [{ section: 'VIP', availableSeats: 5, largestBlock: 4 }] });
    assert.match(none.body.message, /fewer seats/);
    const unknown = await best(5, 2, 'BALCONY');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'SECTION_NOT_FOUND');
  });

  it('concurrent best-available buyers never get the same seat', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => best(100 + i, 2, 'REGULAR')));
    const seats = results.filter((r) => r.status === 201).flatMap((r) => r.body.seats.map((s: { seatId: number }) => s.seatId));
    assert.equal(new Set(seats).size, seats.length);
    assert.ok(results.every((r) => r.status === 201 || r.status === 409), results.map((r) => r.status).join());
  });
});

describe('expiry', () => {
  let svc: SeatingUnderTest;
  let plan: SeatPlan;
  before(async () => {
    svc = await startSeatingForTest({ RESERVATION_TTL_SECONDS: '5', SWEEP_INTERVAL_MS: '60000' });
    plan = await createPlan(svc.api);
  });
  after(() => svc.stop());

  async function expireNow(reservationId: string): Promise<void> {
    const pg = new Client({ connectionString: svc.db.url });
    await pg.connect();
    try {
      await pg.query(`UPDATE reservations SET expires_at = now() - interval '1 second', original_expires_at = now() - interval '1 second' WHERE reservation_id = $1`, [reservationId]);
      await pg.query(`UPDATE seats SET reservation_expiry = now() - interval '1 second' WHERE reservation_id = $1`, [reservationId]);
    } finally {
      await pg.end();
    }
  }

  it('an expired hold counts as free before the sweeper runs', async () => {
    const seat = plan.ids['VIP-A-1'];
    const first = await svc.api.post('/v1/seats/reserve', { token: userToken(1), body: { eventId: plan.eventId, seatIds: [seat] } });
    await expireNow(first.body.reservationId);
    assert.equal((await svc.api.get(`/v1/seats/${seat}`)).body.status, 'AVAILABLE');
    const second = await svc.api.post('/v1/seats/reserve', { token: userToken(2), body: { eventId: plan.eventId, seatIds: [seat] } });
    assert.equal(second.status, 201);
    // The first buyer's reservation cannot be allocated any more: its seat is someone else's.
    const alloc = await svc.api.post('/v1/seats/allocate', { token: serviceToken(), body: { reservationId: first.body.reservationId, orderId: randomUUID() } });
    assert.equal(alloc.status, 400);
    assert.equal(alloc.body.error, 'RESERVATION_EXPIRED');
    assert.equal(alloc.body.message, 'Reservation expired');
  });

  it('a lapsed hold whose seats someone else took reads EXPIRED before any sweep, and every operation on it treats it as expired', async () => {
    const seats = [plan.ids['VIP-A-3'], plan.ids['VIP-A-4']];
    const first = await svc.api.post('/v1/seats/reserve', { token: userToken(6), body: { eventId: plan.eventId, seatIds: seats } });
    assert.equal(first.status, 201, first.text);
    const id = first.body.reservationId;
    await expireNow(id);
    const second = await svc.api.post('/v1/seats/reserve', { token: userToken(7), body: { eventId: plan.eventId, seatIds: seats } });
    assert.equal(second.status, 201, second.text);
    // No sweep ran (SWEEP_INTERVAL_MS is a minute): the first hold is over all the same.
    const read = await svc.api.get(`/v1/seats/reservation/${id}`, { token: userToken(6) });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.status, 'EXPIRED');
    assert.equal(read.body.ttlSeconds, 0);
    assert.equal((await svc.api.get(`/v1/seats/reservation/${id}`, { token: serviceToken() })).body.status, 'EXPIRED');

    const orderId = randomUUID();
    const alloc = await svc.api.post('/v1/seats/allocate', { token: serviceToken(), body: { reservationId: id, orderId } });
    assert.equal(alloc.status, 400, alloc.text);
    assert.equal(alloc.body.error, 'RESERVATION_EXPIRED');
    const extend = await svc.api.post(`/internal/v1/reservations/${id}/order`, { token: serviceToken(), body: { orderId, extendSeconds: 600 } });
    assert.equal(extend.status, 400, extend.text);
    assert.equal(extend.body.error, 'RESERVATION_EXPIRED');
    const cancel = await svc.api.delete(`/v1/seats/reservation/${id}`, { token: userToken(6) });
    assert.equal(cancel.status, 200, cancel.text);
    assert.equal(cancel.body.status, 'EXPIRED');
    const release = await svc.api.post('/v1/seats/release', { token: serviceToken(), body: { reservationId: id } });
    assert.equal(release.status, 200, release.text);
    assert.equal(release.body.status, 'EXPIRED');

    // None of it touched the second buyer's hold.
    const theirs = await svc.api.get(`/v1/seats/reservation/${second.body.reservationId}`, { token: userToken(7) });
    assert.equal(theirs.body.status, 'RESERVED');
    const pg = new Client({ connectionString: svc.db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query(`SELECT status, reservation_id FROM seats WHERE seat_id = ANY ($1::bigint[]) ORDER BY seat_id`, [seats]);
      assert.deepEqual(rows, seats.map(() => ({ status: 'RESERVED', reservation_id: second.body.reservationId })));
    } finally {
      await pg.end();
    }
  });

  it('a lapsed hold whose seats nobody took reads EXPIRED and cannot be extended for an order', async () => {
    const held = await svc.api.post('/v1/seats/reserve', { token: userToken(8), body: { eventId: plan.eventId, seatIds: [plan.ids['VIP-A-7']] } });
    await expireNow(held.body.reservationId);
    assert.equal((await svc.api.get(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(8) })).body.status, 'EXPIRED');
    const extend = await svc.api.post(`/internal/v1/reservations/${held.body.reservationId}/order`, { token: serviceToken(), body: { orderId: randomUUID() } });
    assert.equal(extend.status, 400, extend.text);
    assert.equal(extend.body.error, 'RESERVATION_EXPIRED');
  });

  it('an expired hold whose seats are untaken can still be allocated', async () => {
    const held = await svc.api.post('/v1/seats/reserve', { token: userToken(3), body: { eventId: plan.eventId, seatIds: [plan.ids['VIP-A-2']] } });
    await expireNow(held.body.reservationId);
    // It reads EXPIRED at once; until the sweeper runs, it is visible to the "holds stuck past TTL" alert.
    assert.equal((await svc.api.get(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(3) })).body.status, 'EXPIRED');
    const before = (await svc.api.get('/metrics')).text;
    assert.ok((metricValue(before, 'seats_held_past_expiry_count') ?? 0) >= 1);
    assert.ok((metricValue(before, 'seat_hold_oldest_overdue_seconds') ?? 0) >= 1);
    await svc.app.app.get((await import('../src/services/hold-sweeper.service.js')).HoldSweeperService).sweep();
    const after = (await svc.api.get('/metrics')).text;
    assert.equal(metricValue(after, 'seats_held_past_expiry_count'), 0);
    assert.equal(metricValue(after, 'seat_hold_oldest_overdue_seconds'), 0);
    assert.equal((await svc.api.get(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(3) })).body.status, 'EXPIRED');
    const alloc = await svc.api.post('/v1/seats/allocate', { token: serviceToken(), body: { reservationId: held.body.reservationId, orderId: randomUUID() } });
    assert.equal(alloc.status, 200, alloc.text);
    assert.equal(alloc.body.status, 'ALLOCATED');
  });

  it('the sweeper stores a lapsed hold as EXPIRED only once its seats are back in inventory (it reads EXPIRED all along)', async () => {
    const seat = plan.ids['VIP-B-2'];
    const held = await svc.api.post('/v1/seats/reserve', { token: userToken(5), body: { eventId: plan.eventId, seatIds: [seat] } });
    await expireNow(held.body.reservationId);
    const stored = async () => {
      const pg = new Client({ connectionString: svc.db.url });
      await pg.connect();
      try {
        return (await pg.query(`SELECT status FROM reservations WHERE reservation_id = $1`, [held.body.reservationId])).rows[0].status;
      } finally {
        await pg.end();
      }
    };
    // The hold lapsed after the sweep freed seats and before it marked reservations: not stored EXPIRED yet.
    const { ReservationsRepository } = await import('../src/repositories/reservations.repository.js');
    await svc.app.app.get(ReservationsRepository).expireLapsed();
    assert.equal(await stored(), 'RESERVED');
    assert.equal((await svc.api.get(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(5) })).body.status, 'EXPIRED');
    await svc.app.app.get((await import('../src/services/hold-sweeper.service.js')).HoldSweeperService).sweep();
    assert.equal(await stored(), 'EXPIRED');
    assert.equal((await svc.api.get(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(5) })).body.status, 'EXPIRED');
    assert.equal((await svc.api.get(`/v1/seats/${seat}`)).body.status, 'AVAILABLE');
  });

  it('the sweeper returns lapsed holds to inventory by itself and counts them', async () => {
    const sweeping = await startSeatingForTest({ RESERVATION_TTL_SECONDS: '1', SWEEP_INTERVAL_MS: '200' }, svc.db);
    try {
      const seat = plan.ids['VIP-B-1'];
      const held = await sweeping.api.post('/v1/seats/reserve', { token: userToken(4), body: { eventId: plan.eventId, seatIds: [seat] } });
      assert.equal(held.status, 201);
      // The hold reads EXPIRED as soon as it lapses; what the sweeper does is store it so and free the seat.
      const stored = async () => {
        const pg = new Client({ connectionString: svc.db.url });
        await pg.connect();
        try {
          const seatRow = (await pg.query(`SELECT status, reservation_id FROM seats WHERE seat_id = $1`, [seat])).rows[0];
          const reservation = (await pg.query(`SELECT status FROM reservations WHERE reservation_id = $1`, [held.body.reservationId])).rows[0];
          return { seat: seatRow, reservation: reservation.status };
        } finally {
          await pg.end();
        }
      };
      await eventually(async () => ((await stored()).reservation === 'EXPIRED' ? true : undefined), 5000, 'the sweeper to store the hold EXPIRED');
      assert.deepEqual((await stored()).seat, { status: 'AVAILABLE', reservation_id: null });
      assert.equal((await sweeping.api.get(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(4) })).body.status, 'EXPIRED');
      const text = (await sweeping.api.get('/metrics')).text;
      assert.ok((metricValue(text, 'expired_reservations_released_total') ?? 0) >= 1);
    } finally {
      await sweeping.stop();
    }
  });
});
