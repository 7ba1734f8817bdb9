import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { eventually, metricValue } from '@etsr/platform/testing';
import { Feed, openFeed } from './feed-client';
import { SMALL_LAYOUT, SeatPlan, createPlan, newEventId, readSettled } from './factories';
import { SeatingUnderTest, adminToken, startSeatingForTest, userToken } from './harness';

type Api = SeatingUnderTest['api'];

const statusOf = (map: any, seatId: number): string | undefined => {
  for (const section of map.sections) for (const row of section.rows) for (const seat of row.seats) if (seat[0] === seatId) return seat[2];
  return undefined;
};

const metric = async (svc: SeatingUnderTest, name: string, labels: Record<string, string> = {}) =>
  metricValue((await svc.api.get('/metrics')).text, name, labels) ?? 0;

const hold = (api: Api, userId: number, eventId: number, seatIds: number[]) =>
  api.post('/v1/seats/reserve', { token: userToken(userId), body: { eventId, seatIds } });

async function sql<T = any>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

describe('seat map snapshots: ETag, 304, compression, staleness', () => {
  let svc: SeatingUnderTest;
  let plan: SeatPlan;
  before(async () => {
    svc = await startSeatingForTest();
    plan = await createPlan(svc.api);
  });
  after(() => svc.stop());

  it('answers 304 with no body to a current ETag, and a new ETag once a hold shows on the map', async () => {
    const first = await svc.api.get(`/v1/seats?eventId=${plan.eventId}`);
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^W\/"[A-Za-z0-9_-]+"$/);
    assert.equal(first.headers.get('cache-control'), 'public, max-age=1');
    assert.match(first.headers.get('vary') ?? '', /Accept-Encoding/i);

    const before304 = await metric(svc, 'seat_map_not_modified_total', { resource: 'map' });
    const same = await svc.api.get(`/v1/seats?eventId=${plan.eventId}`, { headers: { 'if-none-match': etag } });
    assert.equal(same.status, 304);
    assert.equal(same.text, '');
    assert.equal(same.headers.get('etag'), etag);
    assert.equal(await metric(svc, 'seat_map_not_modified_total', { resource: 'map' }), before304 + 1);
    // Any of several tags, strong or weak, matches.
    assert.equal((await svc.api.get(`/v1/seats?eventId=${plan.eventId}`, { headers: { 'if-none-match': `"x", ${etag.slice(2)}` } })).status, 304);
    assert.equal((await svc.api.get(`/v1/seats?eventId=${plan.eventId}`, { headers: { 'if-none-match': '"other"' } })).status, 200);

    const seat = plan.ids['VIP-A-1'];
    assert.equal((await hold(svc.api, 7, plan.eventId, [seat])).status, 201);
    const changed = await readSettled(svc.api, `/v1/seats?eventId=${plan.eventId}`, (m) => statusOf(m, seat) === 'RESERVED');
    assert.notEqual(changed.headers.get('etag'), etag);
    assert.equal((await svc.api.get(`/v1/seats?eventId=${plan.eventId}`, { headers: { 'if-none-match': etag } })).status, 200);
    const counts = await readSettled(svc.api, `/v1/seats/availability?eventId=${plan.eventId}`, (a) => a.reservedSeats === 1);
    assert.equal(counts.body.availableSeats, 99);
    const again = await svc.api.get(`/v1/seats/availability?eventId=${plan.eventId}`, { headers: { 'if-none-match': counts.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });

  it('serves the section filter from the snapshot, and 404s as before', async () => {
    const vip = await svc.api.get(`/v1/seats?eventId=${plan.eventId}&section=VIP`);
    assert.equal(vip.status, 200);
    assert.deepEqual(vip.body.sections.map((s: { section: string }) => s.section), ['VIP']);
    assert.equal(vip.body.totalSeats, 20);
    const counts = await svc.api.get(`/v1/seats/availability?eventId=${plan.eventId}&section=REGULAR`);
    assert.deepEqual([counts.body.totalSeats, counts.body.seatsBySection.length, counts.body.seatsBySection[0].price], [50, 1, 50]);
    const whole = await svc.api.get(`/v1/seats/availability?eventId=${plan.eventId}`);
    assert.deepEqual(whole.body.seatsBySection.map((s: { section: string }) => s.section), ['VIP', 'PREMIUM', 'REGULAR']);
    assert.equal((await svc.api.get(`/v1/seats?eventId=${plan.eventId}&section=NOPE`)).body.error, 'SECTION_NOT_FOUND');
    assert.equal((await svc.api.get(`/v1/seats/availability?eventId=${plan.eventId}&section=NOPE`)).status, 404);
    assert.equal((await svc.api.get(`/v1/seats?eventId=${plan.eventId}&section=`)).body.error, 'SECTION_NOT_FOUND');
    assert.equal((await svc.api.get(`/v1/seats?eventId=${newEventId()}`)).body.error, 'EVENT_NOT_FOUND');
  });

  it('compresses large bodies with the encoding the client accepts, small ones not at all', async () => {
    const big = await createPlan(svc.api, [{ name: 'FLOOR', rows: 40, seatsPerRow: 50, price: 40 }]);
    const url = `${svc.url}/v1/seats?eventId=${big.eventId}`;
    const raw = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    const plain = Buffer.from(await raw.arrayBuffer());
    assert.equal(raw.headers.get('content-encoding'), null);
    for (const [accept, expected] of [['gzip', 'gzip'], ['gzip, deflate, br', 'br'], ['br;q=0, gzip', 'gzip'], ['deflate', null]] as const) {
      const res = await fetch(url, { headers: { 'accept-encoding': accept } });
      assert.equal(res.headers.get('content-encoding'), expected, accept);
      // fetch decodes what it asked for: the same JSON in the end.
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), plain, accept);
    }
    const small = await fetch(`${svc.url}/v1/seats/availability?eventId=${big.eventId}&section=FLOOR`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(small.headers.get('content-encoding'), null);
    assert.equal(((await small.json()) as { totalSeats: number }).totalSeats, 2000);
  });

  it('300 parallel readers of a cold event cost one snapshot query, are all answered, and do not stop holds', async () => {
    const eventId = newEventId();
    const created = await svc.api.post('/v1/seats/bulk', { token: adminToken(), body: { eventId, venueId: 1, sections: SMALL_LAYOUT } });
    assert.equal(created.status, 201);
    const refreshes = () => metric(svc, 'seat_map_refreshes_total', { event_id: String(eventId) });
    assert.equal(await refreshes(), 0);

    const readers = Array.from({ length: 300 }, (_, i) => svc.api.get(i % 2 ? `/v1/seats?eventId=${eventId}` : `/v1/seats/availability?eventId=${eventId}`));
    const statuses = (await Promise.all(readers)).map((r) => r.status);
    assert.deepEqual([...new Set(statuses)], [200]);
    // One query for all of them; the plan's own notification may land after the first read and cost one more.
    assert.ok((await refreshes()) <= 2, `single-flight: ${await refreshes()} queries for 300 readers`);

    // A crowd with ETags, while buyers hold seats: every read is 200 or 304, every hold succeeds.
    const map = await svc.api.get(`/v1/seats?eventId=${eventId}`);
    const ids: number[] = map.body.sections.flatMap((s: any) => s.rows.flatMap((r: any) => r.seats.map((seat: any) => seat[0])));
    const crowd = Array.from({ length: 300 }, () => svc.api.get(`/v1/seats?eventId=${eventId}`, { headers: { 'if-none-match': map.headers.get('etag')! } }));
    const holds = ids.slice(0, 10).map((seatId, i) => hold(svc.api, 100 + i, eventId, [seatId]));
    const [reads, held] = await Promise.all([Promise.all(crowd), Promise.all(holds)]);
    assert.ok(reads.every((r) => r.status === 200 || r.status === 304), [...new Set(reads.map((r) => r.status))].join());
    assert.deepEqual([...new Set(held.map((h) => h.status))], [201]);
    await readSettled(svc.api, `/v1/seats/availability?eventId=${eventId}`, (a) => a.reservedSeats === 10);
    // Ten holds, 600 reads: a handful of refreshes (notifications coalesce, at most one query in flight).
    const total = await refreshes();
    assert.ok(total <= 12, `${total} snapshot queries`);
  });
});

describe('seat map snapshots: lapsed holds', () => {
  let svc: SeatingUnderTest;
  before(async () => {
    // The sweeper is kept out of the way: the snapshot has to notice the lapse by itself.
    svc = await startSeatingForTest({ RESERVATION_TTL_SECONDS: '1', SWEEP_INTERVAL_MS: '3600000' });
  });
  after(() => svc.stop());

  it('a lapsed hold that nothing has swept shows as free soon after its expiry', async () => {
    const plan = await createPlan(svc.api);
    const seat = plan.ids['REGULAR-J-5'];
    assert.equal((await hold(svc.api, 9, plan.eventId, [seat])).status, 201);
    await readSettled(svc.api, `/v1/seats?eventId=${plan.eventId}`, (m) => statusOf(m, seat) === 'RESERVED');
    await readSettled(svc.api, `/v1/seats?eventId=${plan.eventId}`, (m) => statusOf(m, seat) === 'AVAILABLE');
    const [row] = await sql(svc.db.url, `SELECT status FROM seats WHERE seat_id = $1`, [seat]);
    assert.equal(row.status, 'RESERVED', 'still unswept in the database');
  });
});

describe('live seat feed (SSE) across two replicas', () => {
  let a: SeatingUnderTest;
  let b: SeatingUnderTest;
  let plan: SeatPlan;
  const feeds: Feed[] = [];
  const follow = async (svc: SeatingUnderTest, eventId: number, headers?: Record<string, string>) => {
    const feed = await openFeed(svc.url, eventId, headers);
    feeds.push(feed);
    return feed;
  };
  before(async () => {
    a = await startSeatingForTest();
    b = await startSeatingForTest({ SEAT_FEED_MAX_SUBSCRIBERS: '3', SEAT_FEED_HEARTBEAT_MS: '200' }, a.db);
    plan = await createPlan(a.api);
  });
  after(async () => {
    for (const f of feeds) f.close();
    await b.stop();
    await a.stop();
  });

  it('a subscriber on replica B receives every change made through replica A', async () => {
    const feed = await follow(b, plan.eventId);
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(feed.headers.get('content-encoding'), null);
    const first = await feed.next(() => true, 'the first message');
    assert.deepEqual(Object.keys(first.data).sort(), ['map', 'reload', 'version']);
    assert.equal(first.data.map, `/v1/seats?eventId=${plan.eventId}`);
    assert.equal(first.data.reload, true);
    assert.equal(first.id, first.data.version);

    // Five holds one after another through A, then one cancelled: each seat's change reaches B.
    const seats = ['VIP-A-1', 'VIP-A-2', 'PREMIUM-C-3', 'PREMIUM-D-4', 'REGULAR-F-5'].map((k) => plan.ids[k]);
    const reservations: string[] = [];
    for (const [i, seat] of seats.entries()) {
      const res = await hold(a.api, 20 + i, plan.eventId, [seat]);
      assert.equal(res.status, 201, res.text);
      reservations.push(res.body.reservationId);
    }
    const latest = new Map<number, string>();
    const seen = () => {
      latest.clear();
      for (const m of feed.messages.slice(1)) for (const [id, status] of m.data.changes) latest.set(id, status);
      return seats.every((s) => latest.get(s) === 'RESERVED') ? true : undefined;
    };
    await eventually(seen, 10_000, () => `every hold on the feed; saw ${JSON.stringify(feed.messages)}`);
    assert.equal((await a.api.delete(`/v1/seats/reservation/${reservations[0]}`, { token: userToken(20) })).status, 200);
    await feed.next((m) => m.data.changes?.some(([id, status]: [number, string]) => id === seats[0] && status === 'AVAILABLE'), 'the cancellation');

    // Consecutive messages chain (previous = the version before), and ids are versions.
    for (let i = 1; i < feed.messages.length; i++) {
      assert.equal(feed.messages[i].data.previous, feed.messages[i - 1].data.version);
      assert.equal(feed.messages[i].id, feed.messages[i].data.version);
    }
    // The last version is the map's ETag: a page that follows the feed knows its map is current.
    const version = feed.messages[feed.messages.length - 1].data.version;
    const map = await eventually(async () => {
      const res = await b.api.get(`/v1/seats?eventId=${plan.eventId}`);
      return res.headers.get('etag') === `W/"${version}"` ? res : undefined;
    }, 5000, 'the map at the feed\'s version');
    assert.equal(statusOf(map.body, seats[0]), 'AVAILABLE');
    assert.ok(feed.comments.includes('heartbeat'), 'heartbeats (every 200 ms on B)');
    feed.close();
  });

  it('an ETag from one replica is good on the other (versions are content hashes)', async () => {
    const fromA = await readSettled(a.api, `/v1/seats?eventId=${plan.eventId}`, () => true);
    const etag = fromA.headers.get('etag')!;
    const onB = await eventually(async () => {
      const res = await b.api.get(`/v1/seats?eventId=${plan.eventId}`, { headers: { 'if-none-match': etag } });
      return res.status === 304 ? res : undefined;
    }, 5000, 'B to answer 304 to A\'s ETag');
    assert.equal(onB.headers.get('etag'), etag);
    // An event B has no snapshot of yet: the first read builds it and still answers 304.
    const other = await createPlan(a.api, [{ name: 'BOX', rows: 1, seatsPerRow: 4, price: 300 }]);
    const tag = (await a.api.get(`/v1/seats/availability?eventId=${other.eventId}`)).headers.get('etag')!;
    assert.equal((await b.api.get(`/v1/seats/availability?eventId=${other.eventId}`, { headers: { 'if-none-match': tag } })).status, 304);
  });

  it('a client reconnecting with the current version as Last-Event-ID is told it need not reload', async () => {
    const feed = await follow(b, plan.eventId);
    const first = await feed.next(() => true);
    feed.close();
    const again = await follow(b, plan.eventId, { 'last-event-id': first.data.version });
    assert.equal((await again.next(() => true)).data.reload, false);
    again.close();
  });

  it('refuses beyond the subscriber cap with 503 FEED_FULL, cleans up on disconnect, and 404s an unknown event', async () => {
    await eventually(async () => ((await metric(b, 'seat_feed_subscribers')) === 0 ? true : undefined), 5000, 'earlier streams to be cleaned up');
    const open = [await follow(b, plan.eventId), await follow(b, plan.eventId), await follow(b, plan.eventId)];
    assert.deepEqual(open.map((f) => f.status), [200, 200, 200]);
    assert.equal(await metric(b, 'seat_feed_subscribers'), 3);
    const refused = await follow(b, plan.eventId);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.equal(JSON.parse(refused.text).error, 'FEED_FULL');
    assert.equal(await metric(b, 'seat_feed_refused_total', { reason: 'FEED_FULL' }), 1);

    for (const f of open) f.close();
    await eventually(async () => ((await metric(b, 'seat_feed_subscribers')) === 0 ? true : undefined), 5000, 'the gauge back to 0 after disconnects');
    assert.equal((await follow(b, plan.eventId)).status, 200);
    const unknown = await follow(b, newEventId());
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.text).error, 'EVENT_NOT_FOUND');
    assert.equal((await follow(b, 0)).status, 400);
  });

  it('the listener reconnects after its connection is killed, and changes flow again', async () => {
    const listeners = () => sql<{ pid: number }>(a.db.url, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'seating-listener'`);
    const before = (await listeners()).map((r) => r.pid);
    assert.equal(before.length, 2, 'one listener per replica');
    await sql(a.db.url, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY ($1)`, [before]);
    await eventually(async () => {
      const now = (await listeners()).map((r) => r.pid);
      return now.length === 2 && now.every((pid) => !before.includes(pid)) && (await metric(b, 'seat_changes_listener_up')) === 1 ? true : undefined;
    }, 10_000, 'both listeners back on new connections');

    await eventually(async () => ((await metric(b, 'seat_feed_subscribers')) <= 2 ? true : undefined), 5000, 'a free feed slot');
    const feed = await follow(b, plan.eventId);
    await feed.next(() => true);
    const seat = plan.ids['REGULAR-J-10'];
    assert.equal((await hold(a.api, 40, plan.eventId, [seat])).status, 201);
    await feed.next((m) => m.data.changes?.some(([id, status]: [number, string]) => id === seat && status === 'RESERVED'), 'the hold after the reconnect');
    feed.close();
  });

  it('shutting a replica down ends its open streams, so it exits promptly', async () => {
    const c = await startSeatingForTest({}, a.db);
    const feed = await openFeed(c.url, plan.eventId);
    await feed.next(() => true);
    await c.app.close();
    await feed.ended;
  });
});
