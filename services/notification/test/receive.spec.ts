import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ParsedMail } from 'mailparser';
import { Client } from 'pg';
import { orderEvent } from './factories';
import { NotificationUnderTest, eventually, serviceToken, startNotificationForTest, userToken } from './harness';
import { PNG_SIGNATURE, TestSmtpServer, startTestSmtpServer } from './smtp';

describe('notification: receiving events and the mail they produce', () => {
  let smtp: TestSmtpServer;
  let svc: NotificationUnderTest;
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

  const post = (body: unknown, token = serviceToken()) => svc.api.post('/internal/v1/notifications', { token, body });
  /** The mails that arrived for one event (the X-Event-Id header the service sets). */
  const mailsOf = (eventId: unknown) => smtp.messages.filter((m) => m.headers.get('x-event-id') === eventId);
  const deliveredOnce = async (eventId: unknown): Promise<ParsedMail> => {
    const [mail] = await eventually(async () => (mailsOf(eventId).length ? mailsOf(eventId) : undefined), 10_000, `mail of ${eventId}`);
    return mail;
  };

  it('ORDER_CONFIRMED: 202, one EMAIL notification, a mail with each ticket and one inline QR PNG per ticket', async () => {
    const event = orderEvent({ type: 'ORDER_CONFIRMED', tickets: 3 });
    const res = await post(event);
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.eventId, event.eventId);
    assert.equal(res.body.notifications.length, 1);
    const [n] = res.body.notifications;
    assert.equal(n.channel, 'EMAIL');
    assert.equal(n.status, 'PENDING');
    assert.equal(n.recipient, 'alice@example.com');
    assert.equal(n.subject, `Your tickets for Rock Concert 2025 (order ${String(event.orderId).slice(0, 8)})`);
    assert.match(n.notificationId, /^[0-9a-f-]{36}$/);

    const mail = await deliveredOnce(event.eventId);
    assert.equal(mail.subject, n.subject);
    assert.equal(mail.from?.text, '"Event Tickets" <tickets@example.com>');
    assert.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'alice@example.com');
    assert.equal(mail.messageId, `<notification-${n.notificationId}@example.com>`);
    const tickets = (event.data as { tickets: { ticketCode: string; seatCode: string }[] }).tickets;
    for (const t of tickets) {
      assert.ok(mail.text?.includes(`Seat ${t.seatCode}, ticket ${t.ticketCode}`), `text lists ${t.ticketCode}`);
      assert.ok(String(mail.html).includes(t.ticketCode) && String(mail.html).includes(t.seatCode), `html lists ${t.ticketCode}`);
    }
    assert.match(String(mail.text), /Hi Alice,/);
    assert.match(String(mail.text), /₹330\.00/);

    const images = mail.attachments.filter((a) => a.contentType === 'image/png');
    assert.equal(images.length, 3);
    for (const image of images) {
      assert.equal(image.contentDisposition, 'inline');
      assert.ok(image.cid, 'has a Content-ID');
      assert.ok(String(mail.html).includes(`cid:${image.cid}`), 'the HTML shows it by its Content-ID');
      assert.deepEqual(image.content.subarray(0, 8), PNG_SIGNATURE);
      assert.ok(image.content.length > 200);
    }
    assert.deepEqual(images.map((a) => a.filename).sort(), tickets.map((t) => `ticket-${t.ticketCode}.png`).sort());

    const status = await eventually(async () => {
      const list = await svc.api.get(`/v1/notifications?orderId=${event.orderId}`, { token: userToken(event.userId as number) });
      return list.body.notifications[0]?.status === 'SENT' ? list.body.notifications[0] : undefined;
    });
    assert.equal(status.attempts, 1);
    assert.ok(status.sentAt);
  });

  for (const [type, subject, text] of [
    ['PAYMENT_FAILED', 'Payment failed for your order for Rock Concert 2025', /could not take the payment of ₹330\.00[\s\S]*Reason: Insufficient funds/],
    ['ORDER_REFUNDED', 'Refund for your order for Rock Concert 2025', /refunded ₹330\.00[\s\S]*Reason: Requested by the customer/],
    ['ORDER_CANCELLED', 'Your order for Rock Concert 2025 was cancelled', /has been cancelled[\s\S]*Reason: Requested by the customer/],
  ] as const) {
    it(`${type}: the mail says so, without attachments`, async () => {
      const event = orderEvent({ type });
      const res = await post(event);
      assert.equal(res.status, 202, res.text);
      const mail = await deliveredOnce(event.eventId);
      assert.equal(mail.subject, subject);
      assert.match(String(mail.text), text);
      assert.ok(String(mail.html).includes(String(event.orderId)));
      assert.equal(mail.attachments.length, 0);
      assert.equal(mail.headers.get('x-notification-type'), type);
    });
  }

  it('a refund lists the tickets it voids', async () => {
    const event = orderEvent({ type: 'ORDER_REFUNDED', tickets: 2 });
    assert.equal((await post(event)).status, 202);
    const mail = await deliveredOnce(event.eventId);
    assert.match(String(mail.text), /no longer valid:\n {2}- Seat PREMIUM-F-1, ticket TCK-/);
    assert.equal(mail.attachments.length, 0);
  });

  it('escapes every value in the HTML; the subject stays plain text', async () => {
    const event = orderEvent({
      type: 'ORDER_CONFIRMED',
      tickets: 1,
      name: '<script>alert(1)</script>',
      data: {
        eventName: 'Rock & <b>Roll</b> "Night"',
        tickets: [{ ticketCode: 'TCK-1', seatCode: '<img src=x onerror=alert(1)>', qrPayload: '"><svg onload=alert(1)>' }],
      },
    });
    assert.equal((await post(event)).status, 202);
    const mail = await deliveredOnce(event.eventId);
    const html = String(mail.html);
    assert.doesNotMatch(html, /<script|<img src=x|<b>Roll|<svg/);
    assert.match(html, /Hi &lt;script&gt;alert\(1\)&lt;\/script&gt;,/);
    assert.match(html, /Rock &amp; &lt;b&gt;Roll&lt;\/b&gt; &quot;Night&quot;/);
    assert.equal(mail.subject, 'Your tickets for Rock & <b>Roll</b> "Night" (order ' + String(event.orderId).slice(0, 8) + ')');
  });

  it('with a phone number an SMS goes through the log provider too (one JSON log line)', async () => {
    const event = orderEvent({ type: 'PAYMENT_FAILED', phone: '+1234567890' });
    const res = await post(event);
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.body.notifications.map((n: { channel: string }) => n.channel).sort(), ['EMAIL', 'SMS']);
    const sms = res.body.notifications.find((n: { channel: string }) => n.channel === 'SMS');
    assert.equal(sms.recipient, '+1234567890');
    assert.equal(sms.subject, null);
    const line = await eventually(async () =>
      svc.logs.find((l) => (l.sms as { reference?: string } | undefined)?.reference === sms.notificationId),
    );
    assert.equal(line.level, 'INFO');
    assert.equal(line.service, 'notification');
    assert.deepEqual((line.sms as { to: string }).to, '+1234567890');
    assert.match((line.sms as { text: string }).text, /^Payment for order [0-9a-f]{8} \(Rock Concert 2025\) failed: Insufficient funds\./);
    await deliveredOnce(event.eventId);
    await eventually(async () => {
      const list = await svc.api.get(`/v1/notifications?orderId=${event.orderId}`, { token: userToken(event.userId as number) });
      return list.body.notifications.every((n: { status: string }) => n.status === 'SENT') ? true : undefined;
    });
  });

  it("the order service's body as it sends it today (no eventName, no name, empty tickets, a multi-line reason) is accepted", async () => {
    const orderId = randomUUID();
    const event = {
      eventId: randomUUID(),
      type: 'PAYMENT_FAILED',
      userId: 2,
      orderId,
      email: 'alice@example.com',
      data: { eventId: 1, totalCents: 33000, currency: 'INR', reason: 'Card declined\n(code 51)', tickets: [] },
    };
    const res = await post(event);
    assert.equal(res.status, 202, res.text);
    const mail = await deliveredOnce(event.eventId);
    assert.equal(mail.subject, 'Payment failed for your order for event #1');
    assert.match(String(mail.text), /^Hello,/);
    assert.match(String(mail.text), /Reason: Card declined \(code 51\)/);
  });

  it('only platform services may post events: none 401, a user token 403 (an admin too)', async () => {
    const event = orderEvent();
    assert.equal((await svc.api.post('/internal/v1/notifications', { body: event })).status, 401);
    const user = await post(event, userToken(event.userId as number));
    assert.equal(user.status, 403);
    assert.equal(user.body.error, 'SERVICE_ONLY');
    assert.equal((await post(event, userToken(1, 'ADMIN'))).status, 403);
    assert.equal((await post(event, 'not-a-token')).status, 401);
    // A credential made for another service is not one for this service.
    const { TokenService, DEV_DEFAULT_SECRETS } = await import('@etsr/platform');
    const forSeating = new TokenService(DEV_DEFAULT_SECRETS.JWT_SECRET, DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'order').serviceToken('seating');
    assert.equal((await post(event, forSeating)).status, 401);
    await svc.settled();
    assert.equal(mailsOf(event.eventId).length, 0);
  });

  it('the same event twice: the same notifications, one mail', async () => {
    const event = orderEvent({ phone: '+1234567890' });
    const first = await post(event);
    assert.equal(first.status, 202);
    await deliveredOnce(event.eventId);
    const again = await post(event);
    assert.equal(again.status, 202);
    assert.deepEqual(
      again.body.notifications.map((n: { notificationId: string }) => n.notificationId).sort(),
      first.body.notifications.map((n: { notificationId: string }) => n.notificationId).sort(),
    );
    await svc.settled();
    assert.equal(mailsOf(event.eventId).length, 1);
  });

  it('10 simultaneous deliveries of one event: all 202 with the same notification, one mail', async () => {
    const event = orderEvent({ tickets: 5 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(event)));
    assert.deepEqual(answers.map((a) => a.status), Array(10).fill(202), answers.map((a) => a.text).join('\n'));
    const ids = new Set(answers.map((a) => a.body.notifications[0].notificationId));
    assert.equal(ids.size, 1);
    await deliveredOnce(event.eventId);
    await svc.settled();
    assert.equal(mailsOf(event.eventId).length, 1);
  });

  it('the same eventId with another body is refused (422 EVENT_ID_REUSED) and sends nothing', async () => {
    const event = orderEvent({ type: 'ORDER_CANCELLED' });
    assert.equal((await post(event)).status, 202);
    const other = await post({ ...event, email: 'mallory@example.com' });
    assert.equal(other.status, 422);
    assert.equal(other.body.error, 'EVENT_ID_REUSED');
    await deliveredOnce(event.eventId);
    await svc.settled();
    assert.equal(mailsOf(event.eventId).length, 1);
    assert.equal(smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === 'mallory@example.com').length, 0);
  });

  describe('bad input is a 400 naming the field, never a 500, and stores nothing', () => {
    const refused: string[] = [];
    const base = () => {
      const event = orderEvent({ tickets: 1 });
      refused.push(event.eventId as string);
      return event;
    };
    const cases: [string, (e: Record<string, unknown>) => unknown, RegExp][] = [
      ['no body fields', () => ({}), /eventId is required/],
      ['eventId not a UUID', (e) => ({ ...e, eventId: 'evt-1' }), /eventId must be a UUID/],
      ['unknown type', (e) => ({ ...e, type: 'ORDER_SHIPPED' }), /type must be one of/],
      ['userId a string', (e) => ({ ...e, userId: '2' }), /userId must be an integer/],
      ['userId zero', (e) => ({ ...e, userId: 0 }), /userId must not be less than 1/],
      ['orderId not a UUID', (e) => ({ ...e, orderId: '7f7ddc5b' }), /orderId must be a UUID/],
      ['no email', (e) => ({ ...e, email: undefined }), /email is required/],
      ['bad email', (e) => ({ ...e, email: 'alice@' }), /email must be a valid e-mail address/],
      ['email with a header', (e) => ({ ...e, email: 'alice@example.com\r\nBcc: x@example.com' }), /email/],
      ['bad phone', (e) => ({ ...e, phone: '12345' }), /phone must be in E.164/],
      ['name with a newline', (e) => ({ ...e, name: 'Alice\nBcc: x' }), /name must be one line/],
      ['name too long', (e) => ({ ...e, name: 'a'.repeat(101) }), /name must be shorter than or equal to 100/],
      ['unknown field', (e) => ({ ...e, admin: true }), /property admin should not exist/],
      ['unknown field in data', (e) => ({ ...e, data: { ...(e.data as object), html: '<b>' } }), /property html should not exist/],
      ['data missing', (e) => ({ ...e, data: undefined }), /data is required/],
      ['data not an object', (e) => ({ ...e, data: 'x' }), /data/],
      ['currency lower-case', (e) => ({ ...e, data: { ...(e.data as object), currency: 'inr' } }), /currency must be an ISO 4217 code/],
      ['negative total', (e) => ({ ...e, data: { ...(e.data as object), totalCents: -1 } }), /totalCents must not be less than 0/],
      ['fractional total', (e) => ({ ...e, data: { ...(e.data as object), totalCents: 1.5 } }), /totalCents must be an integer/],
      ['event name too long', (e) => ({ ...e, data: { ...(e.data as object), eventName: 'x'.repeat(201) } }), /eventName must be shorter/],
      ['reason too long', (e) => ({ ...e, data: { ...(e.data as object), reason: 'x'.repeat(2001) } }), /reason must be shorter than or equal to 2000/],
      ['confirmation without tickets', (e) => ({ ...e, data: { ...(e.data as object), tickets: [] } }), /at least one ticket/],
      [
        '51 tickets',
        (e) => ({ ...e, data: { ...(e.data as object), tickets: Array.from({ length: 51 }, (_, i) => ({ ticketCode: `T${i}`, seatCode: 'A-1', qrPayload: 'x' })) } }),
        /tickets must contain no more than 50 elements/,
      ],
      ['ticket code with a slash', (e) => ({ ...e, data: { ...(e.data as object), tickets: [{ ticketCode: '../x', seatCode: 'A-1', qrPayload: 'x' }] } }), /ticketCode must be/],
      ['ticket without QR payload', (e) => ({ ...e, data: { ...(e.data as object), tickets: [{ ticketCode: 'T1', seatCode: 'A-1' }] } }), /qrPayload is required/],
      ['QR payload too big', (e) => ({ ...e, data: { ...(e.data as object), tickets: [{ ticketCode: 'T1', seatCode: 'A-1', qrPayload: 'é'.repeat(600) }] } }), /qrPayload must be at most 1000 bytes/],
      [
        'the same ticket twice',
        (e) => ({ ...e, data: { ...(e.data as object), tickets: [{ ticketCode: 'T1', seatCode: 'A-1', qrPayload: 'x' }, { ticketCode: 'T1', seatCode: 'A-2', qrPayload: 'y' }] } }),
        /must not repeat a ticketCode/,
      ],
      ['tickets not objects', (e) => ({ ...e, data: { ...(e.data as object), tickets: ['T1'] } }), /tickets/],
      ['a null ticket', (e) => ({ ...e, data: { ...(e.data as object), tickets: [null] } }), /tickets/],
      ['tickets a string', (e) => ({ ...e, data: { ...(e.data as object), tickets: 'T1' } }), /tickets must be an array/],
      ['data null', (e) => ({ ...e, data: null }), /data must not be null/],
      ['data an array', (e) => ({ ...e, data: [] }), /data/],
    ];
    for (const [name, make, message] of cases) {
      it(name, async () => {
        const body = make(base());
        const res = await post(body);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, 'VALIDATION_FAILED');
        assert.match(res.body.message, message);
      });
    }

    it('malformed JSON, a JSON array, and a non-JSON body', async () => {
      const malformed = await svc.api.post('/internal/v1/notifications', { token: serviceToken(), raw: '{"eventId":' });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error, 'MALFORMED_JSON');
      const array = await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: [orderEvent()] });
      assert.equal(array.status, 400);
      const text = await svc.api.post('/internal/v1/notifications', { token: serviceToken(), raw: 'hello', contentType: 'text/plain' });
      assert.equal(text.status, 415);
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
});
