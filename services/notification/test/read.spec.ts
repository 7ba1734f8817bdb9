import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newUserId, orderEvent } from './factories';
import { NotificationUnderTest, adminToken, eventually, serviceToken, startNotificationForTest, userToken } from './harness';
import { TestSmtpServer, startTestSmtpServer } from './smtp';

describe('notification: reading notifications and the development inbox', () => {
  let smtp: TestSmtpServer;
  let svc: NotificationUnderTest;
  const alice = newUserId();
  const bob = newUserId();
  const aliceOrder = randomUUID();
  const aliceEvents = [
    orderEvent({ type: 'PAYMENT_FAILED', userId: alice, orderId: aliceOrder, phone: '+1234567890' }),
    orderEvent({ type: 'ORDER_CONFIRMED', userId: alice, orderId: aliceOrder, tickets: 2 }),
    orderEvent({ type: 'ORDER_CANCELLED', userId: alice }),
  ];
  const bobEvent = orderEvent({ type: 'ORDER_REFUNDED', userId: bob, email: 'bob@example.com', tickets: 1 });

  before(async () => {
    smtp = await startTestSmtpServer();
    svc = await startNotificationForTest(smtp.url);
    for (const event of [...aliceEvents, bobEvent]) {
      const res = await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: event });
      assert.equal(res.status, 202, res.text);
    }
    await smtp.waitFor(4);
  });
  after(async () => {
    await svc.stop();
    await smtp.stop();
  });

  const get = (query: string, token?: string) => svc.api.get(`/v1/notifications${query}`, { token });

  it("the owner reads an order's notifications, newest first, camelCase and paginated", async () => {
    const res = await get(`?orderId=${aliceOrder}`, userToken(alice));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['limit', 'notifications', 'page', 'totalCount']);
    assert.equal(res.body.totalCount, 3);
    assert.deepEqual([res.body.page, res.body.limit], [1, 20]);
    const [first] = res.body.notifications;
    assert.equal(first.type, 'ORDER_CONFIRMED');
    for (const key of ['notificationId', 'eventId', 'type', 'channel', 'status', 'userId', 'orderId', 'recipient', 'subject', 'attempts', 'lastError', 'nextAttemptAt', 'sentAt', 'createdAt']) {
      assert.ok(key in first, key);
    }
    assert.equal(first.userId, alice);
    assert.equal(first.orderId, aliceOrder);
    assert.ok(!('bodyHtml' in first) && !('bodyText' in first) && !('leaseUntil' in first));
    const times = res.body.notifications.map((n: { createdAt: string }) => n.createdAt);
    assert.deepEqual(times, [...times].sort().reverse());

    const page2 = await get(`?orderId=${aliceOrder}&page=2&limit=2`, userToken(alice));
    assert.equal(page2.status, 200);
    assert.equal(page2.body.notifications.length, 1);
    assert.deepEqual([page2.body.page, page2.body.limit, page2.body.totalCount], [2, 2, 3]);
  });

  it('the owner reads all of their notifications by userId', async () => {
    const res = await get(`?userId=${alice}`, userToken(alice));
    assert.equal(res.status, 200);
    assert.equal(res.body.totalCount, 4);
    assert.ok(res.body.notifications.every((n: { userId: number }) => n.userId === alice));
  });

  it("an admin reads anyone's", async () => {
    const byUser = await get(`?userId=${bob}`, adminToken());
    assert.equal(byUser.status, 200);
    assert.equal(byUser.body.totalCount, 1);
    assert.equal(byUser.body.notifications[0].recipient, 'bob@example.com');
    const byOrder = await get(`?orderId=${aliceOrder}`, adminToken());
    assert.equal(byOrder.body.totalCount, 3);
  });

  it("another user's notifications are 403, by user or by order", async () => {
    const byUser = await get(`?userId=${alice}`, userToken(bob));
    assert.equal(byUser.status, 403);
    assert.equal(byUser.body.error, 'FORBIDDEN');
    assert.equal((await get(`?orderId=${aliceOrder}`, userToken(bob))).status, 403);
    assert.equal((await get(`?orderId=${aliceOrder}&userId=${bob}`, userToken(bob))).status, 403);
  });

  it('an order nobody was notified about is an empty page', async () => {
    const res = await get(`?orderId=${randomUUID()}`, userToken(bob));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.notifications, []);
    assert.equal(res.body.totalCount, 0);
  });

  it('neither filter 400; bad filters and pages 400; no token 401; a service credential 403', async () => {
    const none = await get('', userToken(alice));
    assert.equal(none.status, 400);
    assert.equal(none.body.error, 'FILTER_REQUIRED');
    for (const query of ['?orderId=123', `?userId=abc`, '?userId=0', '?userId=1e3', `?userId=${alice}&page=0`, `?userId=${alice}&limit=ten`, `?userId=${alice}&status=SENT`]) {
      const res = await get(query, userToken(alice));
      assert.equal(res.status, 400, `${query}: ${res.text}`);
    }
    assert.equal((await get(`?userId=${alice}`)).status, 401);
    assert.equal((await get(`?userId=${alice}`, serviceToken())).status, 403);
  });

  describe('the inbox (development only)', () => {
    it('GET /inbox lists the latest notifications, no token needed, as escaped HTML', async () => {
      const hostile = orderEvent({ userId: alice, name: 'Eve', data: { eventName: '<script>alert("x")</script> & Co' }, tickets: 1 });
      assert.equal((await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: hostile })).status, 202);
      const res = await svc.api.get('/inbox');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; img-src data:; style-src 'unsafe-inline'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.match(res.text, /<table>/);
      assert.doesNotMatch(res.text, /<script>/);
      assert.ok(res.text.includes('Your tickets for &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'));
      // One row per notification (alice's four, bob's refund and the hostile one), each linked.
      assert.equal((res.text.match(/<tr><td>/g) ?? []).length, 6);
      assert.ok(res.text.includes('bob@example.com'));
      assert.ok(res.text.includes('+1234567890'));
      assert.match(res.text, /<a href="\/inbox\/[0-9a-f-]{36}">Payment for order [0-9a-f]{8} \(Rock Concert 2025\) failed: Insufficient funds\./);
      const links = [...res.text.matchAll(/href="\/inbox\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
      assert.equal(links.length, 6);
    });

    it('GET /inbox/{id} shows the e-mail in a sandboxed iframe, escaped into srcdoc, QR codes inlined', async () => {
      const list = await get(`?orderId=${aliceOrder}`, userToken(alice));
      const confirmation = list.body.notifications.find((n: { type: string }) => n.type === 'ORDER_CONFIRMED');
      const res = await svc.api.get(`/inbox/${confirmation.notificationId}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      const iframe = /<iframe title="e-mail body" sandbox srcdoc="([^"]*)"><\/iframe>/.exec(res.text);
      assert.ok(iframe, 'a sandboxed iframe with srcdoc');
      // The whole e-mail is one attribute value: no raw markup of it in the page.
      assert.ok(iframe[1].startsWith('&lt;!doctype html&gt;'));
      assert.doesNotMatch(iframe[1], /[<>"]/);
      assert.equal((iframe[1].match(/data:image\/png;base64,iVBORw0KGgo/g) ?? []).length, 2);
      assert.doesNotMatch(iframe[1], /cid:/);
      assert.match(res.text, /<pre>Hi Alice,/);
    });

    it('an unknown or malformed id: 404 and 400', async () => {
      assert.equal((await svc.api.get(`/inbox/${randomUUID()}`)).status, 404);
      assert.equal((await svc.api.get('/inbox/not-an-id')).status, 400);
    });

    it('in production the inbox does not exist (404)', async () => {
      const secret = () => randomBytes(32).toString('hex');
      const prod = await startNotificationForTest(smtp.url, { NODE_ENV: 'production', JWT_SECRET: secret(), SERVICE_SECRET: secret() }, svc.db);
      try {
        assert.equal((await prod.api.get('/inbox')).status, 404);
        const list = await svc.api.get('/inbox');
        const id = /href="\/inbox\/([0-9a-f-]{36})"/.exec(list.text)![1];
        assert.equal((await prod.api.get(`/inbox/${id}`)).status, 404);
        assert.equal((await prod.api.get('/health')).status, 200);
      } finally {
        await prod.stop();
      }
    });
  });

  it('every notification was delivered', async () => {
    await eventually(async () => {
      const res = await get(`?userId=${alice}&limit=100`, userToken(alice));
      return res.body.notifications.every((n: { status: string }) => n.status === 'SENT') ? true : undefined;
    });
  });
});
