import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEV_DEFAULT_SECRETS, TokenService } from '@etsr/platform';
import { eventually } from '@etsr/platform/testing';
import { adminSession, login, registeredUser, Session } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

/** What a revoked token gets: every service takes effect within the feed's poll interval. */
const WITHIN_MS = 5000;

describe('revoked access tokens (block, logout, password change) stop working within seconds', () => {
  let svc: UserServiceUnderTest;
  let admin: Session;
  const orderCredential = () => new TokenService(DEV_DEFAULT_SECRETS.JWT_SECRET, DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'order').serviceToken('user');

  before(async () => {
    svc = await startUserServiceForTest();
    admin = await adminSession(svc.api);
  });
  after(() => svc.stop());

  const me = (token: string) => svc.api.get('/v1/users/me', { token });
  /** Waits until the token is refused as revoked; fails after WITHIN_MS. */
  const refusedSoon = (token: string, what: string) =>
    eventually(async () => {
      const res = await me(token);
      if (res.status === 401) {
        assert.equal(res.body.error, 'TOKEN_REVOKED', res.text);
        return res;
      }
      assert.equal(res.status, 200, res.text); // still accepted, not broken
      return undefined;
    }, WITHIN_MS, what);

  it("blocking a user: their access token gets 401 TOKEN_REVOKED; the admin's own token goes on", async () => {
    const alice = await registeredUser(svc.api);
    assert.equal((await me(alice.accessToken)).status, 200);
    const blocked = await svc.api.put(`/v1/users/${alice.userId}/block`, { token: admin.accessToken });
    assert.equal(blocked.status, 200, blocked.text);
    await refusedSoon(alice.accessToken, "the blocked user's token refused");
    assert.equal((await me(admin.accessToken)).status, 200);
  });

  it('deactivating a user and deleting an account revoke their tokens too', async () => {
    const bob = await registeredUser(svc.api);
    const carol = await registeredUser(svc.api);
    assert.equal((await svc.api.put(`/v1/users/${bob.userId}/deactivate`, { token: admin.accessToken })).status, 200);
    assert.equal((await svc.api.delete(`/v1/users/${carol.userId}`, { token: admin.accessToken })).status, 204);
    await refusedSoon(bob.accessToken, "the deactivated user's token refused");
    await refusedSoon(carol.accessToken, "the deleted user's token refused");
  });

  it("logout ends that session's access token; another session of the same user still works", async () => {
    const phone = await registeredUser(svc.api);
    const laptop = await login(svc.api, phone.username, phone.password);
    const out = await svc.api.post('/v1/users/logout', { body: { refreshToken: phone.refreshToken } });
    assert.equal(out.status, 204, out.text);
    await refusedSoon(phone.accessToken, "the logged-out session's token refused");
    assert.equal((await me(laptop.accessToken)).status, 200);
    // Its refresh goes on too, and so do the access tokens it gets.
    const refreshed = await svc.api.post('/v1/users/refresh', { body: { refreshToken: laptop.refreshToken } });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal((await me(refreshed.body.accessToken)).status, 200);
  });

  it('a password change voids every older token of the user; a login with the new password works at once', async () => {
    const dave = await registeredUser(svc.api);
    const second = await login(svc.api, dave.username, dave.password);
    const changed = await svc.api.put(`/v1/users/${dave.userId}`, {
      token: dave.accessToken,
      body: { newPassword: 'BrandNew456!', currentPassword: dave.password },
    });
    assert.equal(changed.status, 200, changed.text);
    const fresh = await login(svc.api, dave.username, 'BrandNew456!');
    await refusedSoon(dave.accessToken, 'the token used to change the password refused');
    await refusedSoon(second.accessToken, "the user's other token refused");
    assert.equal((await me(fresh.accessToken)).status, 200);
  });

  it("an admin resetting someone's password voids that user's tokens", async () => {
    const erin = await registeredUser(svc.api);
    const reset = await svc.api.put(`/v1/users/${erin.userId}`, { token: admin.accessToken, body: { newPassword: 'AdminSet789!' } });
    assert.equal(reset.status, 200, reset.text);
    await refusedSoon(erin.accessToken, "the user's token refused after the admin's reset");
  });

  it("replaying a spent refresh token ends the session: its access tokens are refused", async () => {
    const frank = await registeredUser(svc.api);
    const next = await svc.api.post('/v1/users/refresh', { body: { refreshToken: frank.refreshToken } });
    assert.equal(next.status, 200, next.text);
    const replay = await svc.api.post('/v1/users/refresh', { body: { refreshToken: frank.refreshToken } });
    assert.equal(replay.status, 401);
    await refusedSoon(next.body.accessToken, "the replayed session's newest token refused");
    await refusedSoon(frank.accessToken, "the replayed session's first token refused");
  });

  it('the feed: service credentials only, every revocation in force at start, then only what is new after the cursor', async () => {
    const user = await registeredUser(svc.api);
    assert.equal((await svc.api.get('/internal/v1/token-revocations', { token: user.accessToken })).status, 403);
    assert.equal((await svc.api.get('/internal/v1/token-revocations')).status, 401);
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const res = await svc.api.get(`/internal/v1/token-revocations?after=${bad}`, { token: orderCredential() });
      assert.equal(res.status, 400, `${bad}: ${res.text}`);
      assert.equal(res.body.error, 'VALIDATION_FAILED');
    }
    const start = await svc.api.get('/internal/v1/token-revocations', { token: orderCredential() });
    assert.equal(start.status, 200, start.text);
    assert.ok(start.body.revocations.length > 0, 'the revocations of the tests above are in force');
    assert.equal(start.body.more, false);
    assert.equal(start.body.cursor, Math.max(...start.body.revocations.map((r: { id: number }) => r.id)));

    assert.equal((await svc.api.put(`/v1/users/${user.userId}/block`, { token: admin.accessToken })).status, 200);
    const next = await svc.api.get(`/internal/v1/token-revocations?after=${start.body.cursor}`, { token: orderCredential() });
    assert.equal(next.status, 200, next.text);
    assert.equal(next.body.revocations.length, 1);
    const [entry] = next.body.revocations;
    assert.deepEqual({ userId: entry.userId, sessionId: entry.sessionId, tokenVersion: entry.tokenVersion }, { userId: user.userId, sessionId: null, tokenVersion: 1 });
    assert.ok(entry.expiresAt > Date.now() + 3000 * 1000, 'kept at least as long as an access token lives');
    assert.equal(next.body.cursor, entry.id);
    const none = await svc.api.get(`/internal/v1/token-revocations?after=${next.body.cursor}`, { token: orderCredential() });
    assert.deepEqual(none.body, { revocations: [], cursor: entry.id, more: false });
  });
});
