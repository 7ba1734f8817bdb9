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

  it("a buyer cannot refund their own payment here: 403 REFUND_VIA_ORDER naming the order's cancel route; nothing refunded", async () => {
    const payment = await pay();
    const res = await refund({ payment_id: payment.payment_id, reason: 'Changed my mind' }, userToken(2));
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.error, 'REFUND_VIA_ORDER');
    assert.match(res.body.message, /POST \/v1\/orders\/\{orderId\}\/cancel/);
    assert.equal(res.body.details.cancelRoute, 'POST /v1/orders/{orderId}/cancel');
    const [row] = await svc.sql(`SELECT status FROM payments WHERE payment_id = $1`, [payment.payment_id]);
    assert.equal(row.status, 'SUCCESS');
    await svc.outboxSettled();
    assert.equal(svc.orders.delivered(payment.payment_id).some((c) => c.body?.status === 'REFUNDED'), false);
  });

  it('an admin refunds a payment in full: the documented shape, the payment REFUNDED, a REFUNDED callback', async () => {
    const payment = await pay();
    const refunds = (await svc.metric('refund_transactions_total')) ?? 0;
    const res = await refund({ payment_id: payment.payment_id, reason: 'Event cancelled' }, adminToken());
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
    const again = await refund({ payment_id: payment.payment_id }, serviceToken('order'));
    assert.equal(again.status, 200);
    assert.equal(again.text, first.text);
    assert.equal(await svc.metric('refund_transactions_total'), refunds);
    await svc.orders.waitFor(() => svc.orders.delivered(payment.payment_id).some((c) => c.body?.status === 'REFUNDED'), 'the REFUNDED callback');
    await svc.outboxSettled();
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
    const res = await refund({ payment_id: declined.payment_id }, adminToken());
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
    for (const body of [{ payment_id: 'xyz' }, { payment_id: 42 }, {}, { payment_id: 'pay_abc', reason: '' }, { payment_id: 'pay_abc', reason: 'x'.repeat(501) }, { payment_id: 'pay_abc', amount_cents: 5 }, { payment_id: 'pay_abc', amount_cents: 0, refund_key: 'k' }, { payment_id: 'pay_abc', amount_cents: 5, refund_key: 'a b' }]) {
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

  describe('partial refunds', () => {
    const paymentRow = async (id: string) =>
      (await svc.sql<{ status: string; refunded_cents: number }>(`SELECT status, refunded_cents FROM payments WHERE payment_id = $1`, [id]))[0];
    const refundedCallbacks = (id: string) => svc.orders.delivered(id).filter((c) => c.body?.status === 'REFUNDED');

    it('refunds an amount under a key: PARTIALLY_REFUNDED, the payment still SUCCESS, no callback; the same key again is the same refund; the rest makes it REFUNDED', async () => {
      const payment = await pay();
      const part = await refund({ payment_id: payment.payment_id, amount_cents: 11000, refund_key: 'unused-tickets-1', reason: 'Two seats unused' }, serviceToken('order'));
      assert.equal(part.status, 200, part.text);
      assert.equal(part.body.status, 'PARTIALLY_REFUNDED');
      assert.equal(part.body.amount_cents, 11000);
      assert.deepEqual(await paymentRow(payment.payment_id), { status: 'SUCCESS', refunded_cents: 11000 });
      assert.equal((await svc.api.get(`/v1/payments/${payment.payment_id}`, { token: adminToken() })).body.refunded_cents, 11000);

      const refunds = await svc.metric('refund_transactions_total');
      const again = await refund({ payment_id: payment.payment_id, amount_cents: 11000, refund_key: 'unused-tickets-1' }, serviceToken('order'));
      assert.equal(again.text, part.text);
      assert.equal(await svc.metric('refund_transactions_total'), refunds);
      const reused = await refund({ payment_id: payment.payment_id, amount_cents: 5000, refund_key: 'unused-tickets-1' }, serviceToken('order'));
      assert.equal(reused.status, 422, reused.text);
      assert.equal(reused.body.error, 'REFUND_KEY_REUSED');
      assert.deepEqual(await paymentRow(payment.payment_id), { status: 'SUCCESS', refunded_cents: 11000 });
      assert.equal(refundedCallbacks(payment.payment_id).length, 0);

      const rest = await refund({ payment_id: payment.payment_id, reason: 'Show cancelled' }, adminToken());
      assert.equal(rest.status, 200, rest.text);
      assert.equal(rest.body.status, 'REFUNDED');
      assert.equal(rest.body.amount_cents, 22000);
      assert.deepEqual(await paymentRow(payment.payment_id), { status: 'REFUNDED', refunded_cents: 33000 });
      await svc.orders.waitFor(() => refundedCallbacks(payment.payment_id).length === 1, 'the REFUNDED callback');

      const more = await refund({ payment_id: payment.payment_id, amount_cents: 100, refund_key: 'late' }, adminToken());
      assert.equal(more.status, 409, more.text);
      assert.equal(more.body.error, 'REFUND_EXCEEDS_PAYMENT');
      assert.equal(more.body.details.refundable_cents, 0);
    });

    it('more than is left is 409 REFUND_EXCEEDS_PAYMENT naming what is left; an amount without a key is 400 REFUND_KEY_REQUIRED', async () => {
      const payment = await pay();
      const over = await refund({ payment_id: payment.payment_id, amount_cents: 33001, refund_key: 'too-much' }, adminToken());
      assert.equal(over.status, 409, over.text);
      assert.equal(over.body.error, 'REFUND_EXCEEDS_PAYMENT');
      assert.equal(over.body.details.refundable_cents, 33000);
      const keyless = await refund({ payment_id: payment.payment_id, amount_cents: 100 }, adminToken());
      assert.equal(keyless.status, 400, keyless.text);
      assert.equal(keyless.body.error, 'REFUND_KEY_REQUIRED');
      assert.deepEqual(await paymentRow(payment.payment_id), { status: 'SUCCESS', refunded_cents: 0 });
    });

    it('partial refunds racing never refund more than the payment: ten of 5000 on 33000, six go through, four are refused', async () => {
      const payment = await pay();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => refund({ payment_id: payment.payment_id, amount_cents: 5000, refund_key: `race-${i}` }, serviceToken('order'))),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 409, 409, 409, 409], results.map((r) => r.text).join('\n'));
      assert.ok(results.filter((r) => r.status === 409).every((r) => r.body.error === 'REFUND_EXCEEDS_PAYMENT'));
      const [{ total }] = await svc.sql<{ total: number }>(`SELECT sum(amount_cents)::int AS total FROM payment_refunds WHERE payment_id = $1`, [payment.payment_id]);
      assert.equal(total, 30000);
      assert.deepEqual(await paymentRow(payment.payment_id), { status: 'SUCCESS', refunded_cents: 30000 });
    });

    it('two racing refunds that together exceed the payment: exactly one goes through', async () => {
      const payment = await pay();
      const [a, b] = await Promise.all(['a', 'b'].map((k) => refund({ payment_id: payment.payment_id, amount_cents: 20000, refund_key: k }, adminToken())));
      assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.text} ${b.text}`);
      assert.deepEqual(await paymentRow(payment.payment_id), { status: 'SUCCESS', refunded_cents: 20000 });
    });
  });
});
