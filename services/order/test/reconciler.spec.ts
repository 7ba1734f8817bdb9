import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stableUuid } from '../src/stable-uuid';
import { callbackBody, createOrder, newKey, newPaymentId, orderBody, waitForStatus } from './factories';
import { OrderServiceUnderTest, eventually, startOrderForTest, userToken } from './harness';

/**
 * The reconciler runs every 200 ms here and takes up orders untouched for 30 s (the default):
 * a test makes an order that old by moving its updated_at back, instead of waiting.
 */
describe('the reconciler: orders whose callback never came', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest();
  });
  after(() => svc.stop());

  const age = (orderIds: string[], holdExpired = false) =>
    svc.sql(
      `UPDATE orders SET updated_at = now() - interval '1 hour'${holdExpired ? `, hold_expires_at = now() - interval '1 minute'` : ''} WHERE id = ANY($1::uuid[])`,
      [orderIds],
    );
  const asked = (orderId: string) => svc.payment.calls('paymentsOf').filter((c) => c.query.get('merchant_order_id') === orderId);
  const read = async (orderId: string) => (await svc.api.get(`/v1/orders/${orderId}`, { token: userToken(2) })).body;

  it('a SUCCESS whose callback was lost is read back from the payment service and applied: CONFIRMED with tickets; fresh orders are left alone', async () => {
    const { order } = await createOrder(svc);
    const fresh = await createOrder(svc);
    const [payment] = svc.payment.setPayments(order.orderId, [{ payment_id: newPaymentId(), amount_cents: order.totalCents, status: 'SUCCESS' }]);
    svc.payment.setPayments(fresh.order.orderId, [{ payment_id: newPaymentId(), amount_cents: fresh.order.totalCents, status: 'SUCCESS' }]);
    await age([order.orderId]);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    const [call] = asked(order.orderId);
    assert.deepEqual([call.status, call.service], [200, 'order'], 'with the order service credential');
    assert.equal((await read(order.orderId)).paymentId, payment.payment_id);
    await svc.outboxSettled();
    assert.equal((await svc.sql(`SELECT 1 FROM tickets WHERE order_id = $1 AND status = 'VALID'`, [order.orderId])).length, 2);
    assert.deepEqual(svc.notification.of(order.orderId).map((n) => n.type), ['ORDER_CONFIRMED']);
    // The pass that settled it saw the fresh order too, and left it for its callback.
    assert.equal((await read(fresh.order.orderId)).status, 'PENDING');
    assert.deepEqual(asked(fresh.order.orderId), []);
  });

  it('a decline whose callback was lost: FAILED with the reason, the buyer told', async () => {
    const { order } = await createOrder(svc);
    svc.payment.setPayments(order.orderId, [{ payment_id: newPaymentId(), status: 'FAILED', failure_reason: 'Card declined' }]);
    await age([order.orderId]);
    await waitForStatus(svc, order.orderId, 'FAILED');
    assert.equal((await read(order.orderId)).failureReason, 'Card declined');
    await svc.outboxSettled();
    assert.deepEqual(svc.notification.of(order.orderId).map((n) => n.type), ['PAYMENT_FAILED']);
  });

  it('a payment refunded with both callbacks lost: REFUNDED, no valid ticket, the seats released', async () => {
    const { order, reservation } = await createOrder(svc);
    svc.payment.setPayments(order.orderId, [{ payment_id: newPaymentId(), status: 'REFUNDED', refund_id: 'ref_lost' }]);
    await age([order.orderId]);
    await waitForStatus(svc, order.orderId, 'REFUNDED');
    await svc.outboxSettled();
    assert.equal((await svc.sql(`SELECT 1 FROM tickets WHERE order_id = $1 AND status = 'VALID'`, [order.orderId])).length, 0);
    assert.equal(svc.seating.reservations.get(reservation.reservationId)!.status, 'RELEASED');
  });

  it('an unpaid order past its hold is CANCELLED, its seats released and the buyer told; a declined one too', async () => {
    const unpaid = await createOrder(svc);
    const declined = await createOrder(svc);
    await svc.callback(callbackBody(declined.order.orderId, newPaymentId(), 'FAILED'));
    await waitForStatus(svc, declined.order.orderId, 'FAILED');
    svc.payment.setPayments(declined.order.orderId, [{ payment_id: newPaymentId(), status: 'FAILED', failure_reason: 'Card declined' }]);
    await age([unpaid.order.orderId, declined.order.orderId], true);
    for (const { order, reservation } of [unpaid, declined]) {
      await waitForStatus(svc, order.orderId, 'CANCELLED');
      assert.equal((await read(order.orderId)).failureReason, 'Not paid before the seats were released');
      await svc.outboxSettled();
      assert.equal(svc.seating.reservations.get(reservation.reservationId)!.status, 'RELEASED');
      assert.ok(svc.notification.of(order.orderId, 'ORDER_CANCELLED').length === 1);
    }
  });

  it('an order whose placement died after seating tied the hold (never answered, never retried) is CANCELLED past its hold and the hold released', async () => {
    const reservation = svc.seating.addReservation();
    const key = newKey('abandoned');
    svc.seating.faultNext('holdForOrder', { kind: 'lose' }, 3);
    const lost = await svc.api.post('/v1/orders', { token: userToken(2), body: orderBody(reservation), headers: { 'Idempotency-Key': key } });
    assert.equal(lost.status, 503, lost.text);
    const orderId = stableUuid(`user:2:${key}`);
    assert.equal(svc.seating.reservations.get(reservation.reservationId)!.orderId, orderId, 'seating tied the hold');
    await age([orderId], true);
    await waitForStatus(svc, orderId, 'CANCELLED');
    await svc.outboxSettled();
    assert.equal(svc.seating.reservations.get(reservation.reservationId)!.status, 'RELEASED');
  });

  it('an order whose payment is still PENDING is left alone, even past its hold', async () => {
    const { order } = await createOrder(svc);
    svc.payment.setPayments(order.orderId, [{ payment_id: newPaymentId(), status: 'PENDING' }]);
    await age([order.orderId], true);
    await eventually(() => (asked(order.orderId).some((c) => c.status === 200) ? true : undefined), 5000, 'the reconciler asking');
    // Passes run one at a time: once a later pass has settled another order, this one's is over.
    const sentinel = await createOrder(svc);
    svc.payment.setPayments(sentinel.order.orderId, [{ payment_id: newPaymentId(), status: 'SUCCESS' }]);
    await age([sentinel.order.orderId]);
    await waitForStatus(svc, sentinel.order.orderId, 'CONFIRMED');
    assert.equal((await read(order.orderId)).status, 'PENDING');
    assert.equal(svc.seating.calls('release', (b) => b.orderId === order.orderId).length, 0);
  });

  it('the payment service down: the order stays as it was, and is settled when the reconciler comes back to it', async () => {
    const { order } = await createOrder(svc);
    svc.payment.setPayments(order.orderId, [{ payment_id: newPaymentId(), status: 'SUCCESS' }]);
    svc.payment.breakRoute('paymentsOf', { kind: 'fail', status: 503 });
    try {
      await age([order.orderId], true);
      // Three attempts, all 503: that order's settling is over for this pass.
      await eventually(() => (asked(order.orderId).filter((c) => c.status === 503).length === 3 ? true : undefined), 5000, 'the reconciler asking');
      assert.equal((await read(order.orderId)).status, 'PENDING', 'not cancelled for want of an answer');
    } finally {
      svc.payment.restore('paymentsOf');
    }
    await age([order.orderId]);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
  });

  it('the callback arrives while the reconciler settles the same payment: applied once, one allocation, one set of tickets', async () => {
    const { order, reservation } = await createOrder(svc);
    const paymentId = newPaymentId();
    svc.payment.setPayments(order.orderId, [{ payment_id: paymentId, status: 'SUCCESS' }]);
    svc.payment.faultNext('paymentsOf', { kind: 'delay', ms: 300 });
    const duplicates = async () => (await svc.metric('payment_callbacks_total', { status: 'SUCCESS', outcome: 'duplicate' })) ?? 0;
    const duplicatesBefore = await duplicates();
    await age([order.orderId]);
    await eventually(() => (asked(order.orderId).length ? true : undefined), 5000, 'the reconciler asking');
    // The reconciler has claimed the order and waits for the payment service's answer.
    assert.deepEqual((await svc.callback(callbackBody(order.orderId, paymentId, 'SUCCESS'))).body, { received: true, applied: true });
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    // The reconciler gets its answer and finds the payment applied already.
    await eventually(async () => ((await duplicates()) === duplicatesBefore + 1 ? true : undefined), 5000, 'the reconciler finding the payment applied');
    await svc.outboxSettled();
    assert.equal(svc.seating.allocations.filter((id) => id === reservation.reservationId).length, 1);
    assert.equal((await svc.sql(`SELECT 1 FROM tickets WHERE order_id = $1`, [order.orderId])).length, 2);
    assert.equal(svc.notification.of(order.orderId).length, 1);
  });

  it('two replicas share the work: each stale order is looked at by one of them', async () => {
    const peers = { seating: svc.seating, payment: svc.payment, notification: svc.notification, catalog: svc.catalog };
    const replica = await startOrderForTest({}, { database: svc.db, peers });
    try {
      const orders = await Promise.all(Array.from({ length: 10 }, () => createOrder(svc)));
      const ids = orders.map((o) => o.order.orderId);
      for (const o of orders) svc.payment.setPayments(o.order.orderId, [{ payment_id: newPaymentId(), status: 'SUCCESS' }]);
      await age(ids);
      for (const id of ids) await waitForStatus(svc, id, 'CONFIRMED');
      assert.deepEqual(ids.map((id) => asked(id).length), Array(10).fill(1));
      await svc.outboxSettled();
      assert.deepEqual(ids.map((id) => svc.notification.calls('notify', (b) => b.orderId === id).length), Array(10).fill(1));
    } finally {
      await replica.stop();
    }
  });
});
