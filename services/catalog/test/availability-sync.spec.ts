import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metricValue } from '@etsr/platform/testing';
import { AvailabilitySyncService } from '../src/services/availability-sync.service';
import { venueWithEvent } from './factories';
import { FakeSeating } from './fake-seating';
import { CatalogServiceUnderTest, eventually, sleep, startCatalogServiceForTest } from './harness';

const failedCycles = async (svc: CatalogServiceUnderTest) =>
  metricValue((await svc.api.get('/metrics')).text, 'catalog_availability_sync_cycles_total', { outcome: 'failed' }) ?? 0;
/** Waits until the service has tried (and failed) to reach seating `n` more times. */
async function moreFailedCycles(svc: CatalogServiceUnderTest, n: number): Promise<void> {
  const target = (await failedCycles(svc)) + n;
  await eventually(async () => ((await failedCycles(svc)) >= target ? true : undefined), 10_000, `${n} more failed sync cycles`);
}

const INTERVAL_MS = 200;
/** These tests make seating fail on purpose: keep the expected warnings out of the test output. */
const QUIET: Record<string, string> = process.env.LOG_LEVEL === 'warn' ? { LOG_LEVEL: 'error' } : {};

describe('available_seats follows the seating service (pull sync)', () => {
  let seating: FakeSeating;
  let svc: CatalogServiceUnderTest;
  before(async () => {
    seating = new FakeSeating();
    const url = await seating.start();
    svc = await startCatalogServiceForTest({ env: { SEATING_URL: url, AVAILABILITY_SYNC_INTERVAL_MS: String(INTERVAL_MS), AVAILABILITY_FULL_SYNC_EVERY: '5', ...QUIET } });
  });
  after(async () => {
    await svc.stop();
    await seating.stop();
  });

  const available = (eventId: number) => async () => {
    const res = await svc.api.get(`/v1/events/${eventId}`);
    return res.body as { available_seats: number; total_seats: number };
  };
  const until = (eventId: number, expected: number, timeoutMs = 5000) =>
    eventually(async () => ((await available(eventId)()).available_seats === expected ? true : undefined), timeoutMs, `available_seats ${expected}`);

  it('changes within a few seconds as seats are reserved and released, calling seating with a service credential', async () => {
    const { event } = await venueWithEvent(svc.api, { total_seats: 1000 });
    assert.equal(event.available_seats, 1000);
    seating.set(event.event_id, 847);
    await until(event.event_id, 847); // within 5 s, with a 200 ms interval
    seating.set(event.event_id, 800);
    await until(event.event_id, 800);
    seating.set(event.event_id, 1000);
    await until(event.event_id, 1000);

    const answered = seating.requests.filter((r) => r.status === 200);
    assert.ok(answered.length >= 3);
    assert.ok(seating.requests.every((r) => r.service === 'catalog'), 'every call carries a valid catalog credential for seating');
    assert.ok(seating.requests.every((r) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/.test(r.traceparent ?? '')), 'and a traceparent');
    assert.equal(seating.requests[0].changedSince, null, 'the first request after start asks for everything');
    assert.ok(answered.some((r) => r.changedSince !== null), 'later ones only for changes');
  });

  it('asks for everything again every AVAILABILITY_FULL_SYNC_EVERY cycles, and for changes since asOf minus 10 s in between', async () => {
    const seen = seating.requests.length;
    await eventually(async () => (seating.requests.length >= seen + 11 ? true : undefined), 8000, '11 more cycles');
    const recent = seating.requests.slice(seen);
    const fulls = recent.map((r, i) => (r.changedSince === null ? i : -1)).filter((i) => i >= 0);
    assert.ok(fulls.length >= 2, `full requests at ${fulls}`);
    for (let i = 1; i < fulls.length; i++) assert.equal(fulls[i] - fulls[i - 1], 5);
    for (const r of recent.filter((x) => x.changedSince !== null)) {
      // The cursor lies 10 s behind the previous answer's asOf, so a little more than 10 s behind this request.
      const lag = r.at - Date.parse(r.changedSince!);
      assert.ok(lag >= 10_000 && lag < 10_000 + INTERVAL_MS + 5000, `lag ${lag}`);
    }
  });

  it('keeps total_seats as the admin set it and never lets available_seats exceed it', async () => {
    const { event } = await venueWithEvent(svc.api, { total_seats: 100 });
    seating.set(event.event_id, 150, 150);
    await eventually(async () => ((await available(event.event_id)()).available_seats === 100 ? true : undefined), 5000, 'capped at 100');
    seating.set(event.event_id, 30, 150);
    await until(event.event_id, 30);
    assert.equal((await available(event.event_id)()).total_seats, 100);
  });

  it('ignores events seating knows and catalog does not', async () => {
    const { event } = await venueWithEvent(svc.api);
    seating.set(987654321, 5);
    seating.set(event.event_id, 7);
    await until(event.event_id, 7);
    assert.equal((await svc.api.get('/v1/events/987654321')).status, 404);
  });

  it('while seating is down the catalog keeps answering; it catches up when seating is back', async () => {
    const { event } = await venueWithEvent(svc.api);
    seating.down = true;
    seating.set(event.event_id, 500);
    await moreFailedCycles(svc, 2);
    const during = await svc.api.get(`/v1/events/${event.event_id}`);
    assert.equal(during.status, 200);
    assert.equal(during.body.available_seats, 1000);
    assert.equal((await svc.api.get('/health')).status, 200);
    assert.ok((metricValue((await svc.api.get('/metrics')).text, 'catalog_availability_sync_cycles_total', { outcome: 'failed' }) ?? 0) >= 2);
    seating.down = false;
    // The circuit breaker may hold calls back for 5 s after repeated failures.
    await until(event.event_id, 500, 12000);
  });

  it('seating refusing our credential (401): the counts stay as they were, the refusal is counted, and the sync catches up once fixed', async () => {
    const { event } = await venueWithEvent(svc.api);
    seating.refusing = 401;
    try {
      seating.set(event.event_id, 400);
      await eventually(
        async () => ((metricValue((await svc.api.get('/metrics')).text, 'peer_refusals_total', { peer: 'seating', status: '401' }) ?? 0) >= 2 ? true : undefined),
        5000,
        'two refused cycles',
      );
      assert.equal((await available(event.event_id)()).available_seats, 1000);
    } finally {
      seating.refusing = undefined;
    }
    await until(event.event_id, 400, 12000);
  });

  it('counts cycles and reports the last sync in the metrics', async () => {
    const metrics = (await svc.api.get('/metrics')).text;
    assert.ok((metricValue(metrics, 'catalog_availability_sync_cycles_total', { outcome: 'delta' }) ?? 0) > 0);
    assert.ok((metricValue(metrics, 'catalog_availability_sync_cycles_total', { outcome: 'full' }) ?? 0) > 0);
    assert.ok((metricValue(metrics, 'catalog_availability_updates_total') ?? 0) >= 5);
    const last = metricValue(metrics, 'catalog_availability_last_sync_timestamp_seconds') ?? 0;
    assert.ok(Date.now() / 1000 - last < 10, `last sync ${last}`);
  });
});

describe('availability sync with two replicas on one database', () => {
  it('only one replica works per interval, and never two at once', async () => {
    const seating = new FakeSeating();
    seating.latencyMs = 200;
    const url = await seating.start();
    // A long interval: after the cycle each replica runs at start, cycles happen only when the test calls them.
    const env = { SEATING_URL: url, AVAILABILITY_SYNC_INTERVAL_MS: '60000' };
    const first = await startCatalogServiceForTest({ env });
    const second = await startCatalogServiceForTest({ env, database: first.db });
    const syncOf = (svc: CatalogServiceUnderTest) => svc.app.app.get(AvailabilitySyncService);
    const cycles = async (svc: CatalogServiceUnderTest, outcome: string) =>
      metricValue((await svc.api.get('/metrics')).text, 'catalog_availability_sync_cycles_total', { outcome }) ?? 0;
    try {
      const { event } = await venueWithEvent(first.api);
      // Both replicas ran their start-up cycle; the second found the first had just worked.
      await eventually(async () => ((await cycles(second, 'not_due')) + (await cycles(second, 'busy')) + (await cycles(second, 'full')) >= 1 ? true : undefined), 5000, 'start-up cycles');
      await sleep(300);
      assert.equal(seating.requests.length, 1, 'one call to seating for two replicas');

      // Due again (as if the interval had passed): ten cycles on each replica at the same moment.
      seating.set(event.event_id, 42);
      await first.sql('UPDATE availability_sync_state SET last_run_at = NULL');
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => syncOf(i % 2 ? second : first).runOnce()));
      assert.equal(outcomes.filter((o) => o === 'full' || o === 'delta').length, 1, outcomes.join(', '));
      assert.ok(outcomes.every((o) => ['full', 'delta', 'busy', 'not_due'].includes(o)), outcomes.join(', '));
      assert.equal(seating.requests.length, 2);
      assert.equal(seating.maxInFlight, 1, 'never two calls at once');
      // Right after that cycle, neither replica is due, although the lock is free.
      assert.equal(await syncOf(second).runOnce(), 'not_due');
      assert.equal(await syncOf(first).runOnce(), 'not_due');
      assert.equal(seating.requests.length, 2);
      // Both replicas serve the result.
      for (const svc of [first, second]) assert.equal((await svc.api.get(`/v1/events/${event.event_id}`)).body.available_seats, 42);
    } finally {
      await second.stop();
      await first.stop();
      await seating.stop();
    }
  });
});

describe('availability sync when seating cannot be reached at all', () => {
  it('the service starts and serves; cycles fail quietly', async () => {
    const seating = new FakeSeating();
    const url = await seating.start();
    await seating.stop(); // nothing listens there any more
    const svc = await startCatalogServiceForTest({ env: { SEATING_URL: url, AVAILABILITY_SYNC_INTERVAL_MS: '100', ...QUIET } });
    try {
      const { event } = await venueWithEvent(svc.api);
      await moreFailedCycles(svc, 2);
      assert.equal((await svc.api.get(`/v1/events/${event.event_id}`)).body.available_seats, event.total_seats);
      assert.equal((await svc.api.get('/health')).status, 200);
      const failed = metricValue((await svc.api.get('/metrics')).text, 'catalog_availability_sync_cycles_total', { outcome: 'failed' }) ?? 0;
      assert.ok(failed >= 2, `failed cycles: ${failed}`);
    } finally {
      await svc.stop();
    }
  });
});
