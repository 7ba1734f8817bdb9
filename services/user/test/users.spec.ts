import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Session, adminSession, login, newUser, registeredUser } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

describe('profiles and administration', () => {
  let svc: UserServiceUnderTest;
  let admin: Session;
  before(async () => {
    svc = await startUserServiceForTest();
    admin = await adminSession(svc.api);
  });
  after(() => svc.stop());

  describe('GET /v1/users/{id}', () => {
    it('a user reads their own profile, also at /v1/users/me', async () => {
      const s = await registeredUser(svc.api);
      const res = await svc.api.get(`/v1/users/${s.userId}`, { token: s.accessToken });
      assert.equal(res.status, 200);
      assert.equal(res.body.username, s.username);
      const me = await svc.api.get('/v1/users/me', { token: s.accessToken });
      assert.deepEqual(me.body, res.body);
    });

    it("a user cannot read another user's profile (403), an admin can", async () => {
      const a = await registeredUser(svc.api);
      const b = await registeredUser(svc.api);
      const denied = await svc.api.get(`/v1/users/${b.userId}`, { token: a.accessToken });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error, 'FORBIDDEN');
      const allowed = await svc.api.get(`/v1/users/${b.userId}`, { token: admin.accessToken });
      assert.equal(allowed.status, 200);
      assert.equal(allowed.body.username, b.username);
    });

    it('an unknown id is 404 for an admin', async () => {
      const res = await svc.api.get('/v1/users/999999999', { token: admin.accessToken });
      assert.equal(res.status, 404);
      assert.equal(res.body.error, 'USER_NOT_FOUND');
    });

    for (const bad of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999', "1'%20OR%20'1'='1", '%00']) {
      it(`an id that is not an id (${bad}) is 400 INVALID_ID`, async () => {
        const res = await svc.api.get(`/v1/users/${bad}`, { token: admin.accessToken });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, 'INVALID_ID');
      });
    }
  });

  describe('PUT /v1/users/{id}', () => {
    it('updates names and phone; the answer is the new profile', async () => {
      const s = await registeredUser(svc.api);
      const res = await svc.api.put(`/v1/users/${s.userId}`, { token: s.accessToken, body: { firstName: 'Alicia', phoneNumber: '+447700900123' } });
      assert.equal(res.status, 200);
      assert.equal(res.body.firstName, 'Alicia');
      assert.equal(res.body.phoneNumber, '+447700900123');
      const cleared = await svc.api.put(`/v1/users/${s.userId}`, { token: s.accessToken, body: { phoneNumber: null } });
      assert.equal(cleared.body.phoneNumber, null);
    });

    it('keeps SQL-looking text as plain text', async () => {
      const s = await registeredUser(svc.api);
      const lastName = "O'Brien; DROP TABLE users;--";
      const res = await svc.api.put(`/v1/users/${s.userId}`, { token: s.accessToken, body: { lastName } });
      assert.equal(res.status, 200);
      assert.equal(res.body.lastName, lastName);
      assert.equal((await svc.api.get(`/v1/users/${s.userId}`, { token: s.accessToken })).body.lastName, lastName);
    });

    it("cannot change another user's profile (403)", async () => {
      const a = await registeredUser(svc.api);
      const b = await registeredUser(svc.api);
      const res = await svc.api.put(`/v1/users/${b.userId}`, { token: a.accessToken, body: { firstName: 'Mallory' } });
      assert.equal(res.status, 403);
    });

    it('an e-mail that belongs to someone else is 409 EMAIL_TAKEN', async () => {
      const a = await registeredUser(svc.api);
      const other = newUser();
      await svc.api.post('/v1/users/register', { body: other });
      const res = await svc.api.put(`/v1/users/${a.userId}`, { token: a.accessToken, body: { email: other.email } });
      assert.equal(res.status, 409);
      assert.equal(res.body.error, 'EMAIL_TAKEN');
    });

    it('refuses role, status, unknown fields and nulls for required fields (400)', async () => {
      const s = await registeredUser(svc.api);
      for (const body of [{ role: 'ADMIN' }, { accountStatus: 'ACTIVE' }, { userId: 1 }, { email: null }, { firstName: '' }, { email: 'x' }]) {
        const res = await svc.api.put(`/v1/users/${s.userId}`, { token: s.accessToken, body });
        assert.equal(res.status, 400, JSON.stringify(body));
      }
      assert.equal((await svc.api.get('/v1/users/me', { token: s.accessToken })).body.role, 'USER');
    });

    it('a password change needs the current password and ends the other sessions', async () => {
      const s = await registeredUser(svc.api);
      const missing = await svc.api.put(`/v1/users/${s.userId}`, { token: s.accessToken, body: { newPassword: 'Another123!' } });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error, 'CURRENT_PASSWORD_REQUIRED');
      const wrong = await svc.api.put(`/v1/users/${s.userId}`, {
        token: s.accessToken,
        body: { newPassword: 'Another123!', currentPassword: 'nope12345' },
      });
      assert.equal(wrong.status, 403);
      const ok = await svc.api.put(`/v1/users/${s.userId}`, {
        token: s.accessToken,
        body: { newPassword: 'Another123!', currentPassword: s.password },
      });
      assert.equal(ok.status, 200);
      assert.equal((await svc.api.post('/v1/users/refresh', { body: { refreshToken: s.refreshToken } })).status, 401);
      assert.equal((await svc.api.post('/v1/users/login', { body: { username: s.username, password: s.password } })).status, 401);
      await login(svc.api, s.username, 'Another123!');
    });

    it("an admin may reset another user's password without the old one", async () => {
      const s = await registeredUser(svc.api);
      const res = await svc.api.put(`/v1/users/${s.userId}`, { token: admin.accessToken, body: { newPassword: 'ResetByAdmin1' } });
      assert.equal(res.status, 200);
      await login(svc.api, s.username, 'ResetByAdmin1');
    });
  });

  describe('DELETE /v1/users/{id}', () => {
    it('a user deletes their own account; it is gone and cannot log in', async () => {
      const s = await registeredUser(svc.api);
      assert.equal((await svc.api.delete(`/v1/users/${s.userId}`, { token: s.accessToken })).status, 204);
      assert.equal((await svc.api.get(`/v1/users/${s.userId}`, { token: admin.accessToken })).status, 404);
      assert.equal((await svc.api.post('/v1/users/login', { body: { username: s.username, password: s.password } })).status, 401);
      assert.equal((await svc.api.post('/v1/users/refresh', { body: { refreshToken: s.refreshToken } })).status, 401);
    });

    it("a user cannot delete someone else (403); an admin can; twice is 404", async () => {
      const a = await registeredUser(svc.api);
      const b = await registeredUser(svc.api);
      assert.equal((await svc.api.delete(`/v1/users/${b.userId}`, { token: a.accessToken })).status, 403);
      assert.equal((await svc.api.delete(`/v1/users/${b.userId}`, { token: admin.accessToken })).status, 204);
      assert.equal((await svc.api.delete(`/v1/users/${b.userId}`, { token: admin.accessToken })).status, 404);
    });
  });

  describe('GET /v1/users (admin)', () => {
    it('is refused to users (403) and to anonymous callers (401)', async () => {
      const s = await registeredUser(svc.api);
      assert.equal((await svc.api.get('/v1/users', { token: s.accessToken })).status, 403);
      assert.equal((await svc.api.get('/v1/users')).status, 401);
      assert.equal((await svc.api.get('/v1/users/search?query=a', { token: s.accessToken })).status, 403);
    });

    it('pages through all users in id order, with a total', async () => {
      for (let i = 0; i < 3; i++) await registeredUser(svc.api);
      const first = await svc.api.get('/v1/users?page=1&limit=2', { token: admin.accessToken });
      assert.equal(first.status, 200);
      assert.equal(first.body.users.length, 2);
      assert.equal(first.body.page, 1);
      assert.equal(first.body.limit, 2);
      assert.ok(first.body.totalCount >= 4);
      const second = await svc.api.get('/v1/users?page=2&limit=2', { token: admin.accessToken });
      assert.ok(second.body.users[0].userId > first.body.users[1].userId);
      assert.equal(first.body.users[0].passwordHash, undefined);
    });

    it('caps the page size at 100', async () => {
      const res = await svc.api.get('/v1/users?limit=5000', { token: admin.accessToken });
      assert.equal(res.status, 200);
      assert.equal(res.body.limit, 100);
    });

    it('filters by status and role', async () => {
      const res = await svc.api.get('/v1/users?role=ADMIN', { token: admin.accessToken });
      assert.ok(res.body.users.every((u: { role: string }) => u.role === 'ADMIN'));
      assert.ok(res.body.users.some((u: { username: string }) => u.username === 'admin'));
    });

    for (const q of ['page=0', 'page=-1', 'page=abc', 'limit=0', 'limit=x', 'status=GONE', 'role=ROOT', 'unknown=1']) {
      it(`refuses ${q} with 400`, async () => {
        const res = await svc.api.get(`/v1/users?${q}`, { token: admin.accessToken });
        assert.equal(res.status, 400, res.text);
      });
    }
  });

  describe('GET /v1/users/search (admin)', () => {
    it('finds users by part of their name or e-mail, case-insensitively', async () => {
      const body = newUser({ firstName: 'Zebulon', lastName: 'Quixote' });
      await svc.api.post('/v1/users/register', { body });
      for (const query of ['zebul', 'QUIXOTE', body.email.slice(0, 12), body.username]) {
        const res = await svc.api.get(`/v1/users/search?query=${encodeURIComponent(query)}`, { token: admin.accessToken });
        assert.equal(res.status, 200);
        assert.ok(res.body.users.some((u: { username: string }) => u.username === body.username), `query ${query}`);
      }
    });

    it('treats LIKE wildcards and SQL as plain text', async () => {
      // As wildcards, "q_r_s" and "q%s" would find this user; as text they must not.
      await svc.api.post('/v1/users/register', { body: newUser({ firstName: 'QxRySz' }) });
      for (const query of ['%', 'q_r_s', 'q%s', "' OR 1=1 --", '\\']) {
        const res = await svc.api.get(`/v1/users/search?query=${encodeURIComponent(query)}`, { token: admin.accessToken });
        assert.equal(res.status, 200);
        assert.equal(res.body.totalCount, 0, `query ${query}`);
      }
    });

    it('requires a query (400)', async () => {
      assert.equal((await svc.api.get('/v1/users/search', { token: admin.accessToken })).status, 400);
      assert.equal((await svc.api.get('/v1/users/search?query=', { token: admin.accessToken })).status, 400);
      assert.equal((await svc.api.get(`/v1/users/search?query=${'x'.repeat(101)}`, { token: admin.accessToken })).status, 400);
    });
  });

  describe('account status (admin)', () => {
    it('users cannot change account status (403)', async () => {
      const a = await registeredUser(svc.api);
      const b = await registeredUser(svc.api);
      assert.equal((await svc.api.put(`/v1/users/${b.userId}/block`, { token: a.accessToken })).status, 403);
      assert.equal((await svc.api.put(`/v1/users/${a.userId}/activate`, { token: a.accessToken })).status, 403);
    });

    it('an admin cannot lock themselves out (409), as the OpenAPI document says', async () => {
      const doc = (await svc.api.get('/docs-json')).body;
      for (const action of ['activate', 'deactivate', 'block']) {
        const res = await svc.api.put(`/v1/users/${admin.userId}/${action}`, { token: admin.accessToken });
        assert.equal(res.status, 409);
        assert.equal(res.body.error, 'OWN_ACCOUNT');
        assert.ok(doc.paths[`/v1/users/{id}/${action}`].put.responses['409'], `409 documented for ${action}`);
      }
      assert.ok(doc.paths['/v1/users/{id}'].put.responses['409'], '409 EMAIL_TAKEN documented for PUT /v1/users/{id}');
    });

    it('an unknown user is 404', async () => {
      assert.equal((await svc.api.put('/v1/users/987654321/block', { token: admin.accessToken })).status, 404);
    });
  });
});
