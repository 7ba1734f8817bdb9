import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { chargeBody, newKey } from './factories';
import { PaymentServiceUnderTest, adminToken, serviceToken, startPaymentForTest, userToken } from './harness';

describe('reading payments', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest();
  });
  after(() => svc.stop());

  const pay = async (userId: number, method = 'UPI', order = svc.orders.addOrder({ userId })) => {
    const res = await svc.api.post('/v1/charge', { body: chargeBody(order, { payment_method: method }), headers: { 'Idempotency-Key': newKey() } });
    assert.equal(res.status, 201, res.text);
    return res.body as Record<string, string>;
  };

  describe('GET /v1/payments/{id}', () => {
    it('answers its owner with the documented shape', async () => {
      const payment = await pay(31);
      const res = await svc.api.get(`/v1/payments/${payment.payment_id}`, { token: userToken(31) });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body), [
        'payment_id',
        'merchant_order_id',
        'amount_cents',
        'currency',
        'status',
        'payment_method',
        'transaction_id',
        'created_at',
        'updated_at',
      ]);
      for (const field of ['payment_id', 'merchant_order_id', 'amount_cents', 'currency', 'status', 'payment_method', 'transaction_id', 'created_at']) {
        assert.equal(res.body[field], payment[field], field);
      }
      assert.ok(Date.parse(res.body.updated_at) >= Date.parse(res.body.created_at));
    });

    it('a declined payment shows its failure_reason', async () => {
      const payment = await pay(31, 'TEST_DECLINE');
      const res = await svc.api.get(`/v1/payments/${payment.payment_id}`, { token: userToken(31) });
      assert.equal(res.body.status, 'FAILED');
      assert.equal(res.body.failure_reason, 'Card declined');
    });

    it('admins and platform services may read it; other users 403; no token 401', async () => {
      const payment = await pay(31);
      assert.equal((await svc.api.get(`/v1/payments/${payment.payment_id}`, { token: adminToken() })).status, 200);
      assert.equal((await svc.api.get(`/v1/payments/${payment.payment_id}`, { token: serviceToken('order') })).status, 200);
      assert.equal((await svc.api.get(`/v1/payments/${payment.payment_id}`, { token: userToken(32) })).status, 403);
      assert.equal((await svc.api.get(`/v1/payments/${payment.payment_id}`)).status, 401);
    });

    it('an unknown id is 404; one that is not pay_... is 400', async () => {
      const unknown = await svc.api.get('/v1/payments/pay_xyz789abc', { token: adminToken() });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error, 'PAYMENT_NOT_FOUND');
      for (const id of ['xyz789abc', '123', 'pay_', `pay_${'a'.repeat(37)}`, 'pay_a%20b', "pay_'--"]) {
        const res = await svc.api.get(`/v1/payments/${id}`, { token: adminToken() });
        assert.equal(res.status, 400, id);
        assert.equal(res.body.error, 'INVALID_ID');
      }
    });
  });

  describe('GET /v1/payments (admin)', () => {
    let orderId: string;
    before(async () => {
      const order = svc.orders.addOrder({ userId: 41 });
      orderId = order.orderId;
      await pay(41, 'TEST_DECLINE', order);
      order.status = 'FAILED';
      await pay(41, 'UPI', order);
      for (let i = 0; i < 3; i++) await pay(42);
    });

    it('lists all payments, newest first, with total_count, page and limit', async () => {
      const res = await svc.api.get('/v1/payments?limit=2', { token: adminToken() });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body), ['payments', 'total_count', 'page', 'limit']);
      assert.equal(res.body.payments.length, 2);
      assert.equal(res.body.page, 1);
      assert.equal(res.body.limit, 2);
      const [{ n }] = await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM payments`);
      assert.equal(res.body.total_count, n);
      const all = await svc.api.get('/v1/payments?limit=100', { token: adminToken() });
      const times = all.body.payments.map((p: { created_at: string }) => Date.parse(p.created_at));
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
      const page2 = await svc.api.get('/v1/payments?limit=2&page=2', { token: adminToken() });
      assert.deepEqual(page2.body.payments, all.body.payments.slice(2, 4));
    });

    it('filters by status, merchant_order_id and creation time', async () => {
      const byOrder = await svc.api.get(`/v1/payments?merchant_order_id=${orderId}`, { token: adminToken() });
      assert.deepEqual(byOrder.body.payments.map((p: { status: string }) => p.status), ['SUCCESS', 'FAILED']);
      const failed = await svc.api.get(`/v1/payments?merchant_order_id=${orderId}&status=FAILED`, { token: adminToken() });
      assert.equal(failed.body.total_count, 1);
      const now = new Date(Date.now() + 1000).toISOString();
      const future = await svc.api.get(`/v1/payments?from=${encodeURIComponent(now)}`, { token: adminToken() });
      assert.equal(future.body.total_count, 0);
      const past = await svc.api.get(`/v1/payments?to=${encodeURIComponent(now)}&from=2020-01-01`, { token: adminToken() });
      assert.ok(past.body.total_count >= 5);
    });

    it('caps the page size at 100', async () => {
      const res = await svc.api.get('/v1/payments?limit=1000', { token: adminToken() });
      assert.equal(res.status, 200);
      assert.equal(res.body.limit, 100);
    });

    it('refuses bad filters (400)', async () => {
      for (const q of ['status=PAID', 'merchant_order_id=order_alice_xyz789', 'from=yesterday', 'to=2025-02-30', 'from=2025-12-01&to=2025-11-01', 'page=0', 'limit=-1', 'sort=amount']) {
        const res = await svc.api.get(`/v1/payments?${q}`, { token: adminToken() });
        assert.equal(res.status, 400, `${q}: ${res.text}`);
      }
    });

    it('is for admins only', async () => {
      assert.equal((await svc.api.get('/v1/payments', { token: userToken(41) })).status, 403);
      assert.equal((await svc.api.get('/v1/payments', { token: serviceToken('order') })).status, 403);
      assert.equal((await svc.api.get('/v1/payments')).status, 401);
    });
  });

  describe('GET /internal/v1/payments?merchant_order_id= (services)', () => {
    it("lists an order's payments newest first, for the order service's reconciler", async () => {
      const order = svc.orders.addOrder({ userId: 51 });
      const declined = await pay(51, 'TEST_DECLINE', order);
      order.status = 'FAILED';
      const paid = await pay(51, 'UPI', order);
      const res = await svc.api.get(`/internal/v1/payments?merchant_order_id=${order.orderId}`, { token: serviceToken('order') });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.merchant_order_id, order.orderId);
      assert.deepEqual(
        res.body.payments.map((p: Record<string, unknown>) => [p.payment_id, p.status, p.failure_reason]),
        [
          [paid.payment_id, 'SUCCESS', undefined],
          [declined.payment_id, 'FAILED', 'Card declined'],
        ],
      );
      const none = await svc.api.get(`/internal/v1/payments?merchant_order_id=${randomUUID()}`, { token: serviceToken('order') });
      assert.deepEqual(none.body.payments, []);
    });

    it('refuses users (even admins) and bad order ids', async () => {
      const id = randomUUID();
      assert.equal((await svc.api.get(`/internal/v1/payments?merchant_order_id=${id}`, { token: adminToken() })).status, 403);
      assert.equal((await svc.api.get(`/internal/v1/payments?merchant_order_id=${id}`)).status, 401);
      assert.equal((await svc.api.get(`/internal/v1/payments?merchant_order_id=abc`, { token: serviceToken('order') })).status, 400);
      assert.equal((await svc.api.get(`/internal/v1/payments`, { token: serviceToken('order') })).status, 400);
    });
  });
});
