import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { metricValue } from '@etsr/platform/testing';
import { MaintenanceService } from '../src/services/maintenance.service';
import { login, registeredUser } from './factories';
import { FakeNotificationService } from './fake-notification';
import { ADMIN, UserServiceUnderTest, startUserServiceForTest } from './harness';

const PUBLIC_URL = 'https://tickets.example.com';
const MESSAGE = 'If an active account uses this address, an e-mail with a reset token is on its way. The token is valid for 60 minutes.';

describe('password reset and invitations by e-mail', () => {
  let svc: UserServiceUnderTest;
  let mail: FakeNotificationService;
  let admin: string;
  let pg: Client;
  before(async () => {
    mail = new FakeNotificationService();
    svc = await startUserServiceForTest({ NOTIFICATION_URL: await mail.start(), PUBLIC_URL, OUTBOX_POLL_INTERVAL_MS: '100' });
    admin = (await login(svc.api, ADMIN.username, ADMIN.password)).accessToken;
    pg = new Client({ connectionString: svc.db.url });
    await pg.connect();
  });
  after(async () => {
    await pg.end();
    await svc.stop();
    await mail.stop();
  });

  const noticesTo = (email: string) => mail.accepted().filter((n) => n.email === email);
  const outboxRows = async () => Number((await pg.query(`SELECT count(*) AS n FROM outbox`)).rows[0].n);
  const requestReset = (email: string) => svc.api.post('/v1/users/password-reset', { body: { email } });

  it('e-mails a one-hour reset token; the token sets the password once and ends the old sessions', async () => {
    const user = await registeredUser(svc.api);
    const email = `${user.username}@example.com`;
    const res = await requestReset(email.toUpperCase());
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.body, { message: MESSAGE });
    await mail.waitFor(() => noticesTo(email).length === 1, 'the reset e-mail');
    const [notice] = noticesTo(email);
    assert.equal(notice.type, 'PASSWORD_RESET');
    assert.equal(notice.userId, user.userId);
    assert.equal(notice.name, 'Test');
    assert.match(notice.eventId, /^[0-9a-f-]{36}$/);
    assert.equal(notice.data.username, user.username);
    assert.match(notice.data.token, /^pst_[A-Za-z0-9_-]{43}$/);
    assert.equal(notice.data.confirmUrl, `${PUBLIC_URL}/v1/users/password-setup/confirm`);
    const lifetime = Date.parse(notice.data.expiresAt) - Date.now();
    assert.ok(lifetime > 3_500_000 && lifetime <= 3_600_000, `${lifetime}`);
    assert.equal(mail.received.find((n) => n.body.eventId === notice.eventId)?.service, 'user');

    const confirm = await svc.api.post('/v1/users/password-setup/confirm', { body: { token: notice.data.token, newPassword: 'BrandNew123' } });
    assert.equal(confirm.status, 204, confirm.text);
    await login(svc.api, user.username, 'BrandNew123');
    assert.equal((await svc.api.post('/v1/users/login', { body: { username: user.username, password: user.password } })).status, 401);
    assert.equal((await svc.api.post('/v1/users/refresh', { body: { refreshToken: user.refreshToken } })).status, 401);
    const again = await svc.api.post('/v1/users/password-setup/confirm', { body: { token: notice.data.token, newPassword: 'Another123' } });
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'INVALID_SETUP_TOKEN');
  });

  it('answers the same for an unknown address or a blocked account, and sends nothing', async () => {
    const blocked = await registeredUser(svc.api);
    assert.equal((await svc.api.put(`/v1/users/${blocked.userId}/block`, { token: admin })).status, 200);
    const before = await outboxRows();
    for (const email of ['nobody-here@example.com', `${blocked.username}@example.com`]) {
      const res = await requestReset(email);
      assert.equal(res.status, 202, res.text);
      assert.deepEqual(res.body, { message: MESSAGE });
    }
    assert.equal(await outboxRows(), before);
  });

  it('an imported account without a password sets its first one through a reset', async () => {
    const imported = await svc.api.post('/internal/v1/import/users', {
      token: admin,
      body: { users: [{ externalRef: 'test:users:reset-1', email: 'imported.reset@mail.example', username: 'imported_reset', firstName: 'Imp', lastName: '', createdAt: '2023-11-26T21:58:47Z' }] },
    });
    assert.equal(imported.status, 200, imported.text);
    assert.equal((await svc.api.post('/v1/users/login', { body: { username: 'imported_reset', password: 'Whatever123' } })).body.error, 'PASSWORD_NOT_SET');
    assert.equal((await requestReset('imported.reset@mail.example')).status, 202);
    await mail.waitFor(() => noticesTo('imported.reset@mail.example').length === 1, 'the reset e-mail');
    const token = noticesTo('imported.reset@mail.example')[0].data.token;
    assert.equal((await svc.api.post('/v1/users/password-setup/confirm', { body: { token, newPassword: 'FirstPass123' } })).status, 204);
    await login(svc.api, 'imported_reset', 'FirstPass123');
  });

  it("an admin's invitation is e-mailed with the token the admin is given, valid 72 hours", async () => {
    const user = await registeredUser(svc.api);
    const issued = await svc.api.post(`/v1/users/${user.userId}/password-setup`, { token: admin });
    assert.equal(issued.status, 201, issued.text);
    assert.equal(issued.body.emailed, true);
    const email = `${user.username}@example.com`;
    await mail.waitFor(() => noticesTo(email).length === 1, 'the invitation');
    const [notice] = noticesTo(email);
    assert.equal(notice.type, 'ACCOUNT_SETUP');
    assert.equal(notice.data.token, issued.body.token);
    assert.equal(notice.data.expiresAt, issued.body.expiresAt);
    const lifetime = Date.parse(notice.data.expiresAt) - Date.now();
    assert.ok(lifetime > 71 * 3600_000 && lifetime <= 72 * 3600_000, `${lifetime}`);
  });

  it('six requests for one address at once: exactly three e-mails, three 429 with Retry-After', async () => {
    const user = await registeredUser(svc.api);
    const email = `${user.username}@example.com`;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => requestReset(i % 2 ? email : email.toUpperCase())));
    assert.deepEqual(answers.map((a) => a.status).sort(), [202, 202, 202, 429, 429, 429]);
    for (const refused of answers.filter((a) => a.status === 429)) {
      assert.equal(refused.body.error, 'TOO_MANY_REQUESTS');
      assert.ok(Number(refused.headers.get('retry-after')) > 3000, String(refused.headers.get('retry-after')));
    }
    await mail.waitFor(() => noticesTo(email).length === 3, 'three reset e-mails');
    assert.equal(new Set(noticesTo(email).map((n) => n.data.token)).size, 3);
  });

  it('a notification service that fails is retried until it takes the e-mail; the same notice each time', async () => {
    const user = await registeredUser(svc.api);
    const email = `${user.username}@example.com`;
    mail.failNext = 2;
    assert.equal((await requestReset(email)).status, 202);
    await mail.waitFor(() => noticesTo(email).length === 1, 'the e-mail after two failures');
    const attempts = mail.received.filter((n) => n.body.email === email);
    assert.deepEqual(attempts.map((a) => a.status), [500, 500, 202]);
    assert.equal(new Set(attempts.map((a) => JSON.stringify(a.body))).size, 1);
  });

  it('a notification service refusing our credential (401) does not drop the e-mail: retried until it takes it, and counted', async () => {
    const user = await registeredUser(svc.api);
    const email = `${user.username}@example.com`;
    mail.refuseNext = 2;
    assert.equal((await requestReset(email)).status, 202);
    await mail.waitFor(() => noticesTo(email).length === 1, 'the e-mail after two refusals');
    assert.deepEqual(mail.received.filter((n) => n.body.email === email).map((a) => a.status), [401, 401, 202]);
    assert.equal(metricValue((await svc.api.get('/metrics')).text, 'peer_refusals_total', { peer: 'notification', status: '401' }), 2);
  });

  it('bad input is a 400 naming the field, never a 500', async () => {
    for (const body of [{}, { email: 'not-an-email' }, { email: 42 }, { email: 'a@example.com', extra: 1 }, { email: `${'a'.repeat(95)}@example.com` }]) {
      const res = await svc.api.post('/v1/users/password-reset', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error, 'VALIDATION_FAILED');
    }
  });

  it('the clean-up removes delivered account e-mails, so no token stays in clear in the database', async () => {
    await mail.waitFor(() => mail.received.length > 0, 'an e-mail');
    const deadline = Date.now() + 10_000;
    while (Number((await pg.query(`SELECT count(*) AS n FROM outbox WHERE status = 'PENDING'`)).rows[0].n) > 0) {
      assert.ok(Date.now() < deadline, 'the outbox drains');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(Number((await pg.query(`SELECT count(*) AS n FROM outbox WHERE position('pst_' in payload::text) > 0`)).rows[0].n) > 0);
    await svc.app.app.get(MaintenanceService).run();
    assert.equal(Number((await pg.query(`SELECT count(*) AS n FROM outbox WHERE position('pst_' in payload::text) > 0`)).rows[0].n), 0);
  });
});

describe('password e-mails without a notification service', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest();
  });
  after(() => svc.stop());

  it('an invitation is answered to the admin only (emailed: false); a reset sends nothing and says the same', async () => {
    const admin = (await login(svc.api, ADMIN.username, ADMIN.password)).accessToken;
    const user = await registeredUser(svc.api);
    const issued = await svc.api.post(`/v1/users/${user.userId}/password-setup`, { token: admin });
    assert.equal(issued.status, 201);
    assert.equal(issued.body.emailed, false);
    const reset = await svc.api.post('/v1/users/password-reset', { body: { email: `${user.username}@example.com` } });
    assert.equal(reset.status, 202);
    assert.deepEqual(reset.body, { message: MESSAGE });
    const pg = new Client({ connectionString: svc.db.url });
    await pg.connect();
    try {
      assert.equal(Number((await pg.query(`SELECT count(*) AS n FROM outbox`)).rows[0].n), 0);
      assert.equal(Number((await pg.query(`SELECT count(*) AS n FROM password_setup_tokens WHERE purpose = 'RESET'`)).rows[0].n), 0);
    } finally {
      await pg.end();
    }
  });
});
