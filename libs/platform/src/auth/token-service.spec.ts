import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors/app-error';
import { TokenService } from './token-service';

const JWT = 'j'.repeat(40);
const SERVICE = 's'.repeat(40);

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
      jwt.sign(claims, 'k'.repeat(40), { ...opts, expiresIn: 60 }),
      jwt.sign(claims, JWT, { ...opts, expiresIn: -1 }),
      jwt.sign({ ...claims, role: 'ROOT' }, JWT, { ...opts, expiresIn: 60 }),
      jwt.sign({ ...claims, typ: 'service' }, JWT, { ...opts, expiresIn: 60 }),
      jwt.sign(claims, JWT, { ...opts, subject: 'abc', expiresIn: 60 }),
      jwt.sign(claims, JWT, { ...opts, audience: 'other', expiresIn: 60 }),
      jwt.sign(claims, JWT, { ...opts, algorithm: 'HS512', expiresIn: 60 }),
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
    const fake = jwt.sign({ typ: 'service' }, JWT, { subject: 'order', issuer: 'etsr-service', audience: 'seating', expiresIn: 60 });
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
});
