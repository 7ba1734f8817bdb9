import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SeatingUnderTest, adminToken, startSeatingForTest, userToken } from './harness';

/** Seats as a source lists them: sections and rows in no particular order, numbers with gaps. */
const listed = (eventId: number) => ({
  eventId,
  venueId: 3,
  seats: [
    { section: 'VIP', row: '1', number: 3, price: 733.28 },
    { section: 'VIP', row: '1', number: 7, price: 733.28 },
    { section: 'A', row: '2', number: 1, price: 683.28 },
    { section: 'A', row: '2', number: 2, price: 683.28 },
    { section: 'A', row: '10', number: 40, price: 683.28 },
  ],
});

describe('POST /internal/v1/import/seats and /allocations', () => {
  let svc: SeatingUnderTest;
  const admin = adminToken();
  before(async () => {
    svc = await startSeatingForTest();
  });
  after(() => svc.stop());

  it('creates listed seats once, with a sane geometry, and shows them in availability', async () => {
    const first = await svc.api.post('/internal/v1/import/seats', { token: admin, body: listed(501) });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.body.created, first.body.present], [5, 0]);
    const again = await svc.api.post('/internal/v1/import/seats', { token: admin, body: listed(501) });
    assert.deepEqual([again.body.created, again.body.present], [0, 5]);
    assert.deepEqual(again.body.seats.map((s: { seatId: number }) => s.seatId), first.body.seats.map((s: { seatId: number }) => s.seatId));
    const availability = await svc.api.get('/v1/seats/availability?eventId=501', { token: userToken(2) });
    assert.equal(availability.body.totalSeats, 5);
    assert.equal(availability.body.availableSeats, 5);
    const map = await svc.api.get('/v1/seats?eventId=501', { token: userToken(2) });
    assert.equal(map.status, 200, map.text);
  });

  it('the same seats fired twice at once exist once', async () => {
    const body = { eventId: 502, venueId: 3, seats: Array.from({ length: 400 }, (_, i) => ({ section: 'B', row: String(1 + Math.floor(i / 40)), number: 1 + (i % 40), price: 50 })) };
    const [a, b] = await Promise.all([1, 2].map(() => svc.api.post('/internal/v1/import/seats', { token: admin, body })));
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.body.created + b.body.created, 400);
    assert.deepEqual(a.body.seats.map((s: { seatId: number }) => s.seatId), b.body.seats.map((s: { seatId: number }) => s.seatId));
  });

  it('allocates the seats of a past order once; a seat sold already fails the batch with 409 and nothing changes', async () => {
    const seats = (await svc.api.post('/internal/v1/import/seats', { token: admin, body: listed(503) })).body.seats.map((s: { seatId: number }) => s.seatId);
    const orderId = randomUUID();
    const allocation = { orderId, eventId: 503, userId: 7, seatIds: seats.slice(0, 2), totalAmount: 1466.56, allocatedAt: '2024-08-19T00:39:20Z' };
    const [a, b] = await Promise.all([1, 2].map(() => svc.api.post('/internal/v1/import/allocations', { token: admin, body: { allocations: [allocation] } })));
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.body.created + b.body.created, 1);
    const availability = await svc.api.get('/v1/seats/availability?eventId=503', { token: userToken(2) });
    assert.deepEqual([availability.body.allocatedSeats, availability.body.availableSeats], [2, 3]);

    const other = { ...allocation, orderId: randomUUID(), seatIds: [seats[1], seats[2]] };
    const fresh = { ...allocation, orderId: randomUUID(), seatIds: [seats[3]] };
    const clash = await svc.api.post('/internal/v1/import/allocations', { token: admin, body: { allocations: [fresh, other] } });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.error, 'SEAT_UNAVAILABLE');
    assert.deepEqual(clash.body.details.seatIds, [seats[1]]);
    const after = await svc.api.get('/v1/seats/availability?eventId=503', { token: userToken(2) });
    assert.equal(after.body.allocatedSeats, 2);
  });

  it('refuses bad bodies with 400 and non-admins with 403', async () => {
    const bad = listed(504);
    bad.seats[0].number = 0;
    assert.equal((await svc.api.post('/internal/v1/import/seats', { token: admin, body: bad })).status, 400);
    assert.equal((await svc.api.post('/internal/v1/import/seats', { token: admin, body: { ...listed(504), extra: 1 } })).status, 400);
    assert.equal((await svc.api.post('/internal/v1/import/allocations', { token: admin, body: { allocations: [{ orderId: 'x' }] } })).status, 400);
    assert.equal((await svc.api.post('/internal/v1/import/seats', { token: userToken(2), body: listed(504) })).status, 403);
  });
});
