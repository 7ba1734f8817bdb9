import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { DEV_DEFAULT_SECRETS } from '@etsr/platform';
import { ApiResponse, client, eventually, metricValue } from '@etsr/platform/testing';
import { QueuePassSigner } from '../src/services/queue-pass';
import { createPlan, newEventId } from './factories';
import { SeatingUnderTest, adminToken, serviceToken, startSeatingForTest, userToken } from './harness';

type Api = ReturnType<typeof client>;

async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    return (await pg.query(sql, params)).rows as T[];
  } finally {
    await pg.end();
  }
}

const HOUR_AHEAD = () => new Date(Date.now() + 3600_000).toISOString();
const NOW = () => new Date().toISOString();

async function openQueue(api: Api, eventId: number, onSaleAt: string): Promise<void> {
  const res = await api.put(`/v1/seats/queues/${eventId}`, { token: adminToken(), body: { onSaleAt } });
  assert.ok(res.status === 201 || res.status === 200, res.text);
}

const join = (api: Api, eventId: number, userId: number) => api.post(`/v1/seats/queues/${eventId}/join`, { token: userToken(userId) });
const me = (api: Api, eventId: number, userId: number, wait = 0) =>
  api.get(`/v1/seats/queues/${eventId}/me`, { token: userToken(userId), headers: wait ? { prefer: `wait=${wait}` } : {} });

/** Follows a place with long-polls until it is `status` (fails after `timeoutMs` rather than waiting forever). */
async function until(api: Api, eventId: number, userId: number, status: string, timeoutMs = 60_000): Promise<ApiResponse> {
  const deadline = Date.now() + timeoutMs;
  let last: ApiResponse | undefined;
  while (Date.now() < deadline) {
    last = await me(api, eventId, userId, Math.max(1, Math.min(20, Math.floor((deadline - Date.now()) / 1000))));
    assert.equal(last.status, 200, last.text);
    if (last.body.status === status) return last;
  }
  throw new Error(`buyer ${userId} never became ${status} (last: ${last?.text})`);
}

const reserve = (api: Api, userId: number, body: Record<string, unknown>, pass?: string) =>
  api.post('/v1/seats/reserve', { token: userToken(userId), body, headers: pass ? { 'x-queue-pass': pass } : {} });

describe('waiting room: FIFO under load, refresh, admission in order', () => {
  let svc: SeatingUnderTest;
  before(async () => {
    svc = await startSeatingForTest({ DB_POOL_SIZE: '30', QUEUE_TICK_MS: '100' });
  });
  after(() => svc.stop());

  it('500 concurrent joins get 500 distinct places, one per account; joining again keeps the place; admission follows the order of joining', async () => {
    const plan = await createPlan(svc.api, [{ name: 'HALL', rows: 30, seatsPerRow: 20, price: 10 }]);
    await openQueue(svc.api, plan.eventId, HOUR_AHEAD());
    const buyers = Array.from({ length: 500 }, (_, i) => 20_000 + i);
    const joins = await Promise.all(buyers.map((u) => join(svc.api, plan.eventId, u)));
    for (const r of joins) {
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.status, 'NOT_OPEN_YET');
    }
    const positions = joins.map((r) => r.body.position as number);
    assert.equal(new Set(positions).size, 500, 'distinct positions');
    const rows = await query<{ n: number; users: number }>(svc.db.url, `SELECT count(*)::int AS n, count(DISTINCT user_id)::int AS users FROM queue_entries WHERE event_id = $1`, [plan.eventId]);
    assert.deepEqual(rows[0], { n: 500, users: 500 });
    // "ahead" is the number of places before: the places in order of position are 0, 1, 2, ... ahead.
    const byPosition = [...joins].sort((a, b) => a.body.position - b.body.position);
    const settled = await Promise.all(byPosition.map((r) => me(svc.api, plan.eventId, buyers[joins.indexOf(r)])));
    assert.deepEqual(
      settled.map((r) => r.body.ahead),
      Array.from({ length: 500 }, (_, i) => i),
    );

    // Refresh and reconnect, many at once: the same place.
    const again = await Promise.all(buyers.slice(0, 100).map((u) => join(svc.api, plan.eventId, u)));
    again.forEach((r, i) => {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.position, positions[i]);
    });

    // The sale opens: every buyer follows their place, holds a seat when admitted and "pays" (allocation as the order service does).
    await openQueue(svc.api, plan.eventId, NOW());
    await Promise.all(
      buyers.map(async (u) => {
        const admitted = await until(svc.api, plan.eventId, u, 'ADMITTED');
        assert.ok(admitted.body.pass && admitted.body.passExpiresAt, admitted.text);
        const held = await reserve(svc.api, u, { eventId: plan.eventId, quantity: 1 }, admitted.body.pass);
        assert.equal(held.status, 201, held.text);
        const paid = await svc.api.post('/v1/seats/allocate', { token: serviceToken(), body: { reservationId: held.body.reservationId, orderId: randomUUID() } });
        assert.equal(paid.status, 200, paid.text);
      }),
    );
    // Nobody was admitted before someone who joined earlier: in order of position, admission times never go back.
    const admitted = await query<{ position: string; admitted_at: Date }>(
      svc.db.url,
      `SELECT position, admitted_at FROM queue_entries WHERE event_id = $1 ORDER BY position`,
      [plan.eventId],
    );
    assert.equal(admitted.length, 500);
    for (let i = 1; i < admitted.length; i++) {
      assert.ok(admitted[i].admitted_at >= admitted[i - 1].admitted_at, `position ${admitted[i].position} admitted before ${admitted[i - 1].position}`);
    }
    const metrics = (await svc.api.get('/actuator/prometheus')).text;
    assert.equal(metricValue(metrics, 'seat_queue_admitted_total', { event_id: String(plan.eventId) }), 500);
    assert.ok(metricValue(metrics, 'seat_queue_wait_seconds_count')! >= 500);
  });

  it('joins while admission ticks run: every one answered, none lost (joins and ticks share a lock, never deadlock)', async () => {
    const plan = await createPlan(svc.api, [{ name: 'HALL', rows: 1, seatsPerRow: 5, price: 10 }]);
    await openQueue(svc.api, plan.eventId, NOW());
    const buyers = Array.from({ length: 300 }, (_, i) => 32_000 + i);
    const joins = await Promise.all(buyers.map((u) => join(svc.api, plan.eventId, u)));
    assert.deepEqual([...new Set(joins.map((r) => r.status))], [201], joins.find((r) => r.status !== 201)?.text);
    const rows = await query<{ n: number }>(svc.db.url, `SELECT count(*)::int AS n FROM queue_entries WHERE event_id = $1`, [plan.eventId]);
    assert.equal(rows[0].n, 300);
  });

  it('once a turn is over (the hold was paid), its pass is refused and joining again takes a new place at the back', async () => {
    const plan = await createPlan(svc.api, [{ name: 'HALL', rows: 1, seatsPerRow: 20, price: 10 }]);
    await openQueue(svc.api, plan.eventId, NOW());
    const first = await join(svc.api, plan.eventId, 31_000);
    const admitted = await until(svc.api, plan.eventId, 31_000, 'ADMITTED');
    const held = await reserve(svc.api, 31_000, { eventId: plan.eventId, seatIds: [plan.all[0]] }, admitted.body.pass);
    assert.equal(held.status, 201, held.text);
    await svc.api.post('/v1/seats/allocate', { token: serviceToken(), body: { reservationId: held.body.reservationId, orderId: randomUUID() } });
    // The next admission tick ends the turn: the place is gone.
    await eventually(async () => ((await me(svc.api, plan.eventId, 31_000)).status === 404 ? true : undefined));
    const over = await reserve(svc.api, 31_000, { eventId: plan.eventId, seatIds: [plan.all[1]] }, admitted.body.pass);
    assert.equal(over.status, 403, over.text);
    assert.equal(over.body.error, 'QUEUE_PASS_INVALID');
    const rejoined = await join(svc.api, plan.eventId, 31_000);
    assert.equal(rejoined.status, 201, rejoined.text);
    assert.ok(rejoined.body.position > first.body.position);
  });
});

describe('waiting room: the pass', () => {
  let svc: SeatingUnderTest;
  let eventId: number;
  let seats: number[];
  let pass: string;
  const buyer = 40_000;
  before(async () => {
    svc = await startSeatingForTest({ QUEUE_TICK_MS: '100' });
    const plan = await createPlan(svc.api);
    eventId = plan.eventId;
    seats = plan.all;
    await openQueue(svc.api, eventId, NOW());
    await join(svc.api, eventId, buyer);
    pass = (await until(svc.api, eventId, buyer, 'ADMITTED')).body.pass;
  });
  after(() => svc.stop());

  it('reserve without a pass is refused with where to join; an admin and a platform service need none', async () => {
    const res = await reserve(svc.api, buyer, { eventId, seatIds: [seats[0]] });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.error, 'QUEUE_PASS_REQUIRED');
    assert.equal(res.body.details.queueUrl, `/v1/seats/queues/${eventId}/join`);
    const admin = await svc.api.post('/v1/seats/reserve', { token: adminToken(), body: { eventId, seatIds: [seats[1]] } });
    assert.equal(admin.status, 201, admin.text);
    const service = await svc.api.post('/v1/seats/reserve', { token: serviceToken(), body: { eventId, seatIds: [seats[2]], userId: 77 } });
    assert.equal(service.status, 201, service.text);
  });

  it('forged passes (another key, edited claims), an expired pass and one of another event are QUEUE_PASS_INVALID', async () => {
    const [head, body, signature] = pass.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const edited = `${head}.${Buffer.from(JSON.stringify({ ...claims, eventId: eventId + 1 })).toString('base64url')}.${signature}`;
    const otherKey = new QueuePassSigner('another-service-secret-0123456789abcdef').sign({ eventId, userId: buyer, entryId: claims.jti }, new Date(Date.now() + 60_000));
    const rightKey = new QueuePassSigner(DEV_DEFAULT_SECRETS.SERVICE_SECRET);
    const expired = rightKey.sign({ eventId, userId: buyer, entryId: claims.jti }, new Date(Date.now() - 1000));
    const otherEvent = rightKey.sign({ eventId: eventId + 1, userId: buyer, entryId: claims.jti }, new Date(Date.now() + 60_000));
    for (const bad of [edited, otherKey, expired, otherEvent, 'not-a-pass', 'x'.repeat(5000)]) {
      const res = await reserve(svc.api, buyer, { eventId, seatIds: [seats[3]] }, bad);
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.error, 'QUEUE_PASS_INVALID', bad.slice(0, 40));
    }
  });

  it("another account's pass is QUEUE_PASS_NOT_YOURS; the buyer's own pass holds", async () => {
    const thief = await reserve(svc.api, buyer + 1, { eventId, seatIds: [seats[4]] }, pass);
    assert.equal(thief.status, 403, thief.text);
    assert.equal(thief.body.error, 'QUEUE_PASS_NOT_YOURS');
    const own = await reserve(svc.api, buyer, { eventId, seatIds: [seats[4]] }, pass);
    assert.equal(own.status, 201, own.text);
  });

  it('before onSaleAt: 409 SALE_NOT_OPEN with onSaleAt and Retry-After; without a queue the sale is open to all', async () => {
    const plan = await createPlan(svc.api);
    const onSaleAt = new Date(Date.now() + 120_000).toISOString();
    await openQueue(svc.api, plan.eventId, onSaleAt);
    const res = await reserve(svc.api, buyer, { eventId: plan.eventId, seatIds: [plan.all[0]] });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.error, 'SALE_NOT_OPEN');
    assert.equal(res.body.details.onSaleAt, onSaleAt);
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 120, String(retryAfter));
    const removed = await svc.api.delete(`/v1/seats/queues/${plan.eventId}`, { token: adminToken() });
    assert.equal(removed.status, 204, removed.text);
    const open = await reserve(svc.api, buyer, { eventId: plan.eventId, seatIds: [plan.all[0]] });
    assert.equal(open.status, 201, open.text);
  });

  it('rejects bad input with 4xx: onSaleAt not a date, ids out of range, no place, no queue', async () => {
    const bad = await svc.api.put(`/v1/seats/queues/${eventId}`, { token: adminToken(), body: { onSaleAt: 'tomorrow' } });
    assert.equal(bad.status, 400, bad.text);
    const far = await svc.api.put(`/v1/seats/queues/${eventId}`, { token: adminToken(), body: { onSaleAt: '9999-01-01T00:00:00Z' } });
    assert.equal(far.status, 400, far.text);
    const buyerPut = await svc.api.put(`/v1/seats/queues/${eventId}`, { token: userToken(5), body: { onSaleAt: NOW() } });
    assert.equal(buyerPut.status, 403, buyerPut.text);
    assert.equal((await svc.api.get('/v1/seats/queues/0')).status, 400);
    assert.equal((await me(svc.api, eventId, 999)).body.error, 'QUEUE_PLACE_NOT_FOUND');
    assert.equal((await join(svc.api, newEventId(), 5)).body.error, 'QUEUE_NOT_FOUND');
    const summary = await svc.api.get(`/v1/seats/queues/${eventId}`);
    assert.equal(summary.status, 200, summary.text);
    assert.equal(summary.body.open, true);
  });
});

describe('waiting room: sold out', () => {
  let svc: SeatingUnderTest;
  before(async () => {
    svc = await startSeatingForTest({ QUEUE_TICK_MS: '100' });
  });
  after(() => svc.stop());

  it('when no seat is left every waiting buyer is told SOLD_OUT at once, and admission resumes when seats come back', async () => {
    const plan = await createPlan(svc.api, [{ name: 'BOX', rows: 1, seatsPerRow: 3, price: 200 }]);
    await openQueue(svc.api, plan.eventId, HOUR_AHEAD());
    const buyers = Array.from({ length: 30 }, (_, i) => 50_000 + i);
    for (const u of buyers) assert.equal((await join(svc.api, plan.eventId, u)).status, 201);
    await openQueue(svc.api, plan.eventId, NOW());
    const first = await until(svc.api, plan.eventId, buyers[0], 'ADMITTED');
    // Everyone not admitted yet follows their place while the first buyer takes every seat.
    const waiting: number[] = [];
    for (const u of buyers) if ((await me(svc.api, plan.eventId, u)).body.status === 'WAITING') waiting.push(u);
    assert.ok(waiting.length > 0, 'some buyers wait');
    const told = waiting.map((u) => until(svc.api, plan.eventId, u, 'SOLD_OUT'));
    const held = await reserve(svc.api, buyers[0], { eventId: plan.eventId, quantity: 3 }, first.body.pass);
    assert.equal(held.status, 201, held.text);
    const answers = await Promise.all(told);
    for (const a of answers) assert.equal(a.body.status, 'SOLD_OUT');
    assert.equal((await svc.api.get(`/v1/seats/queues/${plan.eventId}`)).body.soldOut, true);
    const before = await query<{ n: number }>(svc.db.url, `SELECT count(*)::int AS n FROM queue_entries WHERE event_id = $1 AND state = 'ADMITTED'`, [plan.eventId]);
    // The seats come back: waiting buyers are WAITING again and admission goes on.
    assert.equal((await svc.api.delete(`/v1/seats/reservation/${held.body.reservationId}`, { token: userToken(buyers[0]) })).status, 200);
    // A long-poll of a SOLD_OUT place answers when that changes: back in line, or admitted at once.
    const back = await me(svc.api, plan.eventId, waiting[waiting.length - 1], 20);
    assert.equal(back.body.status, 'WAITING', back.text);
    await eventually(async () => {
      const now = await query<{ n: number }>(svc.db.url, `SELECT count(*)::int AS n FROM queue_entries WHERE event_id = $1 AND state <> 'WAITING'`, [plan.eventId]);
      return now[0].n > before[0].n ? true : undefined;
    });
  });
});

describe('waiting room: two replicas on one database', () => {
  let one: SeatingUnderTest;
  let two: SeatingUnderTest;
  before(async () => {
    one = await startSeatingForTest({ QUEUE_TICK_MS: '100' });
    two = await startSeatingForTest({ QUEUE_TICK_MS: '100' }, one.db);
  });
  after(async () => {
    await two.stop();
    await one.stop();
  });

  it('agree on every place and admit each one once: together no more than the window', async () => {
    const plan = await createPlan(one.api, [{ name: 'HALL', rows: 10, seatsPerRow: 20, price: 10 }]);
    await openQueue(one.api, plan.eventId, HOUR_AHEAD());
    const buyers = Array.from({ length: 200 }, (_, i) => 60_000 + i);
    const joins = await Promise.all(buyers.map((u, i) => join(i % 2 ? one.api : two.api, plan.eventId, u)));
    assert.equal(new Set(joins.map((r) => r.body.position)).size, 200);
    const fromOne = await Promise.all(buyers.map((u) => me(one.api, plan.eventId, u)));
    const fromTwo = await Promise.all(buyers.map((u) => me(two.api, plan.eventId, u)));
    buyers.forEach((_, i) => {
      assert.equal(fromOne[i].body.position, joins[i].body.position);
      assert.equal(fromTwo[i].body.position, joins[i].body.position);
      assert.equal(fromOne[i].body.ahead, fromTwo[i].body.ahead);
    });
    // Joined on one replica, the same place on the other.
    assert.equal((await join(two.api, plan.eventId, buyers[1])).body.position, joins[1].body.position);

    // Open: nobody holds, so the start window is all that may be active; both replicas tick and neither admits twice.
    await openQueue(two.api, plan.eventId, NOW());
    const firstInLine = [...joins].sort((a, b) => a.body.position - b.body.position)[0];
    await until(one.api, plan.eventId, buyers[joins.indexOf(firstInLine)], 'ADMITTED');
    await eventually(async () => {
      const [a, b] = await Promise.all([one.api.get(`/v1/seats/queues/${plan.eventId}`), two.api.get(`/v1/seats/queues/${plan.eventId}`)]);
      return a.body.admittedTotal > 0 && a.body.admittedTotal === b.body.admittedTotal && a.body.waiting === b.body.waiting ? true : undefined;
    });
    // Let several ticks of both replicas pass (each admission tick is stamped on the queue row).
    const ticked = async () => (await query<{ t: Date }>(one.db.url, `SELECT ticked_at AS t FROM sale_queues WHERE event_id = $1`, [plan.eventId]))[0].t.getTime();
    const from = await ticked();
    await eventually(async () => ((await ticked()) >= from + 500 ? true : undefined));
    const admitted = await query<{ n: number }>(one.db.url, `SELECT count(*)::int AS n FROM queue_entries WHERE event_id = $1 AND state = 'ADMITTED'`, [plan.eventId]);
    assert.equal(admitted[0].n, 8, 'the start window, once');
    const counted = await Promise.all([one, two].map(async (s) => metricValue((await s.api.get('/actuator/prometheus')).text, 'seat_queue_admitted_total', { event_id: String(plan.eventId) }) ?? 0));
    assert.equal(counted[0] + counted[1], 8);
    // The admitted are the first 8 in line, whichever replica admitted them.
    const inLine = [...joins].sort((a, b) => a.body.position - b.body.position).map((r) => buyers[joins.indexOf(r)]);
    const states = await Promise.all(inLine.map((u, i) => me(i % 2 ? one.api : two.api, plan.eventId, u)));
    assert.deepEqual(
      states.map((s) => s.body.status),
      inLine.map((_, i) => (i < 8 ? 'ADMITTED' : 'WAITING')),
    );
  });
});
