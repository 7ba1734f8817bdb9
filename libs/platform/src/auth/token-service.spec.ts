import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '../errors/app-error';
import { TokenService } from './token-service';

const JWT = 'j'.repeat(40);
const SERVICE = 's'.repeat(40);
/** Signs whatever a test needs, bypassing TokenService's rules (the way a forger or an old issuer would). */
const jwt = new JwtService();
const is401 = (code: string) => (e: unknown) => e instanceof AppError && e.status === 401 && e.code === code;

describe('TokenService', () => {
  const user = new TokenService(JWT, SERVICE, 'user');
  const seating = new TokenService(JWT, SERVICE, 'seating');
  const order = new TokenService(JWT, SERVICE, 'order');

  it('verifies its own access tokens anywhere the secret is shared', () => {
    const token = user.signAccessToken({ userId: 5, username: 'alice', role: 'USER' }, 3600);
    assert.deepEqual(seating.verifyAccessToken(token), { kind: 'user', userId: 5, username: 'alice', role: 'USER' });
  });

  it('refuses tokens signed with another key, another algorithm, expired or with a bad role', () => {
    const claims = { typ: 'access', username: 'x', role: 'ADMIN' };
    const opts = { subject: '1', issuer: 'etsr-user-service', audience: 'etsr' };
    const bad = [
      jwt.sign(claims, { ...opts, secret: 'k'.repeat(40), expiresIn: 60 }),
      jwt.sign(claims, { ...opts, secret: JWT, expiresIn: -1 }),
      jwt.sign({ ...claims, role: 'ROOT' }, { ...opts, secret: JWT, expiresIn: 60 }),
      jwt.sign({ ...claims, typ: 'service' }, { ...opts, secret: JWT, expiresIn: 60 }),
      jwt.sign(claims, { ...opts, secret: JWT, subject: 'abc', expiresIn: 60 }),
      jwt.sign(claims, { ...opts, secret: JWT, audience: 'other', expiresIn: 60 }),
      jwt.sign(claims, { ...opts, secret: JWT, algorithm: 'HS512', expiresIn: 60 }),
    ];
    for (const token of bad) assert.throws(() => seating.verifyAccessToken(token), (e: unknown) => e instanceof AppError && e.status === 401);
  });

  it('a service credential is only valid for the service it names', () => {
    const token = order.serviceToken('seating');
    assert.deepEqual(seating.verifyServiceToken(token), { kind: 'service', service: 'order' });
    assert.throws(() => user.verifyServiceToken(token), /Invalid service credential/);
  });

  it('a user token never passes as a service credential, even an admin one', () => {
    const admin = user.signAccessToken({ userId: 1, username: 'admin', role: 'ADMIN' }, 3600);
    assert.throws(() => seating.verifyServiceToken(admin), /Invalid service credential/);
    assert.equal(seating.verifyAny(admin).kind, 'user');
    // A user who signs a "service" token with the user key (all a user could know) gets nowhere.
    const fake = jwt.sign({ typ: 'service' }, { secret: JWT, subject: 'order', issuer: 'etsr-service', audience: 'seating', expiresIn: 60 });
    assert.throws(() => seating.verifyAny(fake), /Invalid service credential/);
  });

  it('reuses a service credential while it is fresh', () => {
    assert.equal(order.serviceToken('payment'), order.serviceToken('payment'));
  });

  it('remembers a verified access token only until it expires', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const token = user.signAccessToken({ userId: 7, username: 'u7', role: 'USER' }, 2);
    assert.equal(seating.verifyAccessToken(token).userId, 7);
    assert.equal(seating.verifyAccessToken(token).userId, 7); // the remembered answer
    t.mock.timers.tick(3000);
    assert.throws(() => seating.verifyAccessToken(token), /Access token expired/);
  });

  it('refuses a token without exp, user token and service credential alike, through every door', () => {
    const forever = jwt.sign({ typ: 'access', username: 'x', role: 'USER' }, { secret: JWT, subject: '3', issuer: 'etsr-user-service', audience: 'etsr' });
    const foreverService = jwt.sign({ typ: 'service' }, { secret: SERVICE, subject: 'order', issuer: 'etsr-service', audience: 'seating' });
    assert.throws(() => seating.verifyAccessToken(forever), is401('INVALID_TOKEN'));
    assert.throws(() => seating.verifyAny(forever), is401('INVALID_TOKEN'));
    assert.throws(() => seating.verifyServiceToken(foreverService), is401('INVALID_TOKEN'));
    assert.throws(() => seating.verifyAny(foreverService), is401('INVALID_TOKEN'));
  });

  it('refuses a token issued in the future, beyond a little clock difference', () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (iat: number) =>
      jwt.sign({ typ: 'access', username: 'x', role: 'USER', iat }, { secret: JWT, subject: '3', issuer: 'etsr-user-service', audience: 'etsr', expiresIn: 7200 });
    assert.throws(() => seating.verifyAccessToken(sign(now + 600)), is401('INVALID_TOKEN'));
    assert.equal(seating.verifyAccessToken(sign(now + 5)).userId, 3);
  });

  it("refuses a revoked session's tokens, even remembered ones; the user's other sessions go on", () => {
    const order2 = new TokenService(JWT, SERVICE, 'order');
    const a = user.signAccessToken({ userId: 8, username: 'u8', role: 'USER' }, 3600, { sessionId: 'session-a', tokenVersion: 1 });
    const b = user.signAccessToken({ userId: 8, username: 'u8', role: 'USER' }, 3600, { sessionId: 'session-b', tokenVersion: 1 });
    assert.equal(order2.verifyAny(a).kind, 'user'); // now remembered
    order2.revocations.add({ id: 1, userId: 8, sessionId: 'session-a', tokenVersion: 0, expiresAt: Date.now() + 3_600_000 });
    assert.throws(() => order2.verifyAny(a), is401('TOKEN_REVOKED'));
    assert.throws(() => order2.verifyAccessToken(a), is401('TOKEN_REVOKED'));
    assert.equal(order2.verifyAccessToken(b).userId, 8);
  });

  it("refuses a user's tokens below the revoked version, even remembered ones, and accepts newer ones", () => {
    const order2 = new TokenService(JWT, SERVICE, 'order');
    const old = user.signAccessToken({ userId: 9, username: 'u9', role: 'USER' }, 3600, { sessionId: 's1', tokenVersion: 2 });
    const unversioned = user.signAccessToken({ userId: 9, username: 'u9', role: 'USER' }, 3600);
    const other = user.signAccessToken({ userId: 10, username: 'u10', role: 'USER' }, 3600, { tokenVersion: 2 });
    assert.equal(order2.verifyAccessToken(old).userId, 9); // now remembered
    order2.revocations.apply({ revocations: [{ id: 4, userId: 9, sessionId: null, tokenVersion: 3, expiresAt: Date.now() + 3_600_000 }], cursor: 4, more: false });
    assert.throws(() => order2.verifyAccessToken(old), is401('TOKEN_REVOKED'));
    assert.throws(() => order2.verifyAny(old), is401('TOKEN_REVOKED'));
    assert.throws(() => order2.verifyAccessToken(unversioned), is401('TOKEN_REVOKED'));
    const fresh = user.signAccessToken({ userId: 9, username: 'u9', role: 'USER' }, 3600, { sessionId: 's2', tokenVersion: 3 });
    assert.equal(order2.verifyAccessToken(fresh).userId, 9);
    assert.equal(order2.verifyAccessToken(other).userId, 10);
    assert.equal(order2.revocations.cursor, 4);
  });

  it('forgets a revocation once every token it voids has expired', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const order2 = new TokenService(JWT, SERVICE, 'order');
    order2.revocations.add({ id: 1, userId: 11, sessionId: null, tokenVersion: 5, expiresAt: Date.now() + 1000 });
    order2.revocations.add({ id: 2, userId: 11, sessionId: 'gone', tokenVersion: 0, expiresAt: Date.now() + 1000 });
    order2.revocations.forgetExpired();
    assert.equal(order2.revocations.size, 2);
    t.mock.timers.tick(1000);
    order2.revocations.forgetExpired();
    assert.equal(order2.revocations.size, 0);
  });

  it('signs with the HS256 algorithm, the issuer, audience, subject, session and version it is given', () => {
    const token = user.signAccessToken({ userId: 12, username: 'u12', role: 'ADMIN', email: 'u12@example.com' }, 900, { sessionId: 'sid-12', tokenVersion: 4 });
    const [header] = token.split('.');
    assert.equal(JSON.parse(Buffer.from(header, 'base64url').toString()).alg, 'HS256');
    const claims = jwt.verify(token, { secret: JWT, algorithms: ['HS256'] });
    assert.equal(claims.exp - claims.iat, 900);
    assert.deepEqual(
      { sub: claims.sub, iss: claims.iss, aud: claims.aud, sid: claims.sid, ver: claims.ver, role: claims.role, email: claims.email },
      { sub: '12', iss: 'etsr-user-service', aud: 'etsr', sid: 'sid-12', ver: 4, role: 'ADMIN', email: 'u12@example.com' },
    );
  });
});
