import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import { TokenService } from '@etsr/platform';
import { MaintenanceService } from '../src/services/maintenance.service';
import { metricValue } from '@etsr/platform/testing';
import { adminSession, login, newUser, registeredUser } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

/** Signs tokens as a forger would, outside TokenService's rules. */
const jwt = new JwtService();

describe('login, refresh and logout', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest({ LOGIN_MAX_ATTEMPTS_PER_USERNAME: '5', LOGIN_USERNAME_WINDOW_SECONDS: '300' });
  });
  after(() => svc.stop());

  it('logs in as the README walkthrough shows (step 2)', async () => {
    const body = newUser();
    await svc.api.post('/v1/users/register', { body });
    const res = await svc.api.post('/v1/users/login', { body: { username: body.username, password: body.password } });
    assert.equal(res.status, 200);
    assert.equal(res.body.tokenType, 'Bearer');
    assert.equal(res.body.expiresIn, 3600);
    assert.match(res.body.accessToken, /^eyJ/);
    assert.equal(typeof res.body.refreshToken, 'string');
    assert.deepEqual(Object.keys(res.body.user).sort(), ['email', 'role', 'userId', 'username']);
    const claims = jwt.decode(res.body.accessToken);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600);
    assert.equal(claims.sub, String(res.body.user.userId));
  });

  it('accepts the username in any case', async () => {
    const body = newUser();
    await svc.api.post('/v1/users/register', { body });
    const res = await svc.api.post('/v1/users/login', { body: { username: body.username.toUpperCase(), password: body.password } });
    assert.equal(res.status, 200);
  });

  it('answers 401 INVALID_CREDENTIALS for a wrong password and for an unknown user alike', async () => {
    const s = await registeredUser(svc.api);
    const wrong = await svc.api.post('/v1/users/login', { body: { username: s.username, password: 'WrongPass123!' } });
    const unknown = await svc.api.post('/v1/users/login', { body: { username: 'nobody_here', password: 'WrongPass123!' } });
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'INVALID_CREDENTIALS');
      assert.equal(res.body.message, 'Invalid username or password');
    }
  });

  it('rotates the refresh token; the new one works, the old one is spent', async () => {
    const s = await registeredUser(svc.api);
    const first = await svc.api.post('/v1/users/refresh', { body: { refreshToken: s.refreshToken } });
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refreshToken, s.refreshToken);
    assert.equal(first.body.expiresIn, 3600);
    const me = await svc.api.get('/v1/users/me', { token: first.body.accessToken });
    assert.equal(me.status, 200);
    const second = await svc.api.post('/v1/users/refresh', { body: { refreshToken: first.body.refreshToken } });
    assert.equal(second.status, 200);
  });

  it('a reused refresh token revokes the whole family', async () => {
    const s = await registeredUser(svc.api);
    const rotated = await svc.api.post('/v1/users/refresh', { body: { refreshToken: s.refreshToken } });
    assert.equal(rotated.status, 200);
    const replay = await svc.api.post('/v1/users/refresh', { body: { refreshToken: s.refreshToken } });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, 'REFRESH_TOKEN_REUSED');
    // The legitimate holder's newer token is revoked too: the thief's copy is worthless.
    const newer = await svc.api.post('/v1/users/refresh', { body: { refreshToken: rotated.body.refreshToken } });
    assert.equal(newer.status, 401);
  });

  it('two refreshes with one token at the same instant: exactly one succeeds', async () => {
    const s = await registeredUser(svc.api);
    const results = await Promise.all(Array.from({ length: 10 }, () => svc.api.post('/v1/users/refresh', { body: { refreshToken: s.refreshToken } })));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    assert.equal(results.filter((r) => r.status === 401).length, 9);
  });

  it('an unknown refresh token is 401 INVALID_REFRESH_TOKEN', async () => {
    const res = await svc.api.post('/v1/users/refresh', { body: { refreshToken: 'rt_not-a-token' } });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'INVALID_REFRESH_TOKEN');
  });

  it('logout revokes the session; logging out twice is fine', async () => {
    const s = await registeredUser(svc.api);
    assert.equal((await svc.api.post('/v1/users/logout', { body: { refreshToken: s.refreshToken } })).status, 204);
    assert.equal((await svc.api.post('/v1/users/logout', { body: { refreshToken: s.refreshToken } })).status, 204);
    const res = await svc.api.post('/v1/users/refresh', { body: { refreshToken: s.refreshToken } });
    assert.equal(res.status, 401);
  });

  it('logout of one session leaves the others alone', async () => {
    const s = await registeredUser(svc.api);
    const other = await login(svc.api, s.username, s.password);
    await svc.api.post('/v1/users/logout', { body: { refreshToken: s.refreshToken } });
    assert.equal((await svc.api.post('/v1/users/refresh', { body: { refreshToken: other.refreshToken } })).status, 200);
  });

  for (const action of ['block', 'deactivate'] as const) {
    it(`a user the admin ${action}s cannot log in and loses their refresh tokens`, async () => {
      const admin = await adminSession(svc.api);
      const s = await registeredUser(svc.api);
      const res = await svc.api.put(`/v1/users/${s.userId}/${action}`, { token: admin.accessToken });
      assert.equal(res.status, 200);
      assert.equal(res.body.accountStatus, action === 'block' ? 'BLOCKED' : 'INACTIVE');
      const denied = await svc.api.post('/v1/users/login', { body: { username: s.username, password: s.password } });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error, action === 'block' ? 'ACCOUNT_BLOCKED' : 'ACCOUNT_INACTIVE');
      assert.equal((await svc.api.post('/v1/users/refresh', { body: { refreshToken: s.refreshToken } })).status, 401);
      // Reactivated: logging in works again.
      assert.equal((await svc.api.put(`/v1/users/${s.userId}/activate`, { token: admin.accessToken })).status, 200);
      assert.equal((await svc.api.post('/v1/users/login', { body: { username: s.username, password: s.password } })).status, 200);
    });
  }

  it('limits login attempts per username: 429 with Retry-After, also for the right password', async () => {
    const s = await registeredUser(svc.api); // one successful login: the counter was reset
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await svc.api.post('/v1/users/login', { body: { username: s.username, password: 'WrongPass123!' } })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    const limited = await svc.api.post('/v1/users/login', { body: { username: s.username, password: s.password } });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, 'TOO_MANY_REQUESTS');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 300, `Retry-After ${retryAfter}`);
  });

  it('a burst of parallel guesses cannot get past the username limit', async () => {
    const s = await registeredUser(svc.api);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => svc.api.post('/v1/users/login', { body: { username: s.username, password: 'WrongPass123!' } })),
    );
    assert.equal(results.filter((r) => r.status === 401).length, 5);
    assert.equal(results.filter((r) => r.status === 429).length, 25);
  });

  it('the hourly clean-up removes refresh tokens dead for over a week, and only those', async () => {
    const s = await registeredUser(svc.api);
    const pg = new Client({ connectionString: svc.db.url });
    await pg.connect();
    try {
      await pg.query(
        `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, gen_random_uuid(), repeat('a', 64), now() - interval '8 days')`,
        [s.userId],
      );
      const result = await svc.app.app.get(MaintenanceService).run();
      assert.equal(result.refreshTokens, 1);
      assert.equal((await svc.api.post('/v1/users/refresh', { body: { refreshToken: s.refreshToken } })).status, 200);
    } finally {
      await pg.end();
    }
  });

  it('the metrics count registrations and login outcomes', async () => {
    const text = (await svc.api.get('/actuator/prometheus')).text;
    assert.ok((metricValue(text, 'user_registrations_total') ?? 0) >= 1);
    for (const status of ['success', 'failed', 'rate_limited']) {
      assert.ok((metricValue(text, 'user_login_attempts_total', { status }) ?? 0) >= 1, status);
    }
    assert.ok((metricValue(text, 'active_user_sessions_count') ?? 0) >= 1);
    const pg = new Client({ connectionString: svc.db.url });
    await pg.connect();
    const { rows } = await pg.query('SELECT count(*)::int AS n FROM users');
    await pg.end();
    assert.equal(metricValue(text, 'registered_users_count'), rows[0].n);
  });
});

describe('login limit per client address', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest({ LOGIN_MAX_ATTEMPTS_PER_IP: '8', LOGIN_IP_WINDOW_SECONDS: '60' });
  });
  after(() => svc.stop());

  it('refuses the address after its limit, whatever username it tries', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await svc.api.post('/v1/users/login', { body: { username: `someone_${i}`, password: 'WrongPass123!' } })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 401, 401, 429, 429]);
  });
});

describe('tokens', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest();
  });
  after(() => svc.stop());

  const secret = 'dev-only-jwt-secret-do-not-use-in-production';

  it('refuses requests without a token, with a forged, an expired or a malformed one', async () => {
    const s = await registeredUser(svc.api);
    const forged = jwt.sign({ typ: 'access', username: 'x', role: 'ADMIN' }, {
      secret: 'another-secret-entirely-123456',
      subject: String(s.userId),
      issuer: 'etsr-user-service',
      audience: 'etsr',
      expiresIn: 3600,
    });
    const expired = jwt.sign({ typ: 'access', username: s.username, role: 'USER' }, {
      secret,
      subject: String(s.userId),
      issuer: 'etsr-user-service',
      audience: 'etsr',
      expiresIn: -10,
    });
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: String(s.userId), role: 'ADMIN', typ: 'access' })).toString('base64url')}.`;
    for (const token of [undefined, forged, expired, none, 'garbage', 'a.b.c']) {
      const res = await svc.api.get(`/v1/users/${s.userId}`, { token });
      assert.equal(res.status, 401, `token ${token}`);
      assert.equal(res.body.statusCode, 401);
    }
    const basic = await svc.api.get(`/v1/users/${s.userId}`, { headers: { authorization: 'Basic YWRtaW46QWRtaW4xMjMh' } });
    assert.equal(basic.status, 401);
  });

  it('a service credential is not a user token: user endpoints refuse it (403)', async () => {
    const s = await registeredUser(svc.api);
    const tokens = new TokenService(secret, 'dev-only-service-secret-do-not-use-in-production', 'order');
    const res = await svc.api.get(`/v1/users/${s.userId}`, { token: tokens.serviceToken('user') });
    assert.equal(res.status, 403);
  });
});
