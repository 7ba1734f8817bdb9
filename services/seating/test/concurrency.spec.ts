import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApiResponse, query } from '@etsr/platform/testing';
import { SeatPlan, createPlan, readSettled } from './factories';
import { SeatingUnderTest, serviceToken, startSeatingForTest, userToken } from './harness';

describe('concurrency: no seat is ever held or sold twice', () => {
  let svc: SeatingUnderTest;
  let plan: SeatPlan;
  before(async () => {
    svc = await startSeatingForTest({ DB_POOL_SIZE: '30' });
    plan = await createPlan(svc.api);
  });
  after(() => svc.stop());

  it('200 buyers for one seat: exactly one 2xx, the rest 409 naming the seat', async () => {
    const seat = plan.ids['VIP-A-5'];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        svc.api.post('/v1/seats/reserve', { token: userToken(1000 + i), body: { eventId: plan.eventId, seatIds: [seat] } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, `statuses: ${[...new Set(statuses)]}`);
    const losers = results.filter((r) => r.status !== 201);
    assert.equal(losers.length, 199);
    for (const r of losers) {
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.error, 'SEATS_TAKEN');
      assert.deepEqual(r.body.details.seatIds, [seat]);
    }
    const winner = results.find((r) => r.status === 201)!.body;
    const rows = await query(svc.db.url, `SELECT reservation_id, reserved_by FROM seats WHERE seat_id = $1`, [seat]);
    assert.deepEqual(rows[0], { reservation_id: winner.reservationId, reserved_by: String(winner.userId) });
    const holds = await query(svc.db.url, `SELECT count(*)::int AS n FROM reservations WHERE $1 = ANY (seat_ids)`, [seat]);
    assert.equal(holds[0].n, 1);
  });

  it('overlapping requests ({A,B} against {B,A}, and more) in a loop: no 500, no deadlock, no partial hold', async () => {
    const row = ['PREMIUM-C-1', 'PREMIUM-C-2', 'PREMIUM-C-3'].map((k) => plan.ids[k]);
    const [a, b, c] = row;
    const shapes = [[a, b], [b, a], [b, c], [c, b, a], [a, c]];
    for (let round = 0; round < 40; round++) {
      const results = await Promise.all(
        shapes.map((seatIds, i) => svc.api.post('/v1/seats/reserve', { token: userToken(5000 + i), body: { eventId: plan.eventId, seatIds } })),
      );
      assert.ok(results.every((r) => r.status === 201 || r.status === 409), results.map((r) => `${r.status} ${r.text}`).join('\n'));
      const winners = results.filter((r) => r.status === 201);
      assert.ok(winners.length >= 1);
      // Every seat is held by at most one winner, and every winner holds all its seats.
      const seats = await query<{ seat_id: string; reservation_id: string | null }>(svc.db.url, `SELECT seat_id, reservation_id FROM seats WHERE seat_id = ANY ($1)`, [row]);
      const owner = new Map(seats.map((s) => [Number(s.seat_id), s.reservation_id]));
      for (const w of winners) for (const s of w.body.seats) assert.equal(owner.get(s.seatId), w.body.reservationId);
      const held = seats.filter((s) => s.reservation_id).length;
      assert.equal(held, winners.reduce((n, w) => n + w.body.seats.length, 0), 'no seat held by a failed request');
      for (const w of winners) {
        const cancel = await svc.api.delete(`/v1/seats/reservation/${w.body.reservationId}`, { token: userToken(w.body.userId) });
        assert.equal(cancel.status, 200);
      }
    }
  });
});

describe('concurrency: two replicas, sweepers, short holds, mixed load', () => {
  let one: SeatingUnderTest;
  let two: SeatingUnderTest;
  let plan: SeatPlan;
  const TTL = 2;
  before(async () => {
    const env = { RESERVATION_TTL_SECONDS: String(TTL), SWEEP_INTERVAL_MS: '250', SWEEP_BATCH_SIZE: '7', MAX_SEATS_PER_USER_PER_EVENT: '8', DB_POOL_SIZE: '15' };
    one = await startSeatingForTest(env);
    two = await startSeatingForTest(env, one.db);
    plan = await createPlan(one.api, [
      { name: 'FRONT', rows: 4, seatsPerRow: 15, price: 90 },
      { name: 'BACK', rows: 6, seatsPerRow: 15, price: 40 },
    ]);
  });
  after(async () => {
    await two.stop();
    await one.stop();
  });

  it('afterwards available + reserved + allocated + blocked = total, and no seat is in two live reservations', async () => {
    const responses: ApiResponse[] = [];
    const allocated = new Set<string>();
    const deadline = Date.now() + 6000;
    const pick = () => {
      const n = 1 + Math.floor(Math.random() * 4);
      const start = Math.floor(Math.random() * (plan.all.length - n));
      return plan.all.slice(start, start + n);
    };
    async function buyer(i: number): Promise<void> {
      const api = i % 2 ? one.api : two.api;
      const other = i % 2 ? two.api : one.api;
      while (Date.now() < deadline) {
        const held = await api.post('/v1/seats/reserve', { token: userToken(9000 + i), body: { eventId: plan.eventId, seatIds: pick() } });
        responses.push(held);
        if (held.status !== 201) continue;
        const roll = Math.random();
        if (roll < 0.3) {
          responses.push(await other.delete(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(9000 + i) }));
        } else if (roll < 0.6) {
          const orderId = randomUUID();
          const res = await other.post('/v1/seats/allocate', { token: serviceToken(), body: { reservationId: held.body.reservationId, orderId } });
          responses.push(res);
          if (res.status === 200) allocated.add(held.body.reservationId);
          if (res.status === 200 && Math.random() < 0.3) {
            responses.push(await api.post('/v1/seats/release', { token: serviceToken(), body: { orderId } }));
            allocated.delete(held.body.reservationId);
          }
        } else if (roll < 0.7) {
          // Let it lapse, then try to allocate it anyway: it is either still untaken (200) or gone (400).
          await new Promise((r) => setTimeout(r, TTL * 1000 + 100));
          const res = await other.post('/v1/seats/allocate', { token: serviceToken(), body: { reservationId: held.body.reservationId, orderId: randomUUID() } });
          responses.push(res);
          if (res.status === 200) allocated.add(held.body.reservationId);
        }
        // else: abandon the hold to the sweepers.
      }
    }
    await Promise.all(Array.from({ length: 24 }, (_, i) => buyer(i)));

    const unexpected = responses.filter((r) => r.status >= 500 || ![200, 201, 400, 409].includes(r.status));
    assert.deepEqual(unexpected.map((r) => `${r.status} ${r.text}`), []);
    assert.ok(responses.filter((r) => r.status === 201).length > 50, `only ${responses.filter((r) => r.status === 201).length} holds`);

    // Let every abandoned hold lapse and be swept.
    await new Promise((r) => setTimeout(r, TTL * 1000 + 1500));
    const url = one.db.url;

    const twice = await query(
      url,
      `SELECT seat, count(*) FROM (SELECT unnest(seat_ids) AS seat FROM reservations WHERE status = 'ALLOCATED' OR (status = 'RESERVED' AND expires_at > now())) live
        GROUP BY seat HAVING count(*) > 1`,
    );
    assert.deepEqual(twice, [], 'a seat in two live reservations');
    const mismatched = await query(
      url,
      `SELECT s.seat_id, s.status, r.status AS reservation_status FROM seats s LEFT JOIN reservations r ON r.reservation_id = s.reservation_id
        WHERE (s.status = 'ALLOCATED' AND (r.status IS DISTINCT FROM 'ALLOCATED' OR NOT s.seat_id = ANY (r.seat_ids)))
           OR (s.status = 'RESERVED' AND r.status IS DISTINCT FROM 'RESERVED')`,
    );
    assert.deepEqual(mismatched, [], 'seats whose reservation does not agree');
    const allocatedRows = await query<{ reservation_id: string; seats: number; sold: number }>(
      url,
      `SELECT r.reservation_id, cardinality(r.seat_ids) AS seats,
              (SELECT count(*)::int FROM seats s WHERE s.reservation_id = r.reservation_id AND s.status = 'ALLOCATED') AS sold
         FROM reservations r WHERE r.status = 'ALLOCATED'`,
    );
    for (const r of allocatedRows) assert.equal(r.sold, r.seats, `reservation ${r.reservation_id}`);
    assert.deepEqual(new Set(allocatedRows.map((r) => r.reservation_id)), allocated);
    const lingering = await query(url, `SELECT count(*)::int AS n FROM reservations WHERE status = 'RESERVED'`);
    assert.equal(lingering[0].n, 0, 'every lapsed hold was swept');

    for (const svc of [one, two]) {
      const sold = allocatedRows.reduce((n, r) => n + r.seats, 0);
      const a = (await readSettled(svc.api, `/v1/seats/availability?eventId=${plan.eventId}`, (b) => b.reservedSeats === 0 && b.allocatedSeats === sold)).body;
      assert.equal(a.availableSeats + a.reservedSeats + a.allocatedSeats + a.blockedSeats, a.totalSeats);
      assert.equal(a.totalSeats, 150);
      assert.equal(a.reservedSeats, 0);
      assert.equal(a.allocatedSeats, allocatedRows.reduce((n, r) => n + r.seats, 0));
    }
  });
});
