import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonLogger, MetricsService } from '@etsr/platform';
import { eventually, metricValue } from '@etsr/platform/testing';
import { MailTransport, OutgoingMail, PermanentDeliveryError } from '../clients/mail-transport.client';
import { OutgoingSms, SmsProvider } from '../clients/sms.provider';
import { NotificationConfig } from '../config';
import { NotificationEntity } from '../entities/notification.entity';
import { QrCodeClient } from '../clients/qr-code.client';
import { FailureOutcome, NotificationsRepository, RenderedNotification } from '../repositories/notifications.repository';
import { MessageComposer } from './message-composer.service';
import { NotificationMetrics } from './notification-metrics';
import { NotificationSender } from './notification-sender.service';
import type { DataSource } from 'typeorm';

/** A DataSource whose transactions just run their work: the repository here is a stand-in. */
const inline = { transaction: (work: (tx: unknown) => Promise<unknown>) => work({}) } as unknown as DataSource;

/** A stand-in that fails loudly on any member nobody set up. */
function strict<T extends object>(name: string, impl: Partial<T>): T {
  return new Proxy(impl as T, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof T];
      if (prop === 'then') return undefined;
      throw new Error(`${name}.${String(prop)} was used but not set up`);
    },
  });
}

const notification = (over: Partial<NotificationEntity> = {}): NotificationEntity =>
  Object.assign(new NotificationEntity(), {
    id: '0b8f5a52-4c1e-4f7e-9a43-5d2a1c9e8b70',
    eventId: 'b5c1f0e2-8a4d-4c1e-9f0a-2d6b7e3c1a90',
    type: 'ORDER_CONFIRMED',
    channel: 'EMAIL',
    userId: 2,
    orderId: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9',
    recipient: 'alice@example.com',
    subject: 'Your tickets',
    bodyText: 'text',
    bodyHtml: '<p>html</p>',
    status: 'PENDING',
    attempts: 1,
    traceId: null,
    ...over,
  });

interface Harness {
  sender: NotificationSender;
  marked: { sent: [string, string][]; failed: [string, number, string, FailureOutcome][] };
  mails: OutgoingMail[];
  sms: OutgoingSms[];
  metrics: MetricsService;
  lines: Record<string, unknown>[];
  /** Renderings the sender stored, in order, with how many messages had been sent at that moment. */
  stored: { id: string; rendered: RenderedNotification; sentBefore: number }[];
}

function harness(options: {
  due: NotificationEntity[];
  mail?: (m: OutgoingMail, signal: AbortSignal) => Promise<{ providerMessageId: string }>;
  leaseLost?: boolean;
  config?: Partial<NotificationConfig>;
  /** The event as received, for notifications not rendered yet. */
  payload?: Record<string, unknown> | null;
}): Harness {
  const stored: Harness['stored'] = [];
  const due = [...options.due];
  const marked: Harness['marked'] = { sent: [], failed: [] };
  const mails: OutgoingMail[] = [];
  const sms: OutgoingSms[] = [];
  const repository = strict<NotificationsRepository>('repository', {
    claimDue: async (limit: number) => due.splice(0, limit),
    attachmentsOf: async () => [],
    payloadOf: async () => options.payload ?? null,
    storeRendered: async (_tx: unknown, n: Pick<NotificationEntity, 'id'>, rendered: RenderedNotification) => void stored.push({ id: n.id, rendered, sentBefore: mails.length + sms.length }),
    markSent: async (id: string, providerId: string) => void marked.sent.push([id, providerId]),
    markFailed: async (id: string, attempt: number, error: string, outcome: FailureOutcome) => {
      marked.failed.push([id, attempt, error, outcome]);
      return !options.leaseLost;
    },
  });
  const mail = strict<MailTransport>('mail', {
    send: async (m: OutgoingMail, signal: AbortSignal) => {
      mails.push(m);
      return options.mail ? options.mail(m, signal) : { providerMessageId: '250 OK queued' };
    },
  });
  const smsProvider = strict<SmsProvider>('sms', { name: 'test', send: async (s: OutgoingSms) => (sms.push(s), { providerMessageId: 'sms-1' }) });
  const metrics = new MetricsService('notification');
  const lines: Record<string, unknown>[] = [];
  const logger = new JsonLogger('notification', 'debug', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const config = Object.assign(new NotificationConfig(), {
    NOTIFICATION_BATCH_SIZE: 10,
    NOTIFICATION_LEASE_SECONDS: 120,
    NOTIFICATION_MAX_ATTEMPTS: 3,
    NOTIFICATION_RETRY_BASE_MS: 1000,
    NOTIFICATION_RETRY_MAX_MS: 60_000,
    NOTIFICATION_SEND_TIMEOUT_MS: 30_000,
    ...options.config,
  });
  const notificationMetrics = new NotificationMetrics(metrics, strict<NotificationsRepository>('gauge', {}));
  const sender = new NotificationSender(inline, config, repository, mail, smsProvider, new MessageComposer(new QrCodeClient()), notificationMetrics, logger);
  return { sender, marked, mails, sms, metrics, lines, stored };
}

describe('NotificationSender', () => {
  it('keeps sending while one send is slow: later notifications are claimed as places free up', async () => {
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const ids = ['a', 'b', 'c', 'd'].map((c) => `${c.repeat(8)}-4c1e-4f7e-9a43-5d2a1c9e8b70`);
    const h = harness({
      due: ids.map((id) => notification({ id })),
      config: { NOTIFICATION_BATCH_SIZE: 2 },
      mail: async (m) => {
        if (m.headers['X-Notification-Id'] === ids[0]) await slow;
        return { providerMessageId: '250 OK' };
      },
    });
    const pass = h.sender.drain();
    // The three others go out while the first is still being sent (a whole-batch pass sent one).
    await eventually(() => (h.marked.sent.length === 3 ? true : undefined));
    assert.deepEqual(h.marked.sent.map(([id]) => id), ids.slice(1));
    releaseSlow();
    await pass;
    assert.deepEqual(h.marked.sent.map(([id]) => id).sort(), [...ids].sort());
  });

  it('sends a claimed e-mail with a stable Message-ID and marks it SENT', async () => {
    const h = harness({ due: [notification()] });
    await h.sender.drain();
    assert.equal(h.mails.length, 1);
    assert.equal(h.mails[0].messageId, '<notification-0b8f5a52-4c1e-4f7e-9a43-5d2a1c9e8b70@example.com>');
    assert.equal(h.mails[0].headers['X-Event-Id'], 'b5c1f0e2-8a4d-4c1e-9f0a-2d6b7e3c1a90');
    assert.deepEqual(h.marked.sent, [['0b8f5a52-4c1e-4f7e-9a43-5d2a1c9e8b70', '250 OK queued']]);
    assert.deepEqual(h.marked.failed, []);
    assert.equal(metricValue(await h.metrics.registry.metrics(), 'notifications_sent_total', { channel: 'EMAIL', type: 'ORDER_CONFIRMED' }), 1);
  });

  it('sends an SMS through the provider', async () => {
    const h = harness({ due: [notification({ channel: 'SMS', recipient: '+1234567890', bodyText: 'Booking confirmed', subject: null, bodyHtml: null })] });
    await h.sender.drain();
    assert.deepEqual(h.sms, [{ to: '+1234567890', text: 'Booking confirmed', reference: '0b8f5a52-4c1e-4f7e-9a43-5d2a1c9e8b70' }]);
    assert.equal(h.mails.length, 0);
    assert.deepEqual(h.marked.sent, [['0b8f5a52-4c1e-4f7e-9a43-5d2a1c9e8b70', 'sms-1']]);
  });

  it('a failed attempt is rescheduled with backoff and counted', async () => {
    const h = harness({ due: [notification({ attempts: 2 })], mail: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1025'), { code: 'ESOCKET' })) });
    await h.sender.drain();
    assert.equal(h.marked.failed.length, 1);
    const [id, attempt, error, outcome] = h.marked.failed[0];
    assert.equal(id, '0b8f5a52-4c1e-4f7e-9a43-5d2a1c9e8b70');
    assert.equal(attempt, 2);
    assert.equal(error, 'ESOCKET: connect ECONNREFUSED 127.0.0.1:1025');
    assert.ok('retryInMs' in outcome && outcome.retryInMs >= 500 && outcome.retryInMs <= 2000);
    assert.deepEqual(h.marked.sent, []);
    assert.equal(metricValue(await h.metrics.registry.metrics(), 'notification_send_failures_total', { channel: 'EMAIL' }), 1);
    assert.ok(h.lines.some((l) => l.message === 'Notification not delivered; will retry' && l.level === 'WARN'));
  });

  it('the last attempt failing, or a permanent refusal, is final', async () => {
    const last = harness({ due: [notification({ attempts: 3 })], mail: async () => Promise.reject(new Error('timeout')) });
    await last.sender.drain();
    assert.deepEqual(last.marked.failed[0][3], { final: true });
    const refused = harness({ due: [notification({ attempts: 1 })], mail: async () => Promise.reject(new PermanentDeliveryError('550 no such user')) });
    await refused.sender.drain();
    assert.deepEqual(refused.marked.failed[0][3], { final: true });
    assert.ok(refused.lines.some((l) => l.message === 'Notification given up' && l.level === 'ERROR'));
  });

  it('a send that hangs is aborted after NOTIFICATION_SEND_TIMEOUT_MS and counted as failed once it gave up', async () => {
    let gaveUp = false;
    const hangsUntilAborted = (_m: OutgoingMail, signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => ((gaveUp = true), reject(new Error('aborted')))));
    const h = harness({ due: [notification()], mail: hangsUntilAborted, config: { NOTIFICATION_SEND_TIMEOUT_MS: 50 } });
    // AbortSignal.timeout does not keep a process alive (in the service its server does): without
    // this the test runner's event loop would run dry before the deadline fires.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      await h.sender.drain();
    } finally {
      clearInterval(keepAlive);
    }
    assert.equal(gaveUp, true);
    assert.match(h.marked.failed[0][2], /no answer within 50 ms: attempt aborted/);
  });

  it('a failure reported after another sender took over is only logged', async () => {
    const h = harness({ due: [notification()], mail: async () => Promise.reject(new Error('slow')), leaseLost: true });
    await h.sender.drain();
    assert.ok(h.lines.some((l) => l.message === 'Attempt failed after another sender took the notification over'));
  });

  it('renders a notification stored unrendered from its event, stores the rendering, then sends it', async () => {
    const payload = {
      eventId: 'b5c1f0e2-8a4d-4c1e-9f0a-2d6b7e3c1a90',
      type: 'ORDER_CONFIRMED',
      userId: 2,
      orderId: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9',
      email: 'alice@example.com',
      name: 'Alice',
      data: { eventName: 'Rock Concert', eventId: 1, totalCents: 33000, currency: 'INR', tickets: [{ ticketCode: 'TCK-1', seatCode: 'A-1', qrPayload: 'etsr:ticket:TCK-1:x' }] },
    };
    const h = harness({ due: [notification({ bodyText: null, bodyHtml: null })], payload });
    await h.sender.drain();
    assert.equal(h.stored.length, 1);
    assert.equal(h.stored[0].sentBefore, 0, 'stored before it is sent');
    assert.match(h.stored[0].rendered.bodyText, /Seat A-1, ticket TCK-1/);
    assert.equal(h.stored[0].rendered.attachments.length, 1);
    assert.equal(h.mails.length, 1);
    assert.equal(h.mails[0].text, h.stored[0].rendered.bodyText);
    assert.equal(h.mails[0].attachments[0].contentId, 'qr-1@tickets.etsr');
    assert.equal(h.mails[0].attachments[0].content.subarray(1, 4).toString(), 'PNG');
    assert.equal(h.marked.sent.length, 1);
  });

  it('a notification with neither a body nor its event is given up at once (nothing to send)', async () => {
    const h = harness({ due: [notification({ bodyText: null, bodyHtml: null })], payload: null });
    await h.sender.drain();
    assert.equal(h.mails.length, 0);
    assert.equal(h.marked.failed.length, 1);
    assert.deepEqual(h.marked.failed[0][3], { final: true });
  });

  it('a database error during a pass does not escape (the next interval retries)', async () => {
    const h = harness({ due: [] });
    const broken = new NotificationSender(
      inline,
      Object.assign(new NotificationConfig(), { NOTIFICATION_BATCH_SIZE: 10, NOTIFICATION_MAX_ATTEMPTS: 3 }),
      strict<NotificationsRepository>('repository', { claimDue: async () => Promise.reject(new Error('Connection terminated')) }),
      strict<MailTransport>('mail', {}),
      strict<SmsProvider>('sms', {}),
      new MessageComposer(new QrCodeClient()),
      new NotificationMetrics(new MetricsService('notification'), strict<NotificationsRepository>('gauge', {})),
      new JsonLogger('notification', 'debug', { write: (line: string) => void h.lines.push(JSON.parse(line)) }),
    );
    await broken.drain();
    assert.ok(h.lines.some((l) => l.message === 'Send pass failed; the next interval retries'));
  });
});
