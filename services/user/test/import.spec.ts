import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, registeredUser } from './factories';
import { ADMIN, UserServiceUnderTest, startUserServiceForTest } from './harness';

const imported = (n: number, overrides: Record<string, unknown> = {}) => ({
  externalRef: `test:users:${n}`,
  email: `imported${n}@mail.example`,
  username: `imported${n}`,
  firstName: `User${n}`,
  lastName: '',
  phoneNumber: '+919895305694',
  createdAt: '2023-11-26T21:58:47Z',
  ...overrides,
});

describe('POST /internal/v1/import/users', () => {
  let svc: UserServiceUnderTest;
  let admin: string;
  before(async () => {
    svc = await startUserServiceForTest();
    admin = (await login(svc.api, ADMIN.username, ADMIN.password)).accessToken;
  });
  after(() => svc.stop());

  it('creates accounts once: the same batch again is all "present" with the same ids', async () => {
    const body = { users: [imported(1), imported(2)] };
    const first = await svc.api.post('/internal/v1/import/users', { token: admin, body });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.body.created, first.body.present, first.body.conflicts], [2, 0, 0]);
    const again = await svc.api.post('/internal/v1/import/users', { token: admin, body });
    assert.deepEqual([again.body.created, again.body.present], [0, 2]);
    assert.deepEqual(again.body.users.map((u: { userId: number }) => u.userId), first.body.users.map((u: { userId: number }) => u.userId));
    const profile = await svc.api.get(`/v1/users/${first.body.users[0].userId}`, { token: admin });
    assert.equal(profile.body.createdAt, '2023-11-26T21:58:47.000Z');
    assert.equal(profile.body.username, 'imported1');
  });

  it('the same batch fired twice at once creates every account exactly once', async () => {
    const body = { users: Array.from({ length: 40 }, (_, i) => imported(100 + i)) };
    const [a, b] = await Promise.all([
      svc.api.post('/internal/v1/import/users', { token: admin, body }),
      svc.api.post('/internal/v1/import/users', { token: admin, body }),
    ]);
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.body.created + b.body.created, 40);
    assert.equal(a.body.present + b.body.present, 40);
    assert.deepEqual(a.body.users.map((u: { userId: number }) => u.userId), b.body.users.map((u: { userId: number }) => u.userId));
  });

  it('makes a taken username unique with a suffix, and reports an e-mail of another account as a conflict', async () => {
    const taken = await registeredUser(svc.api, { username: 'imported_taken', email: 'someone@example.com' });
    const res = await svc.api.post('/internal/v1/import/users', {
      token: admin,
      body: { users: [imported(3, { username: 'imported_taken' }), imported(4, { email: 'someone@example.com' })] },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.users[0].outcome, 'created');
    assert.equal(res.body.users[0].username, 'imported_taken_2');
    assert.deepEqual(res.body.users[1], { externalRef: 'test:users:4', outcome: 'conflict', userId: null, username: null, error: 'EMAIL_TAKEN' });
    assert.ok(taken.userId);
  });

  it('refuses invalid rows with 400 and non-admins with 403', async () => {
    const bad = await svc.api.post('/internal/v1/import/users', { token: admin, body: { users: [imported(5, { email: 'not-an-email' })] } });
    assert.equal(bad.status, 400);
    const extra = await svc.api.post('/internal/v1/import/users', { token: admin, body: { users: [imported(5, { password: 'x' })] } });
    assert.equal(extra.status, 400);
    const user = await registeredUser(svc.api);
    const forbidden = await svc.api.post('/internal/v1/import/users', { token: user.accessToken, body: { users: [imported(5)] } });
    assert.equal(forbidden.status, 403);
  });
});

describe('imported accounts and password setup', () => {
  let svc: UserServiceUnderTest;
  let admin: string;
  let userId: number;
  before(async () => {
    svc = await startUserServiceForTest();
    admin = (await login(svc.api, ADMIN.username, ADMIN.password)).accessToken;
    const res = await svc.api.post('/internal/v1/import/users', { token: admin, body: { users: [imported(7)] } });
    userId = res.body.users[0].userId;
  });
  after(() => svc.stop());

  it('cannot log in before a password is set: 403 PASSWORD_NOT_SET, whatever the password', async () => {
    const res = await svc.api.post('/v1/users/login', { body: { username: 'imported7', password: 'Anything123' } });
    assert.equal(res.status, 403);
    assert.equal(res.body.error, 'PASSWORD_NOT_SET');
  });

  it('sets the password with an admin-issued token once; then the owner logs in', async () => {
    const issued = await svc.api.post(`/v1/users/${userId}/password-setup`, { token: admin });
    assert.equal(issued.status, 201, issued.text);
    assert.match(issued.body.token, /^pst_/);
    const confirm = await svc.api.post('/v1/users/password-setup/confirm', { body: { token: issued.body.token, newPassword: 'MyNewPass123' } });
    assert.equal(confirm.status, 204, confirm.text);
    const session = await login(svc.api, 'imported7', 'MyNewPass123');
    assert.equal(session.userId, userId);
    const reused = await svc.api.post('/v1/users/password-setup/confirm', { body: { token: issued.body.token, newPassword: 'Other123456' } });
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error, 'INVALID_SETUP_TOKEN');
  });

  it('only an admin issues tokens; a weak password or unknown token is 400', async () => {
    const user = await registeredUser(svc.api);
    assert.equal((await svc.api.post(`/v1/users/${userId}/password-setup`, { token: user.accessToken })).status, 403);
    assert.equal((await svc.api.post(`/v1/users/999999/password-setup`, { token: admin })).status, 404);
    const issued = await svc.api.post(`/v1/users/${userId}/password-setup`, { token: admin });
    assert.equal((await svc.api.post('/v1/users/password-setup/confirm', { body: { token: issued.body.token, newPassword: 'short' } })).status, 400);
    assert.equal((await svc.api.post('/v1/users/password-setup/confirm', { body: { token: 'pst_unknown_token_value', newPassword: 'Good12345' } })).status, 400);
  });
});
