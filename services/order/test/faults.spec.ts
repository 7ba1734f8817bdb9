import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '@etsr/platform/testing';
import { callbackBody, confirmedOrder, createOrder, newPaymentId, waitForStatus } from './factories';
import { OrderServiceUnderTest, eventually, startOrderForTest, userToken } from './harness';

/** Calls to other services time out after 300 ms here, so a peer that hangs costs little. */
const ENV = { HTTP_CLIENT_TIMEOUT_MS: '300' };

describe('peers failing: no work is lost', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest(ENV);
  });
  after(() => svc.stop());

  const outboxRow = async (dedupeKey: string) =>
    (await svc.sql<{ status: string; attempts: number; last_error: string | null }>(`SELECT status, attempts, last_error FROM outbox WHERE dedupe_key = $1`, [dedupeKey]))[0];
  const ticketCount = async (orderId: string) =>
    (await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE order_id = $1`, [orderId]))[0].n;
  const pay = async (orderId: string) => {
    const paymentId = newPaymentId();
    assert.equal((await svc.callback(callbackBody(orderId, paymentId, 'SUCCESS'))).status, 200);
    return paymentId;
  };

  it('seating answers 500 to a whole delivery of the allocation: the outbox tries again later and the order is CONFIRMED', async () => {
    const { order } = await createOrder(svc);
    svc.seating.failNext('allocate', 3, 500);
    await pay(order.orderId);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    assert.deepEqual(svc.seating.calls('allocate', (b) => b.orderId === order.orderId).map((c) => c.status), [500, 500, 500, 200]);
    assert.deepEqual(await outboxRow(`allocate:${order.orderId}`), { status: 'SENT', attempts: 2, last_error: null });
    assert.equal(await ticketCount(order.orderId), 2);
  });

  it('seating refuses our credential (403, a misconfigured secret): retried, never refunded; CONFIRMED once it is fixed', async () => {
    const { order } = await createOrder(svc);
    svc.seating.failNext('allocate', 3, 403);
    await pay(order.orderId);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    assert.deepEqual(svc.seating.calls('allocate', (b) => b.orderId === order.orderId).map((c) => c.status), [403, 403, 403, 200]);
    assert.equal(svc.payment.calls('refund').length, 0);
    assert.equal(await ticketCount(order.orderId), 2);
  });

  it('seating allocates but its answer never comes: the retry finds the seats allocated to this order, allocated once', async () => {
    const { order, reservation } = await createOrder(svc);
    svc.seating.faultNext('allocate', { kind: 'swallow' });
    await pay(order.orderId);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    assert.deepEqual(svc.seating.calls('allocate', (b) => b.orderId === order.orderId).map((c) => c.status), [0, 200]);
    assert.equal(svc.seating.allocations.filter((id) => id === reservation.reservationId).length, 1);
    assert.equal(await ticketCount(order.orderId), 2);
  });

  it('seating down: the order waits in ALLOCATING without tickets, and is CONFIRMED once seating is back', async () => {
    const { order } = await createOrder(svc);
    svc.seating.breakRoute('allocate', { kind: 'fail', status: 503 });
    try {
      await pay(order.orderId);
      // A delivery failed and finished (no lease held): the message waits for its next attempt.
      const row = await eventually(async () => {
        const [r] = await svc.sql<{ attempts: number; last_error: string | null }>(
          `SELECT attempts, last_error FROM outbox WHERE dedupe_key = $1 AND status = 'PENDING' AND lease_until IS NULL AND last_error IS NOT NULL`,
          [`allocate:${order.orderId}`],
        );
        return r;
      }, 10_000, 'a failed delivery');
      assert.match(row.last_error!, /seating answered 503/);
      const waiting = (await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body;
      assert.equal(waiting.status, 'ALLOCATING');
      assert.equal(await ticketCount(order.orderId), 0);
    } finally {
      svc.seating.restore('allocate');
    }
    // Usually the next delivery succeeds; on a slow machine a second one may fail first and open
    // the circuit breaker, which lets a call through again after 5 s.
    await waitForStatus(svc, order.orderId, 'CONFIRMED', 20_000);
    assert.equal(await ticketCount(order.orderId), 2);
  });

  it('the order service stops while seating is down; a new process on the same database finishes the order', async () => {
    const db = await createTestDatabase('orderrestart');
    const peers = { seating: svc.seating, payment: svc.payment, notification: svc.notification, catalog: svc.catalog };
    try {
      const first = await startOrderForTest(ENV, { database: db, peers });
      const { order } = await createOrder(first);
      svc.seating.breakRoute('allocate', { kind: 'fail', status: 503 });
      try {
        assert.equal((await first.callback(callbackBody(order.orderId, newPaymentId(), 'SUCCESS'))).status, 200);
        await eventually(async () => ((await first.sql<{ attempts: number }>(`SELECT attempts FROM outbox WHERE dedupe_key = $1 AND last_error IS NOT NULL`, [`allocate:${order.orderId}`]))[0] ? true : undefined), 10_000, 'a failed delivery');
        await first.stop();
      } finally {
        svc.seating.restore('allocate');
      }
      const second = await startOrderForTest(ENV, { database: db, peers });
      try {
        await waitForStatus(second, order.orderId, 'CONFIRMED');
        assert.equal((await second.sql<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE order_id = $1`, [order.orderId]))[0].n, 2);
        await second.outboxSettled();
        assert.deepEqual(svc.notification.of(order.orderId).map((n) => n.type), ['ORDER_CONFIRMED']);
      } finally {
        await second.stop();
      }
    } finally {
      await db.drop();
    }
  });

  it('the notification service answers 500 twice: the notice is delivered once, with the same eventId every time', async () => {
    const { order } = await createOrder(svc);
    svc.notification.failNext('notify', 2, 500);
    await pay(order.orderId);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    await svc.outboxSettled();
    const attempts = svc.notification.calls('notify', (b) => b.orderId === order.orderId);
    assert.deepEqual(attempts.map((c) => c.status), [500, 500, 202]);
    assert.equal(new Set(attempts.map((c) => c.body!.eventId)).size, 1);
    assert.equal(svc.notification.of(order.orderId).length, 1);
  });

  it('a notification service that does not answer is retried after the timeout', async () => {
    const { order } = await createOrder(svc);
    svc.notification.faultNext('notify', { kind: 'hang' });
    await pay(order.orderId);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    await eventually(() => (svc.notification.of(order.orderId).length === 1 ? true : undefined), 10_000, 'the notice');
    assert.deepEqual(svc.notification.calls('notify', (b) => b.orderId === order.orderId).map((c) => c.status), [0, 202]);
  });

  it('a notice refused for good (400) is not retried: DEAD and kept, and the booking stands', async () => {
    const { order } = await createOrder(svc);
    svc.notification.failNext('notify', 1, 400);
    await pay(order.orderId);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    await svc.outboxSettled();
    const row = await outboxRow(`notify:${order.orderId}:ORDER_CONFIRMED:`);
    assert.deepEqual([row.status, row.attempts], ['DEAD', 1]);
    assert.match(row.last_error!, /notification refused/);
    assert.equal(svc.notification.calls('notify', (b) => b.orderId === order.orderId).length, 1);
    assert.equal(await ticketCount(order.orderId), 2);
  });

  it('the payment service fails the refund: retried until it is recorded, once', async () => {
    const { order, paymentId, token } = await confirmedOrder(svc);
    svc.payment.failNext('refund', 3, 503);
    assert.equal((await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token })).status, 202);
    await eventually(() => svc.payment.refunds.get(paymentId), 10_000, 'the refund');
    await svc.outboxSettled();
    assert.deepEqual(svc.payment.calls('refund', (b) => b.payment_id === paymentId).map((c) => c.status), [503, 503, 503, 200]);
    assert.deepEqual(await outboxRow(`refund:${paymentId}`), { status: 'SENT', attempts: 2, last_error: null });
  });

  it('the catalog does not answer: the order is made all the same, without the event name', async () => {
    // Events whose names this order service has not asked for yet (a name it has is reused for a minute).
    svc.catalog.events.set(71, 'Matinee').set(72, 'Late show');
    svc.catalog.faultNext('event', { kind: 'hang' });
    const { order } = await createOrder(svc, { eventId: 71 });
    assert.equal(order.status, 'PENDING');
    const [row] = await svc.sql(`SELECT event_name FROM orders WHERE id = $1`, [order.orderId]);
    assert.equal(row.event_name, null);
    svc.catalog.failNext('event', 1, 500);
    const { order: second } = await createOrder(svc, { eventId: 72 });
    assert.equal((await svc.sql(`SELECT event_name FROM orders WHERE id = $1`, [second.orderId]))[0].event_name, null);
    // A failed look-up is not remembered: the next order of that event gets the name.
    const { order: third } = await createOrder(svc, { eventId: 72 });
    assert.equal((await svc.sql(`SELECT event_name FROM orders WHERE id = $1`, [third.orderId]))[0].event_name, 'Late show');
  });
});
