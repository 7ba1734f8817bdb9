import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminSession, newUser, registeredUser } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

/** Input that JSON and the field rules let through but PostgreSQL or e-mail cannot take: each was a 500. */
describe('a NUL character, an unpaired surrogate or a body nested 20,000 deep is a 400, never a 500', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest();
  });
  after(() => svc.stop());

  const refused = (res: { status: number; text: string; body: { error?: string; message?: string } }, field: string) => {
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, 'VALIDATION_FAILED');
    assert.match(res.body.message!, new RegExp(`^${field} must not contain a NUL`));
  };

  it('registration: a NUL in the username', async () => {
    refused(await svc.api.post('/v1/users/register', { body: newUser({ username: 'eve\u0000admin' }) }), 'username');
  });

  it('login: a NUL in the username or the password', async () => {
    refused(await svc.api.post('/v1/users/login', { body: { username: 'admin\u0000', password: 'x' } }), 'username');
    refused(await svc.api.post('/v1/users/login', { body: { username: 'admin', password: 'Admin123!\u0000' } }), 'password');
  });

  it('profile: a NUL in a name', async () => {
    const me = await registeredUser(svc.api);
    refused(await svc.api.put(`/v1/users/${me.userId}`, { token: me.accessToken, body: { firstName: 'Al\u0000' } }), 'firstName');
  });

  it('password reset: an unpaired surrogate in the e-mail', async () => {
    refused(await svc.api.post('/v1/users/password-reset', { body: { email: '\ud800@x.io' } }), 'email');
  });

  it('any POST: a body nested 20,000 levels deep is 400 MALFORMED_JSON, read without parsing it', async () => {
    const res = await svc.api.post('/v1/users/login', { raw: '['.repeat(20_000) + ']'.repeat(20_000) });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, 'MALFORMED_JSON');
    assert.match(res.body.message, /deeper than 32 levels/);
  });

  // Found by openapi-fuzz.spec.ts: the router answered these in Fastify's own body, one with a 414.
  it('a path parameter that is not UTF-8 percent-encoding, or longer than 100 characters, is a 400 in the error body', async () => {
    const admin = await adminSession(svc.api);
    for (const path of ['/v1/users/%ED%A0%80', `/v1/users/${'9'.repeat(101)}`]) {
      const res = await svc.api.get(path, { token: admin.accessToken });
      assert.equal(res.status, 400, `${path}: ${res.text}`);
      assert.equal(res.body.error, 'BAD_REQUEST');
      assert.equal(res.body.statusCode, 400);
      assert.equal(typeof res.body.timestamp, 'string');
    }
  });

  it('none of the above answered 500', async () => {
    const text = (await svc.api.get('/metrics')).text;
    const errors = text.split('\n').filter((l) => l.startsWith('http_server_requests_seconds_count{') && /status="5\d\d"/.test(l));
    assert.deepEqual(errors, []);
  });
});
