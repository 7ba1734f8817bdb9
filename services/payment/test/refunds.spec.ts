import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chargeBody, newKey } from './factories';
import { PaymentServiceUnderTest, adminToken, serviceToken, startPaymentForTest, userToken } from './harness';

describe('refunds', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest();
  });
  after(() => svc.stop());

  /** A payment of user 2's order with the given method. */
  const pay = async (method = 'UPI') => {
    const res = await svc.api.post('/v1/charge', { body: chargeBody(svc.orders.addOrder(), { payment_method: method }), headers: { 'Idempotency-Key': newKey() } });
    assert.equal(res.status, 201, res.text);
    return res.body as { payment_id: string; merchant_order_id: string; status: string };
  };
  const refund = (body: Record<string, unknown>, token?: string) => svc.api.post('/v1/refund', { body, token });

  it('the owner refunds a payment in full: the documented shape, the payment REFUNDED, a REFUNDED callback', async () => {
    const payment = await pay();
    const refunds = (await svc.metric('refund_transactions_total')) ?? 0;
    const res = await refund({ payment_id: payment.payment_id, reason: 'Event cancelled' }, userToken(2));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['refund_id', 'payment_id', 'amount_cents', 'currency', 'status', 'refunded_at']);
    assert.match(res.body.refund_id, /^ref_[A-Za-z0-9_-]{22}$/);
    assert.equal(res.body.payment_id, payment.payment_id);
    assert.equal(res.body.amount_cents, 33000);
    assert.equal(res.body.currency, 'INR');
    assert.equal(res.body.status, 'REFUNDED');
    assert.ok(Math.abs(Date.parse(res.body.refunded_at) - Date.now()) < 10_000);
    assert.equal(await svc.metric('refund_transactions_total'), refunds + 1);

    const [row] = await svc.sql(`SELECT status, refund_id, refund_reason FROM payments WHERE payment_id = $1`, [payment.payment_id]);
    assert.deepEqual(row, { status: 'REFUNDED', refund_id: res.body.refund_id, refund_reason: 'Event cancelled' });

    const view = await svc.api.get(`/v1/payments/${payment.payment_id}`, { token: userToken(2) });
    assert.equal(view.body.status, 'REFUNDED');
    assert.equal(view.body.refund_id, res.body.refund_id);
    assert.equal(view.body.refunded_at, res.body.refunded_at);

    await svc.orders.waitFor(() => svc.orders.delivered(payment.payment_id).some((c) => c.body?.status === 'REFUNDED'), 'the REFUNDED callback');
    const callback = svc.orders.delivered(payment.payment_id).find((c) => c.body?.status === 'REFUNDED')!.body!;
    assert.equal(callback.refund_id, res.body.refund_id);
    assert.equal(callback.event_id, `${payment.payment_id}:REFUNDED`);
    assert.equal(callback.order_id, payment.merchant_order_id);
  });

  it('refunding again answers the same (200), refunds nothing more and calls back once', async () => {
    const payment = await pay();
    const first = await refund({ payment_id: payment.payment_id }, adminToken());
    const refunds = await svc.metric('refund_transactions_total');
    const again = await refund({ payment_id: payment.payment_id }, userToken(2));
    assert.equal(again.status, 200);
    assert.equal(again.text, first.text);
    assert.equal(await svc.metric('refund_transactions_total'), refunds);
    await svc.orders.waitFor(() => svc.orders.delivered(payment.payment_id).some((c) => c.body?.status === 'REFUNDED'), 'the REFUNDED callback');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(svc.orders.delivered(payment.payment_id).filter((c) => c.body?.status === 'REFUNDED').length, 1);
  });

  it('ten refunds racing: one records it, all answer the same', async () => {
    const payment = await pay();
    const refunds = (await svc.metric('refund_transactions_total')) ?? 0;
    const results = await Promise.all(Array.from({ length: 10 }, () => refund({ payment_id: payment.payment_id }, serviceToken('order'))));
    assert.ok(results.every((r) => r.status === 200), results.map((r) => r.status).join());
    assert.equal(new Set(results.map((r) => r.text)).size, 1);
    assert.equal(await svc.metric('refund_transactions_total'), refunds + 1);
  });

  it('the order service refunds with its service credential (seats could not be allocated)', async () => {
    const payment = await pay();
    const res = await refund({ payment_id: payment.payment_id, reason: 'Seats could no longer be allocated' }, serviceToken('order'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'REFUNDED');
  });

  it("another user's refund is 403; without a token 401", async () => {
    const payment = await pay();
    const other = await refund({ payment_id: payment.payment_id }, userToken(3));
    assert.equal(other.status, 403);
    assert.equal((await refund({ payment_id: payment.payment_id })).status, 401);
    const [row] = await svc.sql(`SELECT status FROM payments WHERE payment_id = $1`, [payment.payment_id]);
    assert.equal(row.status, 'SUCCESS');
  });

  it('a FAILED or PENDING payment is not refundable (409 NOT_REFUNDABLE)', async () => {
    const declined = await pay('TEST_DECLINE');
    const res = await refund({ payment_id: declined.payment_id }, userToken(2));
    assert.equal(res.status, 409);
    assert.equal(res.body.error, 'NOT_REFUNDABLE');

    await svc.sql(
      `INSERT INTO payments (payment_id, merchant_order_id, user_id, amount_cents, currency, payment_method, idempotency_key)
       VALUES ('pay_stillpending00000001', $1, 2, 33000, 'INR', 'UPI', $2)`,
      [svc.orders.addOrder().orderId, newKey()],
    );
    const pending = await refund({ payment_id: 'pay_stillpending00000001' }, adminToken());
    assert.equal(pending.status, 409);
    assert.equal(pending.body.error, 'NOT_REFUNDABLE');
  });

  it('an unknown payment is 404, a malformed id 400', async () => {
    const unknown = await refund({ payment_id: 'pay_xyz789abc' }, adminToken());
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'PAYMENT_NOT_FOUND');
    for (const body of [{ payment_id: 'xyz' }, { payment_id: 42 }, {}, { payment_id: 'pay_abc', reason: '' }, { payment_id: 'pay_abc', reason: 'x'.repeat(501) }, { payment_id: 'pay_abc', amount_cents: 5 }]) {
      const res = await refund(body, adminToken());
      assert.equal(res.status, 400, JSON.stringify(body));
    }
  });

  it('a refunded order may not be paid again (its payment still counts)', async () => {
    const order = svc.orders.addOrder();
    const paid = await svc.api.post('/v1/charge', { body: chargeBody(order), headers: { 'Idempotency-Key': newKey() } });
    await refund({ payment_id: paid.body.payment_id }, adminToken());
    const again = await svc.api.post('/v1/charge', { body: chargeBody(order), headers: { 'Idempotency-Key': newKey() } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'ORDER_ALREADY_PAID');
  });
});
