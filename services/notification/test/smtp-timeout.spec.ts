import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderEvent } from './factories';
import { adminToken, eventually, serviceToken, startNotificationForTest } from './harness';
import { startTestSmtpServer } from './smtp';

describe('notification: an SMTP server that stalls past the client timeout', () => {
  it('the retry starts only after the timed-out attempt hung up; both copies carry the same Message-ID', async () => {
    // The first connection: greeting after 1.5 s, and the reply to the end of DATA never comes
    // while the client waits; once the client hangs up the server delivers the message anyway.
    // The second connection answers at once. The outcome is decided by the order of events, not by
    // how long anything takes: whether the retry's connection opens before or after the first one closes.
    const smtp = await startTestSmtpServer({ stall: { connections: 1, greetingDelayMs: 1_500 } });
    const svc = await startNotificationForTest(smtp.url, {
      NOTIFICATION_SEND_TIMEOUT_MS: '4000',
      SMTP_CONNECTION_TIMEOUT_MS: '4000',
      SMTP_GREETING_TIMEOUT_MS: '4000',
      SMTP_SOCKET_TIMEOUT_MS: '4000',
      // Retry at once after a failure, so that a retry beside a running attempt would show.
      NOTIFICATION_RETRY_BASE_MS: '10',
      NOTIFICATION_RETRY_MAX_MS: '10',
      NOTIFICATION_SEND_INTERVAL_MS: '50',
      MAIL_MESSAGE_ID_DOMAIN: 'mail.tickets.test',
    });
    try {
      const event = orderEvent({ tickets: 1 });
      const res = await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: event });
      assert.equal(res.status, 202, res.text);
      const [id] = (res.body.notifications as { notificationId: string }[]).map((n) => n.notificationId);

      const copies = await smtp.waitFor(2, 30_000);
      const sent = await eventually(async () => {
        const [n] = (await svc.api.get(`/v1/notifications?orderId=${event.orderId}`, { token: adminToken() })).body.notifications;
        return n.status === 'SENT' ? n : undefined;
      });
      assert.equal(sent.attempts, 2);

      // The retry did not run beside the attempt that could still deliver.
      const { events } = smtp;
      assert.ok(events.includes('data 1') && events.includes('open 2'), events.join(', '));
      assert.ok(events.indexOf('close 1') >= 0 && events.indexOf('close 1') < events.indexOf('open 2'), `retry opened before the first attempt hung up: ${events.join(', ')}`);
      // At least once: both copies arrived, recognisable as one message.
      assert.deepEqual(copies.map((m) => m.messageId), [`<notification-${id}@mail.tickets.test>`, `<notification-${id}@mail.tickets.test>`]);
      assert.deepEqual(copies.map((m) => m.headers.get('x-notification-id')), [id, id]);
    } finally {
      await svc.stop();
      await smtp.stop();
    }
  });
});
