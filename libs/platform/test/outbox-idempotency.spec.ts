import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { IdempotencyStore, addIdempotencyLease, createIdempotencyTable, fingerprint, requireIdempotencyKey } from '../src/idempotency/idempotency';
import { JsonLogger } from '../src/logging/json-logger';
import { MetricsService } from '../src/metrics/metrics.service';
import { OutboxWorker, PermanentFailure, enqueue, enqueueLeased, retryDelayMs } from '../src/outbox/outbox';
import { createOutboxTable } from '../src/outbox/outbox.schema';
import { TestDatabase, createTestDatabase } from '../src/testing/test-database';
import { AppError } from '../src/errors/app-error';
import { PeerRefusedError } from '../src/client/peer-refusal';

class Tables1700000000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await createOutboxTable(q);
    await createIdempotencyTable(q);
    await addIdempotencyLease(q);
  }
  async down(): Promise<void> {}
}

describe('outbox and idempotency (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const logger = new JsonLogger('test', 'fatal');
  before(async () => {
    db = await createTestDatabase('platform_outbox');
    ds = await new DataSource({ type: 'postgres', url: db.url, migrations: [Tables1700000000001], extra: { max: 30 } }).initialize();
    await ds.runMigrations();
  });
  after(async () => {
    await ds.destroy();
    await db.drop();
  });

  describe('outbox', () => {
    it('delivers what a committed transaction enqueued, once, and nothing of a rolled-back one', async () => {
      const seen: unknown[] = [];
      const worker = new OutboxWorker(ds, logger, new MetricsService('t'), { pollIntervalMs: 50 }).handle('a', async (m) => void seen.push(m.payload));
      await ds.transaction((tx) => enqueue(tx, 'a', { n: 1 }));
      await ds.transaction((tx) => enqueue(tx, 'a', { n: 1 }, 'same-key'));
      await ds.transaction((tx) => enqueue(tx, 'a', { n: 2 }, 'same-key'));
      await assert.rejects(
        ds.transaction(async (tx) => {
          await enqueue(tx, 'a', { n: 3 });
          throw new Error('rollback');
        }),
      );
      await worker.drain();
      assert.deepEqual(seen, [{ n: 1 }, { n: 1 }]);
      await worker.drain();
      assert.equal(seen.length, 2, 'sent messages are not sent again');
    });

    it('retries a failing delivery later and gives up on a permanent failure', async () => {
      let calls = 0;
      const worker = new OutboxWorker(ds, logger, new MetricsService('t'), { baseDelayMs: 10, maxDelayMs: 20 })
        .handle('flaky', async () => {
          if (++calls < 3) throw new Error('receiver down');
        })
        .handle('never', async () => {
          throw new PermanentFailure('refused for good');
        });
      await ds.transaction((tx) => enqueue(tx, 'flaky', {}));
      await ds.transaction((tx) => enqueue(tx, 'never', {}));
      for (let i = 0; i < 20 && calls < 3; i++) {
        await worker.drain();
        await new Promise((r) => setTimeout(r, 30));
      }
      assert.equal(calls, 3);
      const rows = await ds.query(`SELECT topic, status, attempts FROM outbox WHERE topic IN ('flaky', 'never') ORDER BY topic`);
      assert.deepEqual(rows, [
        { topic: 'flaky', status: 'SENT', attempts: 3 },
        { topic: 'never', status: 'DEAD', attempts: 1 },
      ]);
    });

    it('a delivery refused by a peer (PeerRefusedError) is kept PENDING and retried past maxAttempts, then sent once fixed', async () => {
      let fixed = false;
      let calls = 0;
      const worker = new OutboxWorker(ds, logger, new MetricsService('t'), { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 }).handle('refused', async () => {
        calls++;
        if (!fixed) throw new PeerRefusedError('notification', 401, 'INVALID_TOKEN');
      });
      await ds.transaction((tx) => enqueue(tx, 'refused', {}));
      for (let i = 0; i < 50 && calls < 4; i++) {
        await worker.drain();
        await new Promise((r) => setTimeout(r, 30));
      }
      const [waiting] = await ds.query(`SELECT status, attempts, last_error FROM outbox WHERE topic = 'refused'`);
      assert.equal(waiting.status, 'PENDING', 'never DEAD for a refusal, however many attempts');
      assert.ok(waiting.attempts >= 4);
      assert.match(waiting.last_error, /notification service refused/);
      fixed = true;
      for (let i = 0; i < 50 && (await ds.query(`SELECT status FROM outbox WHERE topic = 'refused'`))[0].status !== 'SENT'; i++) {
        await worker.drain();
        await new Promise((r) => setTimeout(r, 30));
      }
      assert.equal((await ds.query(`SELECT status FROM outbox WHERE topic = 'refused'`))[0].status, 'SENT');
    });

    it('a slow delivery does not hold back messages enqueued after it: they are claimed while it runs', async () => {
      let release!: () => void;
      const slowDone = new Promise<void>((r) => (release = r));
      const fast: number[] = [];
      const worker = new OutboxWorker(ds, logger, new MetricsService('t'), { pollIntervalMs: 60_000, batchSize: 4 })
        .handle('slow', () => slowDone)
        .handle('fast', async (m) => void fast.push(m.payload.i as number));
      await ds.transaction((tx) => enqueue(tx, 'slow', {}));
      const pass = worker.drain();
      await new Promise((r) => setTimeout(r, 50)); // the slow one is claimed and in flight
      for (let i = 0; i < 6; i++) await ds.transaction((tx) => enqueue(tx, 'fast', { i }));
      worker.nudge();
      for (let waited = 0; fast.length < 6 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual([...fast].sort(), [0, 1, 2, 3, 4, 5], 'delivered while the slow one was still in flight, 3 places at a time');
      release();
      await pass;
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM outbox WHERE topic IN ('slow', 'fast') AND status <> 'SENT'`);
      assert.equal(n, 0);
    });

    it('two workers (replicas) share the messages without delivering one twice', async () => {
      const seen: number[] = [];
      const handler = async (m: { payload: Record<string, unknown> }) => {
        await new Promise((r) => setTimeout(r, 2));
        seen.push(m.payload.i as number);
      };
      const workers = [0, 1].map(() => new OutboxWorker(ds, logger, new MetricsService('t'), { batchSize: 7 }).handle('shared', handler));
      await ds.transaction(async (tx) => {
        for (let i = 0; i < 100; i++) await enqueue(tx, 'shared', { i });
      });
      await Promise.all(workers.map((w) => w.drain()));
      assert.equal(seen.length, 100);
      assert.equal(new Set(seen).size, 100);
    });

    it('a leased message is delivered right after its commit, without a claim; a poll leaves it alone until its lease runs out', async () => {
      const seen: Record<string, unknown>[] = [];
      const worker = new OutboxWorker(ds, logger, new MetricsService('t')).handle('leased', async (m) => void seen.push(m.payload));
      const message = await ds.transaction((tx) => enqueueLeased(tx, 'leased', { n: 1 }, 'leased-1', worker.leaseSeconds));
      assert.equal(message?.attempts, 1);
      assert.equal(await ds.transaction((tx) => enqueueLeased(tx, 'leased', { n: 2 }, 'leased-1', 30)), null, 'a dedupe key enqueued before');
      await worker.drain();
      assert.equal(seen.length, 0, 'leased to the process that wrote it');
      worker.deliverNow([message]);
      await worker.beforeApplicationShutdown(); // waits for the delivery in flight
      assert.deepEqual([...seen], [{ n: 1 }]);
      const [row] = await ds.query(`SELECT status, lease_until FROM outbox WHERE dedupe_key = 'leased-1'`);
      assert.deepEqual(row, { status: 'SENT', lease_until: null });

      // The writer died before delivering: once the lease runs out, any worker's poll delivers it.
      const orphan = new OutboxWorker(ds, logger, new MetricsService('t')).handle('leased', async (m) => void seen.push(m.payload));
      await ds.transaction((tx) => enqueueLeased(tx, 'leased', { n: 3 }, 'leased-2', 0.05));
      await new Promise((r) => setTimeout(r, 100));
      await orphan.drain();
      assert.deepEqual(seen, [{ n: 1 }, { n: 3 }]);
    });

    it('backs off exponentially with jitter, capped', () => {
      assert.equal(retryDelayMs(1, 500, 60_000, () => 1), 500);
      assert.equal(retryDelayMs(4, 500, 60_000, () => 1), 4000);
      assert.equal(retryDelayMs(30, 500, 60_000, () => 1), 60_000);
      assert.equal(retryDelayMs(5, 500, 60_000, () => 0), 250);
    });
  });

  describe('idempotency keys', () => {
    const store = () => new IdempotencyStore(ds, { waitForFirstMs: 500 });

    it('runs once; a repeat gets the same bytes; another body is 422', async () => {
      let runs = 0;
      const work = async () => ({ status: 201, body: { id: ++runs, at: Date.now() } });
      const first = await store().run('user:1', 'k1', fingerprint({ a: 1, b: 2 }), work);
      const again = await store().run('user:1', 'k1', fingerprint({ b: 2, a: 1 }), work);
      assert.equal(runs, 1);
      assert.equal(again.body, first.body);
      assert.equal(again.replayed, true);
      await assert.rejects(store().run('user:1', 'k1', fingerprint({ a: 2 }), work), (e: unknown) => e instanceof AppError && e.status === 422);
      // Keys belong to their caller: another scope runs its own.
      await store().run('user:2', 'k1', fingerprint({ a: 1, b: 2 }), work);
      assert.equal(runs, 2);
    });

    it('20 simultaneous requests with one key run the work once', async () => {
      let runs = 0;
      const work = async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 100));
        return { status: 201, body: { ok: true } };
      };
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => new IdempotencyStore(ds, { waitForFirstMs: 2000 }).run('s', 'k-many', 'f'.repeat(64), work)));
      assert.equal(runs, 1);
      assert.ok(results.every((r) => r.status === 'fulfilled' && r.value.status === 201));
    });

    it('claim and complete in the caller\'s transactions; completed answers are found by key across scopes', async () => {
      const s = store();
      // A claim rolled back with its transaction leaves nothing.
      await assert.rejects(
        ds.transaction(async (tx) => {
          assert.equal(await s.claim(tx, 'owner:7', 'k-tx', 'a'.repeat(64)), true);
          throw new Error('rollback');
        }),
      );
      assert.equal(await ds.transaction((tx) => s.claim(tx, 'owner:7', 'k-tx', 'a'.repeat(64))), true);
      assert.equal(await s.claim(null, 'owner:7', 'k-tx', 'a'.repeat(64)), false, 'held by the first');
      assert.deepEqual(await s.completedAnswers('k-tx', 'owner:'), [], 'not completed yet');
      await ds.transaction((tx) => s.complete(tx, 'owner:7', 'k-tx', 201, '{"id":1}'));
      await store().run('owner:8', 'k-tx', 'b'.repeat(64), async () => ({ status: 201, body: { id: 2 } }));
      await store().run('other_%:9', 'k-tx', 'c'.repeat(64), async () => ({ status: 201, body: { id: 3 } }));
      const found = (await s.completedAnswers('k-tx', 'owner:')).sort((a, b) => a.scope.localeCompare(b.scope));
      assert.deepEqual(found, [
        { scope: 'owner:7', fingerprint: 'a'.repeat(64), status: 201, body: '{"id":1}' },
        { scope: 'owner:8', fingerprint: 'b'.repeat(64), status: 201, body: '{"id":2}' },
      ]);
      assert.deepEqual((await s.completedAnswers('k-tx', 'other_%')).map((a) => a.scope), ['other_%:9'], 'the prefix is matched literally');
      assert.deepEqual(await s.completedAnswers('k-tx', 'other__'), []);
      assert.equal((await s.waitForFirst('owner:7', 'k-tx', 'a'.repeat(64))).body, '{"id":1}');
    });

    it('a request whose lease lapsed (its process died) is taken over by a repeat, which runs the work itself', async () => {
      // The dead request: claimed, never renewed, never completed; its lease is made to lapse.
      assert.equal(await store().claim(null, 'user:3', 'k-dead', 'd'.repeat(64)), true);
      await ds.query(`UPDATE idempotency_keys SET lease_expires_at = now() - interval '1 second' WHERE key = 'k-dead'`);
      let runs = 0;
      const taken = await store().run('user:3', 'k-dead', 'd'.repeat(64), async () => ({ status: 201, body: { run: ++runs } }));
      assert.deepEqual([taken.status, taken.body, taken.replayed, runs], [201, '{"run":1}', false, 1]);
      assert.equal((await store().run('user:3', 'k-dead', 'd'.repeat(64), async () => ({ status: 201, body: { run: ++runs } }))).replayed, true);
      assert.equal(runs, 1);
    });

    it('a live request renews its lease: a repeat is 409 REQUEST_IN_PROGRESS with Retry-After, never a second run', async () => {
      let runs = 0;
      const live = new IdempotencyStore(ds, { leaseSeconds: 1 });
      let finish!: () => void;
      const finished = new Promise<void>((r) => (finish = r));
      const first = live.run('user:4', 'k-live', 'e'.repeat(64), async () => {
        runs++;
        await finished;
        return { status: 201, body: { ok: true } };
      });
      await new Promise((r) => setTimeout(r, 1500)); // past the first lease: only its renewals keep the key
      const repeat = new IdempotencyStore(ds, { leaseSeconds: 1, waitForFirstMs: 300 });
      await assert.rejects(
        repeat.run('user:4', 'k-live', 'e'.repeat(64), async () => ({ status: 201, body: { ok: 'twice' } })),
        (e: unknown) => e instanceof AppError && e.code === 'REQUEST_IN_PROGRESS' && e.headers?.['Retry-After'] === '1',
      );
      finish();
      assert.equal((await first).status, 201);
      assert.equal(runs, 1);
    });

    it('a failed first request lets the key be used again', async () => {
      await assert.rejects(store().run('s', 'k-fail', 'a'.repeat(64), async () => Promise.reject(new AppError(400, 'BAD', 'bad'))));
      const ok = await store().run('s', 'k-fail', 'a'.repeat(64), async () => ({ status: 200, body: 'fine' }));
      assert.equal(ok.replayed, false);
    });

    it('requires a bounded, printable Idempotency-Key', () => {
      assert.equal(requireIdempotencyKey('order_abc123_payment_001'), 'order_abc123_payment_001');
      for (const bad of [undefined, '', '   ', 'x'.repeat(256), 'has space', 'tab\tkey']) {
        assert.throws(() => requireIdempotencyKey(bad), (e: unknown) => e instanceof AppError && e.status === 400, String(bad));
      }
    });
  });
});
