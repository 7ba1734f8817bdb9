import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { TokenService } from '../auth/token-service';
import { AppError } from '../errors/app-error';
import { JsonLogger } from '../logging/json-logger';
import { runWithTrace } from '../logging/trace-context';
import { MetricsService } from '../metrics/metrics.service';
import { metricValue } from '../testing/metrics';
import { PeerRefusedError } from './peer-refusal';
import { ServiceClient, UpstreamError } from './service-client';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

describe('ServiceClient', () => {
  let server: Server;
  let baseUrl: string;
  let handler: Handler;
  let calls: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[];
  const tokens = new TokenService('j'.repeat(40), 's'.repeat(40), 'order');
  const seating = new TokenService('j'.repeat(40), 's'.repeat(40), 'seating');
  const log = new JsonLogger('order', 'silent').forContext('test');
  let metrics = new MetricsService('order');

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls.push({ method: req.method, url: req.url, headers: req.headers, body });
        handler(req, res, body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    calls = [];
    metrics = new MetricsService('order');
  });

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const newClient = (extra: Partial<ConstructorParameters<typeof ServiceClient>[0]> = {}) =>
    new ServiceClient({ target: 'seating', baseUrl, tokens, timeoutMs: 300, maxAttempts: 3, breakerMinimumRps: 1000, log, metrics, ...extra });
  const refusals = async (status: string) => metricValue(await metrics.registry.metrics(), 'peer_refusals_total', { peer: 'seating', status });

  for (const status of [401, 403]) {
    it(`a ${status} to our service credential is a PeerRefusedError: 503 DEPENDENCY_MISCONFIGURED, counted, not retried at once`, async () => {
      handler = (_, res) => json(res, status, { statusCode: status, error: 'INVALID_TOKEN', message: 'no' });
      await assert.rejects(newClient().request({ method: 'GET', path: '/x' }), (e: unknown) => {
        assert.ok(e instanceof PeerRefusedError && e instanceof AppError && !(e instanceof UpstreamError));
        assert.deepEqual([e.status, e.code, e.peer, e.peerStatus, e.peerCode], [503, 'DEPENDENCY_MISCONFIGURED', 'seating', status, 'INVALID_TOKEN']);
        assert.doesNotMatch(e.message, /SERVICE_SECRET/, 'the user is not told our settings');
        return true;
      });
      assert.equal(calls.length, 1, 'the outbox (or the user) retries, with backoff; the client does not hammer the peer');
      assert.equal(await refusals(String(status)), 1);
    });
  }

  it('counts no refusal before there is one, from 0 (the alert has data on a healthy service)', async () => {
    newClient();
    assert.deepEqual([await refusals('401'), await refusals('403')], [0, 0]);
  });

  it("a 403 to a user's own token (bearer) is the callee's verdict on that user: an UpstreamError, not counted", async () => {
    handler = (_, res) => json(res, 403, { statusCode: 403, error: 'FORBIDDEN', message: 'no' });
    await assert.rejects(newClient().request({ method: 'GET', path: '/x', bearer: 'user-token' }), (e: unknown) => e instanceof UpstreamError && e.status === 403);
    assert.equal(await refusals('403'), 0);
  });

  it('other 4xx answers stay UpstreamErrors (a verdict on the request), not refusals', async () => {
    handler = (_, res) => json(res, 409, { statusCode: 409, error: 'CONFLICT', message: 'no' });
    await assert.rejects(newClient().request({ method: 'POST', path: '/x', body: {} }), (e: unknown) => e instanceof UpstreamError && e.status === 409);
    assert.equal(await refusals('409'), undefined);
  });

  it('sends the service credential for the callee and the caller\'s trace', async () => {
    handler = (_, res) => json(res, 200, { ok: true });
    const traceId = 'd'.repeat(32);
    const body = await runWithTrace(() => newClient().request({ method: 'GET', path: '/internal/v1/x' }), traceId);
    assert.deepEqual(body, { ok: true });
    const headers = calls[0].headers;
    assert.match(String(headers.traceparent), new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const token = String(headers.authorization).replace('Bearer ', '');
    assert.deepEqual(seating.verifyServiceToken(token), { kind: 'service', service: 'order' });
  });

  it('retries an idempotent call after 5xx answers, with backoff', async () => {
    let n = 0;
    handler = (_, res) => (++n < 3 ? json(res, 503, { error: 'DOWN' }) : json(res, 200, { n }));
    assert.deepEqual(await newClient().request({ method: 'GET', path: '/x' }), { n: 3 });
    assert.equal(calls.length, 3);
  });

  it('does not retry a POST that is not idempotent', async () => {
    handler = (_, res) => json(res, 503, { error: 'DOWN' });
    await assert.rejects(newClient().request({ method: 'POST', path: '/x', body: { a: 1 } }), (e: unknown) => e instanceof UpstreamError && e.status === 503);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].body, '{"a":1}');
  });

  it('a callee answering 503 with Retry-After, then 200: the call succeeds, sent again no sooner than asked', async () => {
    const sentAt: number[] = [];
    handler = (_, res) => {
      sentAt.push(Date.now());
      if (sentAt.length === 1) res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":"BUSY"}');
      else json(res, 200, { ok: true });
    };
    assert.deepEqual(await newClient().request({ method: 'GET', path: '/x' }), { ok: true });
    assert.equal(calls.length, 2);
    assert.ok(sentAt[1] - sentAt[0] >= 1000, `sent again after ${sentAt[1] - sentAt[0]} ms`);
  });

  it('retries a 429 with Retry-After, and a POST carrying an Idempotency-Key', async () => {
    let n = 0;
    handler = (_, res) => (++n === 1 ? res.writeHead(429, { 'retry-after': '0' }).end() : json(res, 201, { n }));
    const body = await newClient().request({ method: 'POST', path: '/internal/v1/x', body: { a: 1 }, headers: { 'Idempotency-Key': 'k-1' } });
    assert.deepEqual(body, { n: 2 });
    assert.deepEqual(calls.map((c) => c.headers['idempotency-key']), ['k-1', 'k-1']);
  });

  it('does not retry a POST without Idempotency-Key, even on 503 with Retry-After', async () => {
    handler = (_, res) => res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end('{"error":"BUSY"}');
    await assert.rejects(newClient().request({ method: 'POST', path: '/x', body: { a: 1 } }), (e: unknown) => e instanceof UpstreamError && e.status === 503);
    assert.equal(calls.length, 1);
  });

  it('does not wait longer than maxRetryAfterMs: a callee asking for more gets its answer back at once', async () => {
    handler = (_, res) => res.writeHead(503, { 'retry-after': '30' }).end();
    // A generous timeout: on a loaded machine a 300 ms one can lapse and retry, which is not what this tests.
    await assert.rejects(newClient({ maxRetryAfterMs: 2000, timeoutMs: 5000 }).request({ method: 'GET', path: '/x' }), (e: unknown) => e instanceof UpstreamError && e.status === 503);
    assert.equal(calls.length, 1);
  });

  it('a callee shedding load (503 with Retry-After) does not open the circuit', async () => {
    handler = (_, res) => res.writeHead(503, { 'retry-after': '1' }).end();
    const client = newClient({ maxAttempts: 1, breakerWindowMs: 5000, breakerMinimumRps: 1, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 10; i++) await assert.rejects(client.request({ method: 'GET', path: '/x' }), (e: unknown) => e instanceof UpstreamError && e.status === 503);
    handler = (_, res) => json(res, 200, { ok: true });
    assert.deepEqual(await client.request({ method: 'GET', path: '/x' }), { ok: true });
  });

  it('does not retry a 4xx: it is the callee\'s answer', async () => {
    handler = (_, res) => json(res, 409, { error: 'SEAT_UNAVAILABLE' });
    await assert.rejects(newClient().request({ method: 'GET', path: '/x' }), (e: unknown) => e instanceof UpstreamError && e.code === 'SEAT_UNAVAILABLE');
    assert.equal(calls.length, 1);
  });

  it('gives up on a callee that does not answer in time: 503 DEPENDENCY_UNAVAILABLE', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    await assert.rejects(newClient({ maxAttempts: 2 }).request({ method: 'GET', path: '/slow' }), (e: unknown) => e instanceof AppError && e.status === 503);
    assert.ok(Date.now() - started < 3000);
  });

  it('opens the circuit when most calls fail and fails fast', async () => {
    handler = (_, res) => json(res, 500, {});
    const client = newClient({ maxAttempts: 1, breakerWindowMs: 5000, breakerMinimumRps: 1, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 6; i++) await assert.rejects(client.request({ method: 'GET', path: '/x' }));
    const before = calls.length;
    await assert.rejects(client.request({ method: 'GET', path: '/x' }), (e: unknown) => e instanceof AppError && /circuit open/.test(e.message));
    assert.equal(calls.length, before, 'no request while the circuit is open');
  });

  it('answers 503 when nothing listens at the address', async () => {
    const client = new ServiceClient({ target: 'payment', baseUrl: 'http://127.0.0.1:1', tokens, timeoutMs: 300, maxAttempts: 1, log, metrics });
    await assert.rejects(client.request({ method: 'GET', path: '/x' }), (e: unknown) => e instanceof AppError && e.code === 'DEPENDENCY_UNAVAILABLE');
  });

  it('many calls in flight add no listeners to a shared, long-lived AbortSignal (no MaxListenersExceededWarning)', async () => {
    // Count the abort listeners on each signal while 40 calls (idempotent and not) wait for their answers.
    const live = new Map<EventTarget, number>();
    let most = 0;
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    EventTarget.prototype.addEventListener = function (this: EventTarget, type: string, ...rest: unknown[]) {
      if (type === 'abort' && this instanceof AbortSignal) {
        live.set(this, (live.get(this) ?? 0) + 1);
        most = Math.max(most, live.get(this)!);
      }
      return (add as (...a: unknown[]) => void).call(this, type, ...rest);
    } as typeof add;
    EventTarget.prototype.removeEventListener = function (this: EventTarget, type: string, ...rest: unknown[]) {
      if (type === 'abort' && live.has(this)) live.set(this, live.get(this)! - 1);
      return (remove as (...a: unknown[]) => void).call(this, type, ...rest);
    } as typeof remove;
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const waiting: ServerResponse[] = [];
      handler = (_, res) => {
        waiting.push(res);
        if (waiting.length === 40) for (const r of waiting) json(r, 200, { ok: true });
      };
      const client = newClient({ timeoutMs: 5000, maxConcurrent: 40 });
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => client.request(i % 2 ? { method: 'GET', path: '/internal/v1/many' } : { method: 'POST', path: '/internal/v1/many', body: { i } })),
      );
      assert.equal(results.length, 40);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      EventTarget.prototype.addEventListener = add;
      EventTarget.prototype.removeEventListener = remove;
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
    assert.ok(most <= 2, `one signal had ${most} abort listeners at once`);
  });

  it('sends at most maxConcurrent calls at once; the others wait their turn in order, and beyond maxQueued are refused at once', async () => {
    let inFlight = 0;
    let most = 0;
    const order: number[] = [];
    handler = (_, res, body) => {
      inFlight++;
      most = Math.max(most, inFlight);
      order.push(JSON.parse(body).i);
      setTimeout(() => {
        inFlight--;
        json(res, 200, { ok: true });
      }, 20);
    };
    const client = newClient({ timeoutMs: 200, maxConcurrent: 4, maxQueued: 16 });
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => client.request({ method: 'POST', path: '/internal/v1/queued', body: { i } })));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    assert.equal(most, 4);
    // 4 in flight + 16 waiting; the last 4 found the line full. The 16 waited longer than the
    // 200 ms timeout in all, which runs only from when a call is sent.
    assert.equal(refused.length, 4);
    for (const e of refused) assert.ok(e instanceof AppError && e.status === 503 && /too many calls waiting/.test(e.message), String(e));
    assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i), 'first come, first sent');
    assert.ok(Date.now() - started >= 5 * 20);
  });

  it('a busy callee that fails a few calls among many keeps its circuit closed', async () => {
    let n = 0;
    handler = (_, res) => (++n % 5 === 0 ? json(res, 503, {}) : json(res, 200, { ok: true }));
    const client = newClient({ maxAttempts: 1, breakerWindowMs: 5000, breakerMinimumRps: 1, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 40; i++) await client.request({ method: 'GET', path: '/x' }).catch(() => undefined);
    handler = (_, res) => json(res, 200, { ok: true });
    assert.deepEqual(await client.request({ method: 'GET', path: '/x' }), { ok: true });
  });

  it('while a half-open circuit tries one call, the others fail fast instead of queueing behind it', async () => {
    handler = (_, res) => json(res, 500, {});
    const client = newClient({ maxAttempts: 1, breakerWindowMs: 5000, breakerMinimumRps: 1, halfOpenAfterMs: 200 });
    for (let i = 0; i < 6; i++) await assert.rejects(client.request({ method: 'GET', path: '/x' }));
    await new Promise((r) => setTimeout(r, 250));
    let release!: () => void;
    handler = (_, res) => void new Promise<void>((r) => (release = r)).then(() => json(res, 200, { ok: true }));
    const trial = client.request({ method: 'GET', path: '/x' });
    const others = await Promise.allSettled(Array.from({ length: 20 }, () => client.request({ method: 'GET', path: '/x' })));
    assert.ok(others.every((o) => o.status === 'rejected' && o.reason instanceof AppError && /circuit open/.test(o.reason.message)));
    await eventuallyReleased();
    assert.deepEqual(await trial, { ok: true });
    async function eventuallyReleased() {
      while (!release) await new Promise((r) => setTimeout(r, 5));
      release();
    }
  });
});
