import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, query as sql } from '@etsr/platform/testing';
import { orderEvent } from './factories';
import { NotificationUnderTest, adminToken, eventually, serviceToken, startNotificationForTest } from './harness';
import { TestSmtpServer, deadPort, startTestSmtpServer } from './smtp';

interface Listed {
  notificationId: string;
  status: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
}

const post = (svc: NotificationUnderTest, body: unknown) => svc.api.post('/internal/v1/notifications', { token: serviceToken(), body });
const notificationsOf = async (svc: NotificationUnderTest, orderId: unknown): Promise<Listed[]> =>
  (await svc.api.get(`/v1/notifications?orderId=${orderId}`, { token: adminToken() })).body.notifications;
const byEvent = (smtp: TestSmtpServer, eventId: unknown) => smtp.messages.filter((m) => m.headers.get('x-event-id') === eventId);

describe('notification: delivery when the SMTP server is down, refuses, or a sender dies', () => {
  it('SMTP server down when the event arrives: not SENT, retried; once it is back, delivered within seconds and exactly once', async () => {
    const port = await deadPort();
    const svc = await startNotificationForTest(`smtp://127.0.0.1:${port}`);
    let smtp: TestSmtpServer | undefined;
    try {
      const event = orderEvent({ tickets: 2 });
      const res = await post(svc, event);
      assert.equal(res.status, 202, res.text);
      // Attempts fail and are rescheduled; the notification stays PENDING with the error visible.
      const failing = await eventually(async () => {
        const [n] = await notificationsOf(svc, event.orderId);
        return n.attempts >= 2 && n.lastError ? n : undefined;
      });
      assert.equal(failing.status, 'PENDING');
      assert.match(String(failing.lastError), /ECONNREFUSED/);
      assert.ok(failing.nextAttemptAt);
      assert.equal(failing.sentAt, null);

      smtp = await startTestSmtpServer({ port });
      const started = Date.now();
      await smtp.waitFor(1, 5_000);
      const took = Date.now() - started;
      const sent = await eventually(async () => {
        const [n] = await notificationsOf(svc, event.orderId);
        return n.status === 'SENT' ? n : undefined;
      });
      assert.equal(sent.lastError, null);
      assert.ok(took < 5_000, `delivered ${took} ms after the server came back`);
      await svc.settled();
      assert.equal(byEvent(smtp, event.eventId).length, 1);
      assert.equal(smtp.messages.length, 1);
      assert.equal(smtp.messages[0].attachments.length, 2);
    } finally {
      await svc.stop();
      await smtp?.stop();
    }
  });

  describe('with one service and one SMTP server', () => {
    let smtp: TestSmtpServer;
    let svc: NotificationUnderTest;
    before(async () => {
      smtp = await startTestSmtpServer({ rejectRecipients: ['nobody@example.com'] });
      svc = await startNotificationForTest(smtp.url, { NOTIFICATION_MAX_ATTEMPTS: '3' });
    });
    after(async () => {
      await svc.stop();
      await smtp.stop();
    });

    it('a recipient the server refuses for good (550): FAILED at once, no retries', async () => {
      const event = orderEvent({ type: 'ORDER_CANCELLED', email: 'nobody@example.com' });
      assert.equal((await post(svc, event)).status, 202);
      const failed = await eventually(async () => {
        const [n] = await notificationsOf(svc, event.orderId);
        return n.status === 'FAILED' ? n : undefined;
      });
      assert.equal(failed.attempts, 1);
      assert.match(String(failed.lastError), /550/);
      assert.equal(failed.nextAttemptAt, null);
      await svc.settled();
      assert.equal((await notificationsOf(svc, event.orderId))[0].attempts, 1);
    });

    it('a sender that died mid-send: when its lease runs out the notification is sent (again: at least once)', async () => {
      const event = orderEvent({ type: 'PAYMENT_FAILED' });
      // Stored as if another replica had claimed it and died: leased for 2 s more, one attempt used.
      const eventId = event.eventId as string;
      await sql(
        svc.db.url,
        `INSERT INTO notification_events (event_id, type, user_id, order_id, request_hash) VALUES ($1, 'PAYMENT_FAILED', $2, $3, repeat('0', 64))`,
        [eventId, event.userId, event.orderId],
      );
      await sql(
        svc.db.url,
        `INSERT INTO notifications (notification_id, event_id, type, channel, user_id, order_id, recipient, subject, body_text, body_html,
                                    attempts, lease_until, next_attempt_at)
         VALUES (gen_random_uuid(), $1, 'PAYMENT_FAILED', 'EMAIL', $2, $3, 'alice@example.com', 'Leased', 'text', '<p>html</p>',
                 1, now() + interval '2 seconds', now() + interval '2 seconds')`,
        [eventId, event.userId, event.orderId],
      );
      await svc.drain();
      assert.equal(byEvent(smtp, eventId).length, 0, 'not sent while the lease holds');
      const sent = await eventually(async () => {
        const [n] = await notificationsOf(svc, event.orderId);
        return n.status === 'SENT' ? n : undefined;
      }, 6_000);
      assert.equal(sent.attempts, 2);
      assert.equal(byEvent(smtp, eventId).length, 1);
    });

    it('NOTIFICATION_MAX_ATTEMPTS failed attempts: FAILED for good', async () => {
      const event = orderEvent({ type: 'ORDER_REFUNDED' });
      // The last allowed attempt was claimed by a sender that then died: nothing may try again.
      await sql(svc.db.url, `INSERT INTO notification_events (event_id, type, user_id, order_id, request_hash) VALUES ($1, 'ORDER_REFUNDED', $2, $3, repeat('0', 64))`, [
        event.eventId,
        event.userId,
        event.orderId,
      ]);
      await sql(
        svc.db.url,
        `INSERT INTO notifications (notification_id, event_id, type, channel, user_id, order_id, recipient, subject, body_text, attempts, last_error, next_attempt_at)
         VALUES (gen_random_uuid(), $1, 'ORDER_REFUNDED', 'EMAIL', $2, $3, 'alice@example.com', 'x', 'x', 3, 'ECONNREFUSED', now())`,
        [event.eventId, event.userId, event.orderId],
      );
      const failed = await eventually(async () => {
        const [n] = await notificationsOf(svc, event.orderId);
        return n.status === 'FAILED' ? n : undefined;
      });
      assert.equal(failed.attempts, 3);
      assert.match(String(failed.lastError), /ECONNREFUSED; gave up/);
      assert.equal(byEvent(smtp, event.eventId).length, 0);
    });
  });

  it('a server that keeps failing: retried with growing delays, FAILED after NOTIFICATION_MAX_ATTEMPTS', async () => {
    const port = await deadPort();
    const svc = await startNotificationForTest(`smtp://127.0.0.1:${port}`, { NOTIFICATION_MAX_ATTEMPTS: '3', NOTIFICATION_RETRY_BASE_MS: '50', NOTIFICATION_RETRY_MAX_MS: '200' });
    try {
      const event = orderEvent({ type: 'ORDER_CANCELLED' });
      assert.equal((await post(svc, event)).status, 202);
      const failed = await eventually(async () => {
        const [n] = await notificationsOf(svc, event.orderId);
        return n.status === 'FAILED' ? n : undefined;
      });
      assert.equal(failed.attempts, 3);
      assert.match(String(failed.lastError), /ECONNREFUSED/);
      const metrics = (await svc.api.get('/metrics')).text;
      assert.match(metrics, /notification_send_failures_total\{[^}]*channel="EMAIL"[^}]*\} 3/);
    } finally {
      await svc.stop();
    }
  });

  it('two replicas on one database share the work: every mail exactly once', async () => {
    const smtp = await startTestSmtpServer();
    const db = await createTestDatabase('notification');
    const a = await startNotificationForTest(smtp.url, { NOTIFICATION_BATCH_SIZE: '3' }, db);
    const b = await startNotificationForTest(smtp.url, { NOTIFICATION_BATCH_SIZE: '3' }, db);
    try {
      const events = Array.from({ length: 30 }, (_, i) => orderEvent({ type: i % 2 ? 'ORDER_CONFIRMED' : 'PAYMENT_FAILED', tickets: i % 2 ? 1 : 0 }));
      const answers = await Promise.all(events.map((e, i) => post(i % 2 ? a : b, e)));
      assert.deepEqual(answers.map((r) => r.status), Array(30).fill(202));
      await smtp.waitFor(30, 15_000);
      await Promise.all([a.settled(), b.settled()]);
      assert.equal(smtp.messages.length, 30);
      for (const e of events) assert.equal(byEvent(smtp, e.eventId).length, 1, `event ${e.eventId}`);
      // Each recorded as SENT once, by one replica or the other.
      const sentBy = () => [a, b].map((s) => s.logs.filter((l) => l.message === 'Notification sent').length);
      await eventually(async () => (sentBy()[0] + sentBy()[1] >= 30 ? true : undefined));
      assert.equal(sentBy()[0] + sentBy()[1], 30);
      const [{ n }] = await sql<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM notifications WHERE status = 'SENT' AND attempts = 1`);
      assert.equal(n, 30);
    } finally {
      await a.stop();
      await b.stop();
      await db.drop();
      await smtp.stop();
    }
  });
});
