import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonLogger, MetricsService } from '@etsr/platform';
import { metricValue } from '@etsr/platform/testing';
import { AvailabilitySnapshot, SeatingClient } from '../clients/seating.client';
import { CatalogConfig } from '../config';
import { AvailabilityRepository, SeatCount, SyncProgress, SyncSession, SyncState } from '../repositories/availability.repository';
import { AvailabilitySyncService, CURSOR_OVERLAP_MS, STARTUP_GRACE_MS } from './availability-sync.service';
import { CatalogMetrics } from './catalog-metrics';

/** A stand-in that fails loudly on any member nobody set up. */
function strict<T extends object>(name: string, impl: Partial<T>): T {
  return new Proxy(impl as T, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof T];
      if (prop === 'then') return undefined;
      throw new Error(`${name}.${String(prop)} was used but not set up`);
    },
  });
}

interface Harness {
  sync: AvailabilitySyncService;
  requests: (Date | undefined)[];
  applied: { counts: SeatCount[]; progress: SyncProgress }[];
  state: SyncState;
  lines: Record<string, unknown>[];
  metrics: MetricsService;
  setLocked(locked: boolean): void;
  setSeating(answer: (changedSince?: Date) => Promise<AvailabilitySnapshot>): void;
}

function harness(config: Partial<CatalogConfig> = {}): Harness {
  const requests: (Date | undefined)[] = [];
  const applied: Harness['applied'] = [];
  const state: SyncState = { changedSince: null, runsSinceFull: 0, due: true };
  let locked = true;
  let asOf = Date.parse('2026-11-21T06:00:00.000Z');
  let answer = async (_changedSince?: Date): Promise<AvailabilitySnapshot> => ({ asOf: new Date((asOf += 2000)), events: [{ eventId: 1, availableSeats: 10 }], skipped: 0 });

  const session = strict<SyncSession>('session', {
    readState: async () => ({ ...state }),
    apply: async (counts: SeatCount[], progress: SyncProgress) => {
      applied.push({ counts, progress });
      state.changedSince = progress.changedSince;
      state.runsSinceFull = progress.runsSinceFull;
      return counts.map((c) => c.eventId);
    },
  });
  const repository = strict<AvailabilityRepository>('repository', {
    withSyncLock: (async (work: (s: SyncSession) => Promise<unknown>) => (locked ? { locked: true, result: await work(session) } : { locked: false })) as AvailabilityRepository['withSyncLock'],
  });
  const seating = strict<SeatingClient>('seating', {
    configured: true,
    availability: async (changedSince?: Date) => {
      requests.push(changedSince);
      return answer(changedSince);
    },
  });
  const metrics = new MetricsService('catalog');
  const catalogMetrics = strict<CatalogMetrics>('metrics', {
    syncCycles: metrics.counter({ name: 'cycles_total', help: 'test', labelNames: ['outcome'] }),
    syncUpdates: metrics.counter({ name: 'updates_total', help: 'test' }),
  });
  const lines: Record<string, unknown>[] = [];
  const logger = new JsonLogger('catalog', 'debug', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const fullConfig = Object.assign(new CatalogConfig(), { SEATING_URL: 'http://seating.test', ...config });
  return {
    sync: new AvailabilitySyncService(fullConfig, seating, repository, catalogMetrics, logger),
    requests,
    applied,
    state,
    lines,
    metrics,
    setLocked: (l) => (locked = l),
    setSeating: (a) => (answer = a),
  };
}

describe('AvailabilitySyncService', () => {
  it('asks for everything first, then for changes since the last asOf minus 10 s; a full resync every N cycles', async () => {
    const h = harness({ AVAILABILITY_FULL_SYNC_EVERY: 3 });
    const outcomes = [];
    for (let i = 0; i < 7; i++) outcomes.push(await h.sync.runOnce());
    assert.deepEqual(outcomes, ['full', 'delta', 'delta', 'full', 'delta', 'delta', 'full']);
    assert.deepEqual(h.requests.map((r) => r === undefined), [true, false, false, true, false, false, true]);
    // Each delta request continues where the previous answer left off, 10 s earlier.
    assert.equal(h.requests[1]!.getTime(), h.applied[0].progress.changedSince.getTime());
    assert.equal(h.applied[0].progress.changedSince.getTime(), Date.parse('2026-11-21T06:00:02.000Z') - CURSOR_OVERLAP_MS);
    assert.deepEqual(h.applied.map((a) => a.progress.runsSinceFull), [0, 1, 2, 0, 1, 2, 0]);
    assert.deepEqual(h.applied[0].counts, [{ eventId: 1, availableSeats: 10 }]);
  });

  it('the first cycle of a process is full even when the shared state has a cursor', async () => {
    const h = harness();
    h.state.changedSince = new Date('2026-11-21T05:00:00Z');
    h.state.runsSinceFull = 4;
    assert.equal(await h.sync.runOnce(), 'full');
    assert.equal(h.requests[0], undefined);
    assert.equal(await h.sync.runOnce(), 'delta');
  });

  it('a shared state without a cursor means a full request', async () => {
    const h = harness();
    await h.sync.runOnce();
    h.state.changedSince = null;
    assert.equal(await h.sync.runOnce(), 'full');
  });

  it('does nothing when another replica holds the lock, or ran within the interval', async () => {
    const h = harness();
    h.setLocked(false);
    assert.equal(await h.sync.runOnce(), 'busy');
    h.setLocked(true);
    h.state.due = false;
    assert.equal(await h.sync.runOnce(), 'not_due');
    assert.deepEqual(h.requests, []);
    assert.deepEqual(h.applied, []);
    assert.equal(metricValue(await h.metrics.registry.metrics(), 'cycles_total', { outcome: 'busy' }), 1);
  });

  it('while seating fails: keeps going, warns once a minute at most, says when it works again', async () => {
    const h = harness();
    h.sync.now = () => Date.now() + STARTUP_GRACE_MS; // past the start-up grace
    h.setSeating(async () => {
      throw new Error('The seating service is unavailable (connect ECONNREFUSED)');
    });
    for (let i = 0; i < 5; i++) assert.equal(await h.sync.runOnce(), 'failed');
    const warnings = h.lines.filter((l) => l.level === 'WARN');
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0].reason), /ECONNREFUSED/);
    assert.deepEqual(h.applied, []);
    h.setSeating(async () => ({ asOf: new Date(), events: [], skipped: 0 }));
    assert.equal(await h.sync.runOnce(), 'full');
    const recovered = h.lines.filter((l) => l.message === 'Availability sync works again');
    assert.equal(recovered.length, 1);
    assert.equal(recovered[0].suppressedWarnings, 4);
    assert.equal(metricValue(await h.metrics.registry.metrics(), 'cycles_total', { outcome: 'failed' }), 5);
  });

  it('started before seating: info, not a warning, while within 30 s of the start; a warning when it lasts longer', async () => {
    const h = harness();
    let offset = 0;
    h.sync.now = () => Date.now() + offset;
    h.setSeating(async () => {
      throw new Error('The seating service is unavailable (connect ECONNREFUSED)');
    });
    for (let i = 0; i < 3; i++) assert.equal(await h.sync.runOnce(), 'failed');
    assert.deepEqual(h.lines.filter((l) => l.level === 'WARN'), []);
    const waiting = h.lines.filter((l) => l.level === 'INFO' && /Seating does not answer yet/.test(String(l.message)));
    assert.equal(waiting.length, 1, 'said once');
    assert.match(String(waiting[0].reason), /ECONNREFUSED/);

    offset = STARTUP_GRACE_MS; // still nothing 30 s after the start: now it is worth a warning
    assert.equal(await h.sync.runOnce(), 'failed');
    assert.equal(h.lines.filter((l) => l.level === 'WARN').length, 1);
    h.setSeating(async () => ({ asOf: new Date(), events: [], skipped: 0 }));
    assert.equal(await h.sync.runOnce(), 'full');
    assert.equal(h.lines.filter((l) => l.message === 'Availability sync works again').length, 1);
  });

  it('seating answering within the grace: no warning at all, and a line saying the sync reached it', async () => {
    const h = harness();
    h.setSeating(async () => {
      throw new Error('The seating service is unavailable (connect ECONNREFUSED)');
    });
    assert.equal(await h.sync.runOnce(), 'failed');
    h.setSeating(async () => ({ asOf: new Date(), events: [{ eventId: 1, availableSeats: 10 }], skipped: 0 }));
    assert.equal(await h.sync.runOnce(), 'full');
    assert.deepEqual(h.lines.filter((l) => l.level === 'WARN'), []);
    assert.equal(h.lines.filter((l) => l.message === 'Availability sync reached seating').length, 1);
    // Once it has reached seating, a later failure is an outage, not a start: warned at once.
    h.setSeating(async () => {
      throw new Error('The seating service is unavailable (connect ECONNREFUSED)');
    });
    assert.equal(await h.sync.runOnce(), 'failed');
    assert.equal(h.lines.filter((l) => l.level === 'WARN').length, 1);
  });

  it('is off without SEATING_URL: no cycle ever runs', async () => {
    const h = harness();
    const off = new AvailabilitySyncService(
      Object.assign(new CatalogConfig(), { AVAILABILITY_SYNC_INTERVAL_MS: 50 }),
      strict<SeatingClient>('seating', { configured: false }),
      strict<AvailabilityRepository>('repository', {}),
      strict<CatalogMetrics>('metrics', {}),
      new JsonLogger('catalog', 'info', { write: (line: string) => void h.lines.push(JSON.parse(line)) }),
    );
    off.onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 150));
    await off.onApplicationShutdown();
    assert.ok(h.lines.some((l) => /off: SEATING_URL is not set/.test(String(l.message))));
  });

  it('runs on its interval, and shutdown waits for the cycle in progress', async () => {
    const h = harness({ AVAILABILITY_SYNC_INTERVAL_MS: 50 });
    let release!: () => void;
    let calls = 0;
    h.setSeating(async () => {
      calls++;
      if (calls === 3) await new Promise<void>((r) => (release = r));
      return { asOf: new Date(), events: [], skipped: 0 };
    });
    h.sync.onApplicationBootstrap();
    while (calls < 3) await new Promise((r) => setTimeout(r, 10));
    let stopped = false;
    const stopping = h.sync.beforeApplicationShutdown().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(stopped, false, 'shutdown waits for the running cycle');
    release();
    await stopping;
    await h.sync.onApplicationShutdown();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(calls, 3, 'no cycle after shutdown');
  });
});
