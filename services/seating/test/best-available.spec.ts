import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { ApiResponse } from '@etsr/platform/testing';
import { SeatPlan, createPlan } from './factories';
import { SeatingUnderTest, startSeatingForTest, userToken } from './harness';

interface SeatState {
  seat_id: string;
  section: string;
  row_label: string;
  seat_number: number;
  row_size: number;
  reservation_id: string | null;
}

async function seatsOf(url: string, eventId: number): Promise<SeatState[]> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    const { rows } = await pg.query(
      `SELECT seat_id, section, row_label, seat_number, row_size, reservation_id FROM seats WHERE event_id = $1 ORDER BY section, row_label, seat_number`,
      [eventId],
    );
    return rows;
  } finally {
    await pg.end();
  }
}

/** The longest run of free adjacent seats per section (and '*' for the whole event) in a final state. */
function largestFreeBlocks(seats: SeatState[]): Map<string, number> {
  const largest = new Map<string, number>([['*', 0]]);
  let run = 0;
  let previous: SeatState | undefined;
  for (const s of seats) {
    const sameRow = previous && previous.section === s.section && previous.row_label === s.row_label && previous.seat_number === s.seat_number - 1;
    run = s.reservation_id ? 0 : sameRow ? run + 1 : 1;
    largest.set(s.section, Math.max(largest.get(s.section) ?? 0, run));
    largest.set('*', Math.max(largest.get('*')!, run));
    previous = s;
  }
  return largest;
}

/**
 * Every 201 holds adjacent seats of one row, no seat is held twice, the database agrees with the
 * answers, and every SOLD_OUT was true: holds are never given back in these tests, so free seats
 * only shrink, and a block that is still free at the end was free when SOLD_OUT was answered.
 */
async function checkOutcome(url: string, eventId: number, requests: { quantity: number; section?: string; res: ApiResponse }[]): Promise<void> {
  const unexpected = requests.filter(({ res }) => !(res.status === 201 || (res.status === 409 && res.body.error === 'SOLD_OUT')));
  assert.deepEqual(unexpected.map(({ res }) => `${res.status} ${res.text}`), []);
  const seats = await seatsOf(url, eventId);
  const byId = new Map(seats.map((s) => [Number(s.seat_id), s]));
  const handedOut = new Set<number>();
  for (const { quantity, section, res } of requests.filter((r) => r.res.status === 201)) {
    const held = (res.body.seats as { seatId: number }[]).map((s) => byId.get(s.seatId)!);
    assert.equal(held.length, quantity);
    for (const s of held) {
      assert.ok(!handedOut.has(Number(s.seat_id)), `seat ${s.seat_id} held twice`);
      handedOut.add(Number(s.seat_id));
      assert.equal(s.reservation_id, res.body.reservationId, `seat ${s.seat_id} belongs to its reservation`);
      if (section) assert.equal(s.section, section);
    }
    const numbers = held.map((s) => s.seat_number).sort((a, b) => a - b);
    assert.ok(held.every((s) => s.section === held[0].section && s.row_label === held[0].row_label), 'one row');
    assert.deepEqual(numbers, numbers.map((_, k) => numbers[0] + k), 'adjacent');
  }
  assert.equal(seats.filter((s) => s.reservation_id).length, handedOut.size, 'no seat held by a request that failed');
  const largest = largestFreeBlocks(seats);
  for (const { quantity, section, res } of requests.filter((r) => r.res.status === 409)) {
    assert.ok((largest.get(section ?? '*') ?? 0) < quantity, `SOLD_OUT for ${quantity}${section ? ` in ${section}` : ''} while such a block is still free`);
  }
}

describe('best available under a crowd', () => {
  let one: SeatingUnderTest;
  let two: SeatingUnderTest;
  before(async () => {
    // Two replicas on one database, both sweeping, with the allocator's batches kept small so that
    // a burst spreads over many batches and both replicas' batches interleave.
    const env = { SWEEP_INTERVAL_MS: '250', BEST_AVAILABLE_BATCH_SIZE: '16', DB_POOL_SIZE: '10' };
    one = await startSeatingForTest(env);
    two = await startSeatingForTest(env, one.db);
  });
  after(async () => {
    await two.stop();
    await one.stop();
  });

  const best = (svc: SeatingUnderTest, plan: SeatPlan, userId: number, quantity: number, section?: string) =>
    svc.api.post('/v1/seats/reserve', { token: userToken(userId), body: { eventId: plan.eventId, quantity, ...(section ? { section } : {}) } });

  it('200 buyers of pairs for 100 seats: exactly 50 placed, every seat sold, no orphan, the rest SOLD_OUT', async () => {
    const plan = await createPlan(one.api);
    const requests = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => ({ quantity: 2, res: await best(i % 2 ? one : two, plan, 20_000 + i, 2) })),
    );
    await checkOutcome(one.db.url, plan.eventId, requests);
    // Rows of 10 filled by pairs that never strand a seat leave nothing behind.
    assert.equal(requests.filter((r) => r.res.status === 201).length, 50);
    const soldOut = requests.find((r) => r.res.status === 409)!.res;
    assert.equal(soldOut.body.error, 'SOLD_OUT');
    assert.equal(soldOut.body.details.availableSeats, 0);
    assert.equal(soldOut.body.details.largestBlock, 0);
  });

  it('200 buyers of 1-4 seats, some in one section, over two replicas: adjacent, never twice, SOLD_OUT only when nothing fits', async () => {
    const plan = await createPlan(one.api);
    const requests = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const quantity = 1 + (i % 4);
        const section = i % 5 === 0 ? 'PREMIUM' : undefined;
        return { quantity, section, res: await best(i % 2 ? one : two, plan, 30_000 + i, quantity, section) };
      }),
    );
    await checkOutcome(one.db.url, plan.eventId, requests);
    assert.ok(requests.filter((r) => r.res.status === 201).length >= 40);
  });

  it('best-available and exact-seat buyers racing for the same event: no seat twice, losers told which way', async () => {
    const plan = await createPlan(one.api);
    const exact = Array.from({ length: 100 }, async (_, i) => {
      const seatIds = plan.all.slice((i * 3) % 96, ((i * 3) % 96) + 2);
      return one.api.post('/v1/seats/reserve', { token: userToken(40_000 + i), body: { eventId: plan.eventId, seatIds } });
    });
    const bestOnes = Array.from({ length: 100 }, async (_, i) => best(i % 2 ? one : two, plan, 41_000 + i, 1 + (i % 3)));
    const results = await Promise.all([...exact, ...bestOnes]);
    const codes = new Set(results.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.body.error}`));
    for (const code of codes) assert.ok(['409 SEATS_TAKEN', '409 SOLD_OUT'].includes(code), code);
    const winners = results.filter((r) => r.status === 201);
    const seats = winners.flatMap((r) => r.body.seats.map((s: { seatId: number }) => s.seatId));
    assert.equal(new Set(seats).size, seats.length, 'a seat in two holds');
    const held = (await seatsOf(one.db.url, plan.eventId)).filter((s) => s.reservation_id);
    assert.equal(held.length, seats.length, 'the database holds exactly the seats answered');
  });

  it('one user firing parallel requests stays within the per-user cap', async () => {
    const plan = await createPlan(one.api);
    // Default cap: 10 seats. Ten parallel requests of 3 seats: at most three succeed.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => best(i % 2 ? one : two, plan, 50_000, 3)));
    const won = results.filter((r) => r.status === 201);
    assert.equal(won.length, 3);
    for (const r of results.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409);
      assert.equal(r.body.error, 'HOLD_LIMIT_REACHED');
    }
  });
});
