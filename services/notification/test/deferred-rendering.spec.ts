import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { createTestDatabase, query as sql } from '@etsr/platform/testing';
import { accountEvent, orderEvent } from './factories';
import { NotificationUnderTest, adminToken, eventually, serviceToken, startNotificationForTest } from './harness';
import { PNG_SIGNATURE, TestSmtpServer, deadPort, startTestSmtpServer } from './smtp';

const post = (svc: NotificationUnderTest, body: unknown, path = '/internal/v1/notifications') => svc.api.post(path, { token: serviceToken(), body });
const byEvent = (smtp: TestSmtpServer, eventId: unknown) => smtp.messages.filter((m) => m.headers.get('x-event-id') === eventId);

describe('notification: receiving is a stored write; rendering and sending come after', () => {
  it('202 while no rendering can be stored (its table locked): the event is stored unrendered, and the mail goes out once rendering can be stored', async () => {
    const smtp = await startTestSmtpServer();
    const svc = await startNotificationForTest(smtp.url);
    const locker = new Client({ connectionString: svc.db.url });
    await locker.connect();
    try {
      // Storing a rendered e-mail writes its QR codes here: with the table locked, no rendering can complete.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE notification_attachments IN EXCLUSIVE MODE');
      const event = orderEvent({ tickets: 3, phone: '+1234567890' });
      const res = await post(svc, event);
      assert.equal(res.status, 202, res.text);
      assert.deepEqual(res.body.notifications.map((n: { channel: string }) => n.channel), ['EMAIL', 'SMS']);
      assert.equal(res.body.notifications[0].subject, `Your tickets for Rock Concert 2025 (order ${String(event.orderId).slice(0, 8)})`);
      const [email] = await sql<{ body_text: string | null; status: string }>(
        svc.db.url,
        `SELECT body_text, status FROM notifications WHERE event_id = $1 AND channel = 'EMAIL'`,
        [event.eventId],
      );
      assert.deepEqual(email, { body_text: null, status: 'PENDING' });
      const [stored] = await sql<{ payload: Record<string, unknown> }>(svc.db.url, `SELECT payload FROM notification_events WHERE event_id = $1`, [event.eventId]);
      assert.deepEqual(stored.payload, event);
      assert.equal(byEvent(smtp, event.eventId).length, 0);

      await locker.query('COMMIT');
      const [mail] = await smtp.waitFor(1, 10_000);
      assert.equal(mail.headers.get('x-event-id'), event.eventId);
      assert.equal(mail.attachments.length, 3);
      assert.ok(mail.attachments[0].content.subarray(0, 8).equals(PNG_SIGNATURE));
      // Rendered once and kept (retries and the inbox show the same message); the event's copy is no longer needed.
      await eventually(async () => {
        const rows = await sql<{ status: string; rendered: boolean }>(svc.db.url, `SELECT status, body_text IS NOT NULL AS rendered FROM notifications WHERE event_id = $1`, [event.eventId]);
        return rows.every((r) => r.status === 'SENT' && r.rendered) ? true : undefined;
      });
      const [cleared] = await sql<{ payload: unknown }>(svc.db.url, `SELECT payload FROM notification_events WHERE event_id = $1`, [event.eventId]);
      assert.equal(cleared.payload, null);
    } finally {
      await locker.end();
      await svc.stop();
      await smtp.stop();
    }
  });

  it('SMTP server down: 202 at once, the mail is sent once the server is back; a repeat of the event meanwhile sends nothing more', async () => {
    const port = await deadPort();
    const svc = await startNotificationForTest(`smtp://127.0.0.1:${port}`);
    let smtp: TestSmtpServer | undefined;
    try {
      const event = accountEvent({ type: 'ACCOUNT_SETUP' });
      const first = await post(svc, event, '/internal/v1/account-notifications');
      assert.equal(first.status, 202, first.text);
      await eventually(async () => {
        const [n] = await sql<{ attempts: number }>(svc.db.url, `SELECT attempts FROM notifications WHERE event_id = $1`, [event.eventId]);
        return n.attempts >= 1 ? true : undefined;
      });
      const repeat = await post(svc, event, '/internal/v1/account-notifications');
      assert.equal(repeat.status, 202);
      assert.equal(repeat.body.notifications[0].notificationId, first.body.notifications[0].notificationId);

      smtp = await startTestSmtpServer({ port });
      const [mail] = await smtp.waitFor(1, 10_000);
      assert.ok(mail.text?.includes((event.data as { token: string }).token));
      await svc.settled();
      assert.equal(smtp.messages.length, 1);
      // The token is no longer kept outside the rendered e-mail.
      const [stored] = await sql<{ payload: unknown }>(svc.db.url, `SELECT payload FROM notification_events WHERE event_id = $1`, [event.eventId]);
      assert.equal(stored.payload, null);
    } finally {
      await svc.stop();
      await smtp?.stop();
    }
  });

  describe('with one service and one SMTP server', () => {
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

    it('a sender that died between claiming and sending (nothing rendered yet): after its lease the notification is rendered and sent once', async () => {
      const event = orderEvent({ tickets: 2 });
      // Stored as receiving stores it, then claimed by a replica that died at once: leased for 2 s more, one attempt used.
      await sql(
        svc.db.url,
        `INSERT INTO notification_events (event_id, type, user_id, order_id, request_hash, payload) VALUES ($1, 'ORDER_CONFIRMED', $2, $3, repeat('0', 64), $4)`,
        [event.eventId, event.userId, event.orderId, JSON.stringify(event)],
      );
      await sql(
        svc.db.url,
        `INSERT INTO notifications (notification_id, event_id, type, channel, user_id, order_id, recipient, subject, attempts, lease_until, next_attempt_at)
         VALUES (gen_random_uuid(), $1, 'ORDER_CONFIRMED', 'EMAIL', $2, $3, 'alice@example.com', 'Your tickets', 1, now() + interval '2 seconds', now() + interval '2 seconds')`,
        [event.eventId, event.userId, event.orderId],
      );
      await svc.drain();
      assert.equal(byEvent(smtp, event.eventId).length, 0, 'not sent while the lease holds');
      const sent = await eventually(async () => {
        const [n] = (await svc.api.get(`/v1/notifications?orderId=${event.orderId}`, { token: adminToken() })).body.notifications;
        return n.status === 'SENT' ? n : undefined;
      }, 6_000);
      assert.equal(sent.attempts, 2);
      const mails = byEvent(smtp, event.eventId);
      assert.equal(mails.length, 1);
      assert.equal(mails[0].attachments.length, 2);
      assert.match(String(mails[0].text), /Seat PREMIUM-F-2/);
    });
  });

  it('a burst on two replicas, every event posted twice at once: each delivered exactly once, each message rendered once', async () => {
    const smtp = await startTestSmtpServer();
    const db = await createTestDatabase('notification');
    const a = await startNotificationForTest(smtp.url, { NOTIFICATION_BATCH_SIZE: '4' }, db);
    const b = await startNotificationForTest(smtp.url, { NOTIFICATION_BATCH_SIZE: '4' }, db);
    try {
      const events = Array.from({ length: 60 }, (_, i) => orderEvent({ tickets: 1 + (i % 3), phone: i % 2 ? '+1234567890' : undefined }));
      const answers = await Promise.all(events.flatMap((e) => [post(a, e), post(b, e)]));
      assert.deepEqual(answers.map((r) => r.status), Array(120).fill(202));
      // Both copies of an event answer the same notifications.
      for (let i = 0; i < events.length; i++) {
        const ids = (r: (typeof answers)[number]) => r.body.notifications.map((n: { notificationId: string }) => n.notificationId);
        assert.deepEqual(ids(answers[2 * i]), ids(answers[2 * i + 1]));
      }
      await smtp.waitFor(60, 30_000);
      await eventually(async () => {
        const [{ n }] = await sql<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM notifications WHERE status <> 'SENT'`);
        return n === 0 ? true : undefined;
      }, 30_000);
      await Promise.all([a.settled(), b.settled()]);
      const problems = () => JSON.stringify([...a.logs, ...b.logs].filter((l) => String(l.level).toLowerCase() !== 'info').slice(0, 20));
      assert.equal(smtp.messages.length, 60, problems());
      for (const e of events) assert.equal(byEvent(smtp, e.eventId).length, 1, `event ${e.eventId}`);
      const [counts] = await sql<{ notifications: number; sms: number; firstAttempt: number; payloads: number }>(
        db.url,
        `SELECT count(*)::int AS notifications, count(*) FILTER (WHERE channel = 'SMS')::int AS sms,
                count(*) FILTER (WHERE attempts = 1)::int AS "firstAttempt",
                (SELECT count(*)::int FROM notification_events WHERE payload IS NOT NULL) AS payloads
           FROM notifications`,
      );
      assert.deepEqual(counts, { notifications: 90, sms: 30, firstAttempt: 90, payloads: 0 });
      const smsLines = [...a.logs, ...b.logs].filter((l) => l.message === 'SMS (not sent: SMS_PROVIDER=log)');
      assert.equal(smsLines.length, 30);
    } finally {
      await a.stop();
      await b.stop();
      await db.drop();
      await smtp.stop();
    }
  });
});
