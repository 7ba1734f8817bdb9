import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metricValue, schemaDrift } from '@etsr/platform/testing';
import { orderEvent } from './factories';
import { NotificationUnderTest, eventually, serviceToken, startNotificationForTest } from './harness';
import { TestSmtpServer, deadPort, startTestSmtpServer } from './smtp';

describe('notification: health, metrics, documentation, tracing, schema', () => {
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

  it('/health answers UP with the database check', async () => {
    const res = await svc.api.get('/health');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'UP');
    assert.equal(res.body.service, 'notification');
    assert.equal(res.body.components.db.status, 'UP');
  });

  it('metrics: sent by channel and type, failures by channel, events received, pending read from the database', async () => {
    const before = (await svc.api.get('/metrics')).text;
    for (const name of ['notifications_sent_total', 'notification_send_failures_total', 'notifications_pending_count', 'notification_events_received_total', 'http_server_requests_seconds_count']) {
      assert.notEqual(metricValue(before, name), undefined, name);
    }
    const sentBefore = metricValue(before, 'notifications_sent_total', { channel: 'SMS', type: 'ORDER_CONFIRMED' }) ?? 0;
    const event = orderEvent({ phone: '+1234567890' });
    assert.equal((await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: event })).status, 202);
    assert.equal((await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: event })).status, 202);
    await smtp.waitFor(1);
    // Both messages delivered and recorded (the counter moves when the server accepts, the gauge once the row says SENT).
    const text = await eventually(async () => {
      const t = (await svc.api.get('/metrics')).text;
      const done =
        metricValue(t, 'notifications_sent_total', { channel: 'SMS', type: 'ORDER_CONFIRMED' }) === sentBefore + 1 &&
        metricValue(t, 'notifications_sent_total', { channel: 'EMAIL', type: 'ORDER_CONFIRMED' }) === 1 &&
        metricValue(t, 'notifications_pending_count', { channel: 'EMAIL' }) === 0 &&
        metricValue(t, 'notifications_pending_count', { channel: 'SMS' }) === 0;
      return done ? t : undefined;
    });
    assert.equal(metricValue(text, 'notifications_sent_total', { channel: 'EMAIL', type: 'ORDER_CONFIRMED', service: 'notification' }), 1);
    assert.equal(metricValue(text, 'notification_events_received_total', { type: 'ORDER_CONFIRMED', outcome: 'new' }), 1);
    assert.equal(metricValue(text, 'notification_events_received_total', { type: 'ORDER_CONFIRMED', outcome: 'duplicate' }), 1);
    assert.equal(metricValue(text, 'notification_send_failures_total', { channel: 'EMAIL' }), 0);
    assert.equal(metricValue(text, 'notifications_pending_count', { channel: 'EMAIL' }), 0);
    assert.equal(metricValue(text, 'http_server_requests_seconds_count', { method: 'POST', route: '/internal/v1/notifications', status: '202' }), 2);
  });

  it('the pending gauge counts what is not delivered yet, read from the database at scrape time', async () => {
    const down = await startNotificationForTest(`smtp://127.0.0.1:${await deadPort()}`);
    try {
      for (const type of ['ORDER_CANCELLED', 'PAYMENT_FAILED'] as const) {
        const res = await down.api.post('/internal/v1/notifications', { token: serviceToken(), body: orderEvent({ type }) });
        assert.equal(res.status, 202);
      }
      const text = await eventually(async () => {
        const t = (await down.api.get('/metrics')).text;
        return (metricValue(t, 'notification_send_failures_total', { channel: 'EMAIL' }) ?? 0) >= 2 ? t : undefined;
      });
      assert.equal(metricValue(text, 'notifications_pending_count', { channel: 'EMAIL' }), 2);
      assert.equal(metricValue(text, 'notifications_pending_count', { channel: 'SMS' }), 0);
      assert.equal(metricValue(text, 'notifications_sent_total', { channel: 'EMAIL', type: 'ORDER_CANCELLED' }), 0);
    } finally {
      await down.stop();
    }
  });

  it('continues the caller\'s W3C trace: the sender logs the delivery under the trace of the request that brought the event', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const event = orderEvent({ type: 'PAYMENT_FAILED' });
    const res = await svc.api.post('/internal/v1/notifications', {
      token: serviceToken(),
      body: event,
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    assert.equal(res.headers.get('x-trace-id'), traceId);
    const line = await eventually(async () => svc.logs.find((l) => l.message === 'Notification sent' && l.eventId === event.eventId));
    assert.equal(line.traceId, traceId);
    assert.equal(line.service, 'notification');
  });

  it('serves the OpenAPI description with examples at /docs-json and the UI at /docs', async () => {
    const doc = (await svc.api.get('/docs-json')).body;
    assert.ok(doc.paths['/internal/v1/notifications'].post.responses['202']);
    assert.ok(doc.paths['/v1/notifications'].get);
    assert.equal(doc.paths['/inbox'], undefined, 'the development inbox is not part of the API');
    const body = doc.components.schemas.ReceiveEventDto;
    assert.deepEqual(body.required.sort(), ['data', 'email', 'eventId', 'orderId', 'type', 'userId']);
    assert.equal(body.properties.email.example, 'alice@example.com');
    assert.equal(doc.components.schemas.NotificationDataDto.properties.eventName.example, 'Rock Concert 2025');
    assert.equal(doc.components.schemas.TicketDto.properties.seatCode.example, 'PREMIUM-F-1');
    assert.equal(doc.components.schemas.NotificationDto.properties.status.example, 'PENDING');
    const ui = await svc.api.get('/docs');
    assert.equal(ui.status, 200);
    assert.match(ui.text, /swagger-ui/);
  });

  it('unknown paths share one metrics label and get the error body', async () => {
    const res = await svc.api.get('/wp-admin/install.php');
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'NOT_FOUND');
  });

  it('the schema the migrations build is exactly what the entities describe', async () => {
    const { database } = await import('../src/database.js');
    assert.deepEqual(await schemaDrift(svc.db.url, database.entities), []);
  });
});
