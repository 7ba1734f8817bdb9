import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ParsedMail } from 'mailparser';
import { Client } from 'pg';
import { curlExamples, metricValue, substitute } from '@etsr/platform/testing';
import { accountEvent, newUserId, orderEvent, setupToken } from './factories';
import { NotificationUnderTest, adminToken, eventually, serviceToken, startNotificationForTest, userToken } from './harness';
import { TestSmtpServer, startTestSmtpServer } from './smtp';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const RESET_NOT_ASKED = 'If you did not ask to reset your password, ignore this e-mail; your password stays as it is.';

type Data = { username: string; token: string; expiresAt: string; confirmUrl: string };
const dataOf = (event: Record<string, unknown>) => event.data as Data;

describe('notification: account e-mails (ACCOUNT_SETUP, PASSWORD_RESET)', () => {
  let smtp: TestSmtpServer;
  let svc: NotificationUnderTest;
  /** Every token this file sent: none of them may appear in an API answer or a log line. */
  const tokensSent: string[] = [];
  before(async () => {
    smtp = await startTestSmtpServer();
    svc = await startNotificationForTest(smtp.url);
  });
  after(async () => {
    await svc.stop();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.messages.length = 0;
  });

  const post = (body: Record<string, unknown> | unknown, token = serviceToken('user')) => {
    const token_ = (body as { data?: { token?: unknown } } | null)?.data?.token;
    if (typeof token_ === 'string') tokensSent.push(token_);
    return svc.api.post('/internal/v1/account-notifications', { token, body });
  };
  const mailsOf = (eventId: unknown) => smtp.messages.filter((m) => m.headers.get('x-event-id') === eventId);
  const deliveredOnce = async (eventId: unknown): Promise<ParsedMail> => {
    const [mail] = await eventually(async () => (mailsOf(eventId).length ? mailsOf(eventId) : undefined), 10_000, `mail of ${eventId}`);
    return mail;
  };
  const assertNoToken = (text: string, what: string) => {
    for (const t of tokensSent) assert.ok(!text.includes(t), `${what} holds a token`);
    assert.doesNotMatch(text, /pst_[A-Za-z0-9_-]{20}/, `${what} holds a token`);
  };

  for (const [type, subject, intro] of [
    ['ACCOUNT_SETUP', 'Set a password for your Event Tickets account', /has no password yet\. An administrator invited you to set one/],
    ['PASSWORD_RESET', 'Reset the password of your Event Tickets account', /We received a request to reset the password/],
  ] as const) {
    it(`${type}: 202, one EMAIL notification without an order; the mail carries the token, its expiry, the confirm URL and the JSON to post`, async () => {
      const expiresAt = type === 'ACCOUNT_SETUP' ? '2026-11-24T10:00:00.000Z' : '2026-11-21T11:00:00.000Z';
      const event = accountEvent({ type, data: { expiresAt } });
      const { token, confirmUrl } = dataOf(event);
      const res = await post(event);
      assert.equal(res.status, 202, res.text);
      assert.equal(res.body.eventId, event.eventId);
      assert.equal(res.body.notifications.length, 1);
      const [n] = res.body.notifications;
      assert.equal(n.type, type);
      assert.equal(n.channel, 'EMAIL');
      assert.equal(n.status, 'PENDING');
      assert.equal(n.userId, event.userId);
      assert.equal(n.orderId, null);
      assert.equal(n.recipient, 'alice@example.com');
      assert.equal(n.subject, subject);
      assertNoToken(res.text, 'the 202 answer');

      const mail = await deliveredOnce(event.eventId);
      assert.equal(mail.subject, subject);
      assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'alice@example.com');
      assert.equal(mail.messageId, `<notification-${n.notificationId}@example.com>`);
      assert.equal(mail.headers.get('x-notification-type'), type);
      assert.equal(mail.attachments.length, 0);
      const text = String(mail.text);
      const html = String(mail.html);
      const json = `{"token": "${token}", "newPassword": "YOUR-NEW-PASSWORD"}`;
      assert.deepEqual(JSON.parse(json), { token, newPassword: 'YOUR-NEW-PASSWORD' });
      assert.match(text, /^Hi Alice,/);
      assert.match(text, intro);
      assert.ok(text.includes('Username: alice_johnson'));
      assert.ok(text.includes(`One-time token: ${token}`));
      assert.ok(text.includes(type === 'ACCOUNT_SETUP' ? 'Valid until: Tuesday, 24 November 2026, 10:00 UTC' : 'Valid until: Saturday, 21 November 2026, 11:00 UTC'));
      assert.ok(text.includes(`  ${confirmUrl}\n`));
      assert.ok(text.includes(`  ${json}\n`));
      assert.ok(html.includes(token) && html.includes(confirmUrl) && html.includes('alice_johnson'));
      assert.ok(html.includes(json.replace(/"/g, '&quot;')));
      assert.equal(text.includes(RESET_NOT_ASKED), type === 'PASSWORD_RESET');
      assert.equal(html.includes(RESET_NOT_ASKED), type === 'PASSWORD_RESET');
      assert.doesNotMatch(text, /ordered tickets/);

      const sent = await eventually(async () => {
        const list = await svc.api.get(`/v1/notifications?userId=${event.userId}`, { token: userToken(event.userId as number) });
        return list.body.notifications[0]?.status === 'SENT' ? list.body.notifications[0] : undefined;
      });
      assert.equal(sent.attempts, 1);
    });
  }

  it('e-mail only: a phone is refused as an unknown field, and no SMS is ever made', async () => {
    const event = accountEvent();
    const res = await post({ ...event, phone: '+1234567890' });
    assert.equal(res.status, 400);
    assert.match(res.body.message, /property phone should not exist/);
  });

  it('the same event twice: the same notification, one mail', async () => {
    const event = accountEvent({ type: 'ACCOUNT_SETUP' });
    const first = await post(event);
    assert.equal(first.status, 202);
    await deliveredOnce(event.eventId);
    const again = await post(event);
    assert.equal(again.status, 202);
    assert.equal(again.body.notifications[0].notificationId, first.body.notifications[0].notificationId);
    assert.equal(again.body.notifications[0].orderId, null);
    await svc.settled();
    assert.equal(mailsOf(event.eventId).length, 1);
  });

  it('10 simultaneous deliveries of one event: all 202 with the same notification, exactly one mail', async () => {
    const event = accountEvent();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(event)));
    assert.deepEqual(answers.map((a) => a.status), Array(10).fill(202), answers.map((a) => a.text).join('\n'));
    assert.equal(new Set(answers.map((a) => a.body.notifications[0].notificationId)).size, 1);
    await deliveredOnce(event.eventId);
    await svc.settled();
    assert.equal(mailsOf(event.eventId).length, 1);
  });

  it('the same eventId with another body is 422 EVENT_ID_REUSED, also across the two endpoints, and sends nothing more', async () => {
    const event = accountEvent();
    assert.equal((await post(event)).status, 202);
    const otherToken = await post({ ...event, data: { ...dataOf(event), token: setupToken() } });
    assert.equal(otherToken.status, 422);
    assert.equal(otherToken.body.error, 'EVENT_ID_REUSED');
    const otherType = await post({ ...event, type: 'ACCOUNT_SETUP' });
    assert.equal(otherType.status, 422);
    // An order event under the account event's id, and the other way round.
    const asOrder = await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: { ...orderEvent({ type: 'ORDER_CANCELLED' }), eventId: event.eventId } });
    assert.equal(asOrder.status, 422);
    const order = orderEvent({ type: 'ORDER_CANCELLED' });
    assert.equal((await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: order })).status, 202);
    const asAccount = await post({ ...accountEvent(), eventId: order.eventId });
    assert.equal(asAccount.status, 422);
    assert.equal(asAccount.body.error, 'EVENT_ID_REUSED');
    await deliveredOnce(event.eventId);
    await deliveredOnce(order.eventId);
    await svc.settled();
    assert.equal(mailsOf(event.eventId).length, 1);
    assert.equal(mailsOf(order.eventId).length, 1);
    assert.equal(smtp.messages.length, 2);
  });

  it('only platform services may post: none 401, a user token 403 (an admin too)', async () => {
    const event = accountEvent();
    assert.equal((await svc.api.post('/internal/v1/account-notifications', { body: event })).status, 401);
    const user = await post(event, userToken(event.userId as number));
    assert.equal(user.status, 403);
    assert.equal(user.body.error, 'SERVICE_ONLY');
    assert.equal((await post(event, adminToken())).status, 403);
    assert.equal((await post(event, 'not-a-token')).status, 401);
    await svc.settled();
    assert.equal(mailsOf(event.eventId).length, 0);
  });

  it('HTML escapes a hostile name and username; the subject and headers stay clean', async () => {
    const hostile = `<script>alert('x')</script> & "Bob"`;
    const event = accountEvent({ type: 'ACCOUNT_SETUP', name: hostile, data: { username: '<img src=x onerror=alert(1)>' } });
    assert.equal((await post(event)).status, 202);
    const mail = await deliveredOnce(event.eventId);
    const html = String(mail.html);
    assert.doesNotMatch(html, /<script|<img src=x/);
    assert.ok(html.includes('Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Bob&quot;,'));
    assert.ok(html.includes('<strong>&lt;img src=x onerror=alert(1)&gt;</strong>'));
    assert.ok(String(mail.text).includes(`Hi ${hostile},`));
    assert.equal(mail.subject, 'Set a password for your Event Tickets account');
  });

  describe('bad input is a 400 VALIDATION_FAILED naming the field, never a 500, and stores nothing', () => {
    const refused: string[] = [];
    const base = () => {
      const event = accountEvent();
      refused.push(event.eventId as string);
      return event;
    };
    const withData = (e: Record<string, unknown>, data: Record<string, unknown>) => ({ ...e, data: { ...(e.data as object), ...data } });
    const cases: [string, (e: Record<string, unknown>) => unknown, RegExp][] = [
      ['no body fields', () => ({}), /eventId is required/],
      ['eventId not a UUID', (e) => ({ ...e, eventId: 'evt-1' }), /eventId must be a UUID/],
      ['an order type', (e) => ({ ...e, type: 'ORDER_CONFIRMED' }), /type must be one of the following values: ACCOUNT_SETUP, PASSWORD_RESET/],
      ['an unknown type', (e) => ({ ...e, type: 'EMAIL_CHANGED' }), /type must be one of/],
      ['userId a string', (e) => ({ ...e, userId: '2' }), /userId must be an integer/],
      ['userId zero', (e) => ({ ...e, userId: 0 }), /userId must not be less than 1/],
      ['userId too big', (e) => ({ ...e, userId: 2 ** 53 }), /userId must not be greater than/],
      ['no email', (e) => ({ ...e, email: undefined }), /email is required/],
      ['bad email', (e) => ({ ...e, email: 'alice@' }), /email must be a valid e-mail address/],
      ['email with a header', (e) => ({ ...e, email: 'alice@example.com\r\nBcc: x@example.com' }), /email/],
      ['name with a newline', (e) => ({ ...e, name: 'Alice\nBcc: x' }), /name must be one line/],
      ['an orderId', (e) => ({ ...e, orderId: randomUUID() }), /property orderId should not exist/],
      ['unknown field', (e) => ({ ...e, admin: true }), /property admin should not exist/],
      ['unknown field in data', (e) => withData(e, { html: '<b>' }), /property html should not exist/],
      ['data missing', (e) => ({ ...e, data: undefined }), /data is required/],
      ['data null', (e) => ({ ...e, data: null }), /data must not be null/],
      ['data a string', (e) => ({ ...e, data: 'x' }), /data/],
      ['order data instead of account data', (e) => ({ ...e, data: (orderEvent({ type: 'ORDER_CANCELLED' }).data as object) }), /property eventName should not exist/],
      ['no username', (e) => withData(e, { username: undefined }), /username is required/],
      ['empty username', (e) => withData(e, { username: '' }), /username must be longer than or equal to 1/],
      ['username too long', (e) => withData(e, { username: 'a'.repeat(51) }), /username must be shorter than or equal to 50/],
      ['username with a newline', (e) => withData(e, { username: 'alice\r\nBcc: x' }), /username must be one line/],
      ['no token', (e) => withData(e, { token: undefined }), /token is required/],
      ['token without its prefix', (e) => withData(e, { token: 'Yk3vQ9mZr2LwX8sT1bNc4dHf6jKp0aRe5uGi7oWy3xE' }), /token must be "pst_"/],
      ['token too short', (e) => withData(e, { token: 'pst_abc' }), /token must be "pst_"/],
      ['token too long', (e) => withData(e, { token: `pst_${'a'.repeat(101)}` }), /token must be "pst_"/],
      ['token with a space', (e) => withData(e, { token: 'pst_Yk3vQ9mZr2LwX8sT1bNc4d Hf6jKp0aRe5uGi7oWy3xE' }), /token must be "pst_"/],
      ['token a number', (e) => withData(e, { token: 12345 }), /token must be a string/],
      ['no expiry', (e) => withData(e, { expiresAt: undefined }), /expiresAt is required/],
      ['expiry not a date', (e) => withData(e, { expiresAt: 'tomorrow' }), /expiresAt must be an ISO 8601 date and time/],
      ['expiry a date without a time', (e) => withData(e, { expiresAt: '2026-11-21' }), /expiresAt must be an ISO 8601 date and time/],
      ['expiry without a zone', (e) => withData(e, { expiresAt: '2026-11-21T10:00:00' }), /expiresAt must be an ISO 8601 date and time/],
      ['expiry on a day that does not exist', (e) => withData(e, { expiresAt: '2026-02-30T10:00:00Z' }), /expiresAt must be a date that exists/],
      ['expiry a number', (e) => withData(e, { expiresAt: 1790000000000 }), /expiresAt must be a string/],
      ['no confirm URL', (e) => withData(e, { confirmUrl: undefined }), /confirmUrl is required/],
      ['confirm URL not a URL', (e) => withData(e, { confirmUrl: 'not a url' }), /confirmUrl must be an http\(s\) URL/],
      ['confirm URL without a scheme', (e) => withData(e, { confirmUrl: 'localhost:8081/v1/users/password-setup/confirm' }), /confirmUrl must be an http\(s\) URL/],
      ['confirm URL javascript:', (e) => withData(e, { confirmUrl: 'javascript:alert(1)' }), /confirmUrl must be an http\(s\) URL/],
      ['confirm URL ftp:', (e) => withData(e, { confirmUrl: 'ftp://example.com/confirm' }), /confirmUrl must be an http\(s\) URL/],
      ['confirm URL too long', (e) => withData(e, { confirmUrl: `https://example.com/${'a'.repeat(490)}` }), /confirmUrl must be shorter than or equal to 500/],
    ];
    for (const [name, make, message] of cases) {
      it(name, async () => {
        const res = await post(make(base()));
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, 'VALIDATION_FAILED');
        assert.match(res.body.message, message);
        assertNoToken(res.text, 'the 400 answer');
      });
    }

    it('a JSON array, malformed JSON', async () => {
      assert.equal((await post([accountEvent()])).status, 400);
      const malformed = await svc.api.post('/internal/v1/account-notifications', { token: serviceToken('user'), raw: '{"eventId":' });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error, 'MALFORMED_JSON');
    });

    it('nothing of the refused requests was stored', async () => {
      const db = new Client({ connectionString: svc.db.url });
      await db.connect();
      try {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM notification_events WHERE event_id = ANY ($1::uuid[])`, [refused]);
        assert.equal(refused.length, cases.length);
        assert.equal(rows[0].n, 0);
      } finally {
        await db.end();
      }
    });
  });

  describe('order notices still need their order fields', () => {
    const postOrder = (body: unknown) => svc.api.post('/internal/v1/notifications', { token: serviceToken(), body });
    const cases: [string, () => unknown, RegExp][] = [
      ['no orderId', () => ({ ...orderEvent({ type: 'ORDER_CANCELLED' }), orderId: undefined }), /orderId is required/],
      ['no order data', () => ({ ...orderEvent({ type: 'PAYMENT_FAILED' }), data: { reason: 'x' } }), /eventId is required.*totalCents is required.*currency is required/],
      ['an account type at the order endpoint', () => ({ ...orderEvent({ type: 'ORDER_CANCELLED' }), type: 'PASSWORD_RESET' }), /type must be one of the following values: ORDER_CONFIRMED, PAYMENT_FAILED, ORDER_REFUNDED, ORDER_CANCELLED/],
      ['account data at the order endpoint', () => ({ ...orderEvent({ type: 'ORDER_CANCELLED' }), data: dataOf(accountEvent()) }), /property username should not exist/],
      ['a confirmation without tickets', () => orderEvent({ type: 'ORDER_CONFIRMED', tickets: 0 }), /at least one ticket/],
    ];
    for (const [name, make, message] of cases) {
      it(name, async () => {
        const res = await postOrder(make());
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, 'VALIDATION_FAILED');
        assert.match(res.body.message, message);
      });
    }

    it('the database refuses an order notice without an order, and an account notice with one', async () => {
      const db = new Client({ connectionString: svc.db.url });
      await db.connect();
      try {
        await assert.rejects(
          db.query(`INSERT INTO notification_events (event_id, type, user_id, order_id, request_hash) VALUES ($1, 'ORDER_CANCELLED', 2, NULL, repeat('0', 64))`, [randomUUID()]),
          /notification_events_order_check/,
        );
        await assert.rejects(
          db.query(`INSERT INTO notification_events (event_id, type, user_id, order_id, request_hash) VALUES ($1, 'PASSWORD_RESET', 2, $2, repeat('0', 64))`, [randomUUID(), randomUUID()]),
          /notification_events_order_check/,
        );
        await assert.rejects(
          db.query(`INSERT INTO notification_events (event_id, type, user_id, order_id, request_hash) VALUES ($1, 'EMAIL_CHANGED', 2, $2, repeat('0', 64))`, [randomUUID(), randomUUID()]),
          /notification_events_type_check/,
        );
      } finally {
        await db.end();
      }
    });
  });

  describe('reading', () => {
    const owner = newUserId();
    const order = orderEvent({ type: 'ORDER_CANCELLED', userId: owner });
    const setup = accountEvent({ type: 'ACCOUNT_SETUP', userId: owner });
    const reset = accountEvent({ type: 'PASSWORD_RESET', userId: owner });
    before(async () => {
      assert.equal((await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: order })).status, 202);
      for (const e of [setup, reset]) assert.equal((await post(e)).status, 202);
    });

    it('GET /v1/notifications?userId= lists account notices too (orderId null), with no body and no token', async () => {
      for (const token of [userToken(owner), adminToken()]) {
        const res = await svc.api.get(`/v1/notifications?userId=${owner}`, { token });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.totalCount, 3);
        const byType = Object.fromEntries(res.body.notifications.map((n: { type: string }) => [n.type, n]));
        assert.deepEqual(Object.keys(byType).sort(), ['ACCOUNT_SETUP', 'ORDER_CANCELLED', 'PASSWORD_RESET']);
        assert.equal(byType.ACCOUNT_SETUP.orderId, null);
        assert.equal(byType.PASSWORD_RESET.orderId, null);
        assert.equal(byType.ORDER_CANCELLED.orderId, order.orderId);
        assert.equal(byType.PASSWORD_RESET.subject, 'Reset the password of your Event Tickets account');
        for (const n of res.body.notifications) assert.ok(!('bodyText' in n) && !('bodyHtml' in n));
        assertNoToken(res.text, 'the listing');
      }
    });

    it("another user's account notices are 403; an order's listing does not include them", async () => {
      assert.equal((await svc.api.get(`/v1/notifications?userId=${owner}`, { token: userToken(newUserId()) })).status, 403);
      const byOrder = await svc.api.get(`/v1/notifications?orderId=${order.orderId}`, { token: userToken(owner) });
      assert.equal(byOrder.body.totalCount, 1);
      assert.equal(byOrder.body.notifications[0].type, 'ORDER_CANCELLED');
    });

    it('the development inbox shows the whole e-mail, token included (it is the SMTP sink view)', async () => {
      const list = await svc.api.get(`/v1/notifications?userId=${owner}`, { token: userToken(owner) });
      const n = list.body.notifications.find((x: { type: string }) => x.type === 'PASSWORD_RESET');
      // The sender renders the e-mail when it first takes it up (receiving stores the event only).
      const page = await eventually(async () => {
        const res = await svc.api.get(`/inbox/${n.notificationId}`);
        assert.equal(res.status, 200);
        return res.text.includes('not rendered yet') ? undefined : res;
      }, 10_000, 'the e-mail rendered');
      assert.ok(page.text.includes(dataOf(reset).token));
      assert.ok(page.text.includes(RESET_NOT_ASKED));
      const inbox = await svc.api.get('/inbox');
      assert.ok(inbox.text.includes('Reset the password of your Event Tickets account'));
    });
  });

  it('metrics count the new types, received and sent', async () => {
    const event = accountEvent({ type: 'ACCOUNT_SETUP' });
    assert.equal((await post(event)).status, 202);
    await deliveredOnce(event.eventId);
    const text = await eventually(async () => {
      const t = (await svc.api.get('/metrics')).text;
      return (metricValue(t, 'notifications_pending_count', { channel: 'EMAIL' }) ?? 1) === 0 ? t : undefined;
    });
    assert.ok((metricValue(text, 'notification_events_received_total', { type: 'ACCOUNT_SETUP', outcome: 'new' }) ?? 0) >= 1);
    assert.ok((metricValue(text, 'notification_events_received_total', { type: 'PASSWORD_RESET', outcome: 'duplicate' }) ?? 0) >= 1);
    assert.ok((metricValue(text, 'notifications_sent_total', { channel: 'EMAIL', type: 'ACCOUNT_SETUP' }) ?? 0) >= 1);
    assert.ok((metricValue(text, 'notifications_sent_total', { channel: 'EMAIL', type: 'PASSWORD_RESET' }) ?? 0) >= 1);
    assert.equal(metricValue(text, 'notifications_sent_total', { channel: 'SMS', type: 'PASSWORD_RESET' }), undefined);
    assert.equal(metricValue(text, 'http_server_requests_seconds_count', { method: 'POST', route: '/internal/v1/account-notifications', status: '202' }) !== undefined, true);
  });

  it('the OpenAPI description documents the endpoint with examples', async () => {
    const doc = (await svc.api.get('/docs-json')).body;
    const op = doc.paths['/internal/v1/account-notifications'].post;
    assert.ok(op.responses['202'] && op.responses['400'] && op.responses['401'] && op.responses['403'] && op.responses['422']);
    const body = doc.components.schemas.ReceiveAccountEventDto;
    assert.deepEqual(body.required.sort(), ['data', 'email', 'eventId', 'type', 'userId']);
    assert.deepEqual(body.properties.type.enum, ['ACCOUNT_SETUP', 'PASSWORD_RESET']);
    const data = doc.components.schemas.AccountNotificationDataDto;
    assert.deepEqual(data.required.sort(), ['confirmUrl', 'expiresAt', 'token', 'username']);
    assert.equal(data.properties.username.example, 'alice_johnson');
    assert.match(data.properties.token.example, /^pst_[A-Za-z0-9_-]{43}$/);
    assert.equal(doc.components.schemas.NotificationDto.properties.orderId.nullable, true);
    assert.deepEqual(doc.components.schemas.ReceiveEventDto.properties.type.enum, ['ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED']);
  });

  it("the README's example is accepted as written (202), and its repeat too", async () => {
    const [example, ...rest] = curlExamples(README, '### Account e-mails');
    assert.ok(example && rest.length === 0, 'one example');
    const vars = { SERVICE_CREDENTIAL: serviceToken('user') };
    const send = () =>
      fetch(example.url.replace('http://localhost:4005', svc.url), {
        method: example.method,
        headers: Object.fromEntries(Object.entries(example.headers).map(([k, v]) => [k, substitute(v, vars)])),
        body: example.body,
      });
    for (let i = 0; i < 2; i++) {
      const res = await send();
      const text = await res.text();
      assert.ok(example.expect.includes(res.status), `${res.status} ${text}`);
    }
    const body = JSON.parse(example.body!) as { eventId: string; data: Data };
    tokensSent.push(body.data.token);
    const mail = await deliveredOnce(body.eventId);
    assert.ok(String(mail.text).includes(body.data.token));
  });

  it('no log line of this file holds a token', () => {
    assert.ok(tokensSent.length > 20);
    assertNoToken(JSON.stringify(svc.logs), 'the logs');
  });
});
