import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceClient } from '../client/service-client';
import { AppError } from '../errors/app-error';
import { JsonLogger } from '../logging/json-logger';
import { MetricsService } from '../metrics/metrics.service';
import { metricValue } from '../testing/metrics';
import { LoopbackServer, startLoopbackServer } from '../testing/loopback-server';
import { TokenRevocationFeed, userServiceRevocations } from './token-revocation-feed';
import { TokenRevocation } from './token-revocations';
import { TokenService } from './token-service';

const JWT = 'j'.repeat(40);
const SERVICE = 's'.repeat(40);

describe('TokenRevocationFeed over HTTP', () => {
  const userService = new TokenService(JWT, SERVICE, 'user');
  const seating = new TokenService(JWT, SERVICE, 'seating');
  const log = new JsonLogger('seating', 'silent').forContext('test');
  const hour = () => Date.now() + 3_600_000;
  /** The feed as the user service would hold it; the stand-in serves it two entries a page. */
  const feed: TokenRevocation[] = [];
  const asked: (string | undefined)[] = [];
  let server: LoopbackServer;
  let revocationFeed: TokenRevocationFeed;
  const metrics = new MetricsService('seating');
  /** When set, the stand-in refuses our credential with this status (a SERVICE_SECRET that differs). */
  let refuseWith: number | undefined;

  before(async () => {
    server = await startLoopbackServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      asked.push(url.searchParams.get('after') ?? undefined);
      if (refuseWith) return void res.writeHead(refuseWith, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'INVALID_TOKEN' }));
      // Only a service credential addressed to the user service gets the list.
      const caller = userService.verifyServiceToken(String(req.headers.authorization).replace(/^Bearer /, ''));
      assert.equal(caller.service, 'seating');
      const after = Number(url.searchParams.get('after') ?? 0);
      const page = feed.filter((r) => r.id > after).slice(0, 2);
      const cursor = page.at(-1)?.id ?? after;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ revocations: page, cursor, more: feed.some((r) => r.id > cursor) }));
    });
    const client = new ServiceClient({ target: 'user', baseUrl: server.url, tokens: seating, timeoutMs: 1000, maxAttempts: 1, log, metrics });
    revocationFeed = new TokenRevocationFeed(seating.revocations, userServiceRevocations(client), 60_000, log);
  });
  after(() => server.stop());

  const token = (userId: number, sessionId: string, tokenVersion = 0) =>
    userService.signAccessToken({ userId, username: `u${userId}`, role: 'USER' }, 3600, { sessionId, tokenVersion });
  const revoked = (t: string) => assert.throws(() => seating.verifyAny(t), (e: unknown) => e instanceof AppError && e.code === 'TOKEN_REVOKED');

  it('loads every page at start, then only what is new', async () => {
    const blocked = token(1, 'a');
    const loggedOut = token(2, 'b');
    const stillGood = token(2, 'c');
    assert.equal(seating.verifyAny(blocked).kind, 'user'); // remembered from here on
    feed.push(
      { id: 1, userId: 1, sessionId: null, tokenVersion: 1, expiresAt: hour() },
      { id: 2, userId: 3, sessionId: 'x', tokenVersion: 0, expiresAt: hour() },
      { id: 5, userId: 2, sessionId: 'b', tokenVersion: 0, expiresAt: hour() },
    );
    await revocationFeed.onApplicationBootstrap();
    assert.deepEqual(asked, [undefined, '2']);
    revoked(blocked);
    revoked(loggedOut);
    assert.equal(seating.verifyAny(stillGood).kind, 'user');

    feed.push({ id: 6, userId: 2, sessionId: 'c', tokenVersion: 0, expiresAt: hour() });
    await revocationFeed.poll();
    assert.deepEqual(asked.slice(2), ['5']);
    revoked(stillGood);
  });

  it('the user service refusing our credential (401): the last known list stays, the refusal is counted, and the next poll reads on', async () => {
    refuseWith = 401;
    await revocationFeed.poll();
    revoked(token(1, 'd'));
    assert.equal(metricValue(await metrics.registry.metrics(), 'peer_refusals_total', { peer: 'user', status: '401' }), 1);
    refuseWith = undefined;
    feed.push({ id: 90, userId: 7, sessionId: 'z', tokenVersion: 0, expiresAt: hour() });
    await revocationFeed.poll();
    revoked(token(7, 'z'));
  });

  it('keeps the last known list while the feed cannot be reached', async () => {
    await server.stop();
    await revocationFeed.poll();
    revoked(token(1, 'd'));
    revoked(token(2, 'c'));
    assert.equal(seating.verifyAny(token(1, 'e', 1)).kind, 'user');
    await revocationFeed.beforeApplicationShutdown();
  });
});
