import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callbackBody, confirmedOrder, createOrder, newKey, newPaymentId, orderBody, waitForStatus } from './factories';
import { OrderServiceUnderTest, eventually, startOrderForTest, userToken } from './harness';

/**
 * Every call of the order service to another of our services, met with a 401/403 (our credential
 * refused: a mistyped SERVICE_SECRET). The rule (CONVENTIONS.md): outbox work is kept and retried,
 * a buyer's request gets 503 DEPENDENCY_MISCONFIGURED, and every refusal is counted for the alert.
 */
describe('a peer refusing our credential (401/403): no work is dropped, no buyer is blamed', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest();
  });
  after(() => svc.stop());

  const outboxRow = async (dedupeKey: string) =>
    (await svc.sql<{ status: string; last_error: string | null }>(`SELECT status, last_error FROM outbox WHERE dedupe_key = $1`, [dedupeKey]))[0];
  const refusals = async (peer: string, status: number) => (await svc.metric('peer_refusals_total', { peer, status: String(status) })) ?? 0;

  it('allocation (outbox order.allocate): retried until seating takes it, never refunded', async () => {
    const before = await refusals('seating', 403);
    const refundsBefore = svc.payment.calls('refund').length;
    const { order } = await createOrder(svc);
    svc.seating.failNext('allocate', 2, 403);
    assert.equal((await svc.callback(callbackBody(order.orderId, newPaymentId(), 'SUCCESS'))).status, 200);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    assert.deepEqual(svc.seating.calls('allocate', (b) => b.orderId === order.orderId).map((c) => c.status), [403, 403, 200]);
    assert.equal(svc.payment.calls('refund').length, refundsBefore);
    assert.equal((await outboxRow(`allocate:${order.orderId}`)).status, 'SENT');
    assert.equal(await refusals('seating', 403), before + 2);
  });

  it('refund (outbox order.refund): retried until the payment service takes it, not DEAD', async () => {
    const { order, paymentId, token } = await confirmedOrder(svc);
    svc.payment.failNext('refund', 2, 401);
    assert.equal((await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token })).status, 202);
    await eventually(() => svc.payment.refunds.get(paymentId), 10_000, 'the refund');
    await svc.outboxSettled();
    assert.deepEqual(svc.payment.calls('refund', (b) => b.payment_id === paymentId).map((c) => c.status), [401, 401, 200]);
    assert.equal((await outboxRow(`refund:${paymentId}`)).status, 'SENT');
    assert.ok((await refusals('payment', 401)) >= 2);
  });

  it('release (outbox order.release): retried until seating takes it', async () => {
    const { order, paymentId } = await confirmedOrder(svc);
    svc.seating.failNext('release', 2, 403);
    assert.equal((await svc.callback(callbackBody(order.orderId, paymentId, 'REFUNDED'))).status, 200);
    await waitForStatus(svc, order.orderId, 'REFUNDED');
    await svc.outboxSettled();
    assert.deepEqual(svc.seating.calls('release', (b) => b.orderId === order.orderId).map((c) => c.status), [403, 403, 200]);
    assert.equal((await outboxRow(`release:${order.orderId}`)).status, 'SENT');
  });

  it('notice (outbox order.notify): retried until the notification service takes it, not DEAD', async () => {
    const before = await refusals('notification', 401);
    const { order } = await createOrder(svc);
    svc.notification.failNext('notify', 2, 401);
    assert.equal((await svc.callback(callbackBody(order.orderId, newPaymentId(), 'SUCCESS'))).status, 200);
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    await eventually(() => (svc.notification.of(order.orderId).length === 1 ? true : undefined), 10_000, 'the notice');
    assert.deepEqual(svc.notification.calls('notify', (b) => b.orderId === order.orderId).map((c) => c.status), [401, 401, 202]);
    assert.equal((await outboxRow(`notify:${order.orderId}:ORDER_CONFIRMED:`)).status, 'SENT');
    assert.equal(await refusals('notification', 401), before + 2);
  });

  it("reading the hold (POST /v1/orders): the buyer gets 503 DEPENDENCY_MISCONFIGURED, not a 500 or a 4xx; the same request succeeds once fixed", async () => {
    const reservation = svc.seating.addReservation({ userId: 2, seatCount: 2 });
    const key = newKey();
    const send = () => svc.api.post('/v1/orders', { token: userToken(2), body: orderBody(reservation), headers: { 'Idempotency-Key': key } });
    svc.seating.failNext('reservation', 1, 401);
    const refused = await send();
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.body.error, 'DEPENDENCY_MISCONFIGURED');
    assert.match(refused.body.message, /seating service refused this service's credentials/);
    assert.equal((await send()).status, 201);
  });

  it('tying the hold to the order (POST /v1/orders): 503 DEPENDENCY_MISCONFIGURED; the same request succeeds once fixed', async () => {
    const before = await refusals('seating', 403);
    const reservation = svc.seating.addReservation({ userId: 2, seatCount: 2 });
    const key = newKey();
    const send = () => svc.api.post('/v1/orders', { token: userToken(2), body: orderBody(reservation), headers: { 'Idempotency-Key': key } });
    svc.seating.failNext('holdForOrder', 1, 403);
    const refused = await send();
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.body.error, 'DEPENDENCY_MISCONFIGURED');
    assert.equal(await refusals('seating', 403), before + 1);
    const placed = await send();
    assert.equal(placed.status, 201, placed.text);
    assert.equal(svc.seating.reservations.get(reservation.reservationId)?.orderId, placed.body.orderId);
  });

  it("the event's name (catalog, optional): the order is made without it, and the refusal is counted", async () => {
    const before = await refusals('catalog', 403);
    svc.catalog.events.set(81, 'Refused show');
    svc.catalog.failNext('event', 1, 403);
    const { order } = await createOrder(svc, { eventId: 81 });
    assert.equal((await svc.sql(`SELECT event_name FROM orders WHERE id = $1`, [order.orderId]))[0].event_name, null);
    assert.equal(await refusals('catalog', 403), before + 1);
  });

  it('the reconciler reading payments back (periodic): the order is left as it is and settled on a later pass', async () => {
    const { order } = await createOrder(svc);
    svc.payment.setPayments(order.orderId, [{ payment_id: newPaymentId(), amount_cents: order.totalCents, status: 'SUCCESS' }]);
    svc.payment.failNext('paymentsOf', 1, 401);
    const age = () => svc.sql(`UPDATE orders SET updated_at = now() - interval '1 hour' WHERE id = $1`, [order.orderId]);
    const asked = () => svc.payment.calls('paymentsOf').filter((c) => c.query.get('merchant_order_id') === order.orderId);
    await age();
    await eventually(() => (asked().length === 1 && asked()[0].status === 401 ? true : undefined), 10_000, 'the refused read');
    assert.equal((await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body.status, 'PENDING');
    // A pass that failed leaves the order for RECONCILE_AFTER_SECONDS, as after any failure: make it due again.
    await age();
    await waitForStatus(svc, order.orderId, 'CONFIRMED');
    assert.deepEqual(asked().map((c) => c.status), [401, 200]);
  });
});
