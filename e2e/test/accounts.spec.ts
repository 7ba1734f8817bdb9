import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { client } from '@etsr/platform/testing';
import { Stack, startStack } from '../src/stack';
import { waitFor } from '../src/journeys';

/** The text of every mail the stack's SMTP sink caught, quoted-printable soft line breaks undone. */
const mails = (stack: Stack) =>
  readdirSync(stack.mailDir).map((f) => readFileSync(join(stack.mailDir, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='));

describe('forgotten password: user and notification services as processes, a real e-mail', () => {
  let stack: Stack;
  let user: ReturnType<typeof client>;
  before(async () => {
    stack = await startStack({ only: ['user', 'notification'], env: { user: { OUTBOX_POLL_INTERVAL_MS: '200' } } });
    user = client(stack.urls.user);
  });
  after(() => stack?.stop());

  async function register(username: string) {
    const res = await user.post('/v1/users/register', {
      body: { username, email: `${username}@example.com`, password: 'OldPass123', firstName: 'Reset', lastName: 'Tester' },
    });
    assert.equal(res.status, 201, res.text);
  }

  /** The token of the one mail to `username`, once it has arrived. */
  async function tokenMailedTo(username: string): Promise<{ token: string; mail: string }> {
    await waitFor(async () => mails(stack).some((m) => m.includes(`${username}@example.com`)), `a mail to ${username}`);
    const mine = mails(stack).filter((m) => m.includes(`${username}@example.com`));
    assert.equal(mine.length, 1);
    const tokens = new Set(mine[0].match(/pst_[A-Za-z0-9_-]{43}/g));
    assert.equal(tokens.size, 1, mine[0]);
    return { token: [...tokens][0], mail: mine[0] };
  }

  it('asking for a reset e-mails a token; it sets the new password', async () => {
    await register('reset_e2e_one');
    const asked = await user.post('/v1/users/password-reset', { body: { email: 'Reset_E2E_One@example.com' } });
    assert.equal(asked.status, 202, asked.text);
    const { token, mail } = await tokenMailedTo('reset_e2e_one');
    assert.ok(mail.includes(`${stack.urls.user}/v1/users/password-setup/confirm`), 'the mail says where to set the password');
    assert.ok(mail.includes('If you did not ask to reset your password'), 'the mail says what to do if you did not ask');
    const confirmed = await user.post('/v1/users/password-setup/confirm', { body: { token, newPassword: 'NewPass456' } });
    assert.equal(confirmed.status, 204, confirmed.text);
    assert.equal((await user.post('/v1/users/login', { body: { username: 'reset_e2e_one', password: 'NewPass456' } })).status, 200);
    assert.equal((await user.post('/v1/users/login', { body: { username: 'reset_e2e_one', password: 'OldPass123' } })).status, 401);
  });

  it('with the notification service down, the e-mail waits in the outbox and goes out when it is back', async () => {
    await register('reset_e2e_two');
    await stack.kill('notification');
    try {
      assert.equal((await user.post('/v1/users/password-reset', { body: { email: 'reset_e2e_two@example.com' } })).status, 202);
      await new Promise((r) => setTimeout(r, 1000)); // a few failed deliveries
      assert.ok(!mails(stack).some((m) => m.includes('reset_e2e_two@example.com')));
    } finally {
      await stack.start('notification');
    }
    const { token } = await tokenMailedTo('reset_e2e_two');
    assert.equal((await user.post('/v1/users/password-setup/confirm', { body: { token, newPassword: 'NewPass789' } })).status, 204);
    assert.equal((await user.post('/v1/users/login', { body: { username: 'reset_e2e_two', password: 'NewPass789' } })).status, 200);
  });
});

describe('revoked tokens: user and seating services as processes', () => {
  let stack: Stack;
  let user: ReturnType<typeof client>;
  let seating: ReturnType<typeof client>;
  before(async () => {
    stack = await startStack({ only: ['user', 'seating'] });
    user = client(stack.urls.user);
    seating = client(stack.urls.seating);
  });
  after(() => stack?.stop());

  async function loggedIn(username: string): Promise<{ userId: number; accessToken: string }> {
    const registered = await user.post('/v1/users/register', {
      body: { username, email: `${username}@example.com`, password: 'Revoke123!', firstName: 'Re', lastName: 'Voked' },
    });
    assert.equal(registered.status, 201, registered.text);
    const res = await user.post('/v1/users/login', { body: { username, password: 'Revoke123!' } });
    assert.equal(res.status, 200, res.text);
    return { userId: res.body.user.userId, accessToken: res.body.accessToken };
  }
  /** A request to seating that needs a valid token: 404 for an unknown hold, 401 when the token is refused. */
  const askSeating = (token: string) => seating.get('/v1/seats/reservation/res_none', { token });

  it("a blocked user's token is refused by seating within 5 s, also while the user service is down and after seating restarts", async () => {
    const mallory = await loggedIn('revoke_e2e_mallory');
    const trent = await loggedIn('revoke_e2e_trent');
    assert.equal((await askSeating(mallory.accessToken)).status, 404); // accepted, and remembered by seating
    const admin = await user.post('/v1/users/login', { body: { username: 'admin', password: 'Admin123!' } });
    const blocked = await user.put(`/v1/users/${mallory.userId}/block`, { token: admin.body.accessToken });
    assert.equal(blocked.status, 200, blocked.text);

    await waitFor(async () => (await askSeating(mallory.accessToken)).status === 401, "seating refusing the blocked user's token", 5000);
    const res = await askSeating(mallory.accessToken);
    assert.equal(res.body.error, 'TOKEN_REVOKED', res.text);
    assert.equal((await askSeating(trent.accessToken)).status, 404, 'other users go on');

    // The feed unreachable: seating keeps what it knows.
    await stack.kill('user');
    assert.equal((await askSeating(mallory.accessToken)).status, 401);
    assert.equal((await askSeating(trent.accessToken)).status, 404);
    await stack.start('user');
    // A seating process that starts loads every revocation in force before it answers.
    await stack.kill('seating');
    await stack.start('seating');
    assert.equal((await askSeating(mallory.accessToken)).status, 401);
    assert.equal((await askSeating(trent.accessToken)).status, 404);
  });
});
