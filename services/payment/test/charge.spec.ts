import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { chargeBody, newKey } from './factories';
import { PaymentServiceUnderTest, adminToken, serviceToken, startPaymentForTest, userToken } from './harness';

describe('charges', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest();
  });
  after(() => svc.stop());

  const charge = (body: Record<string, unknown>, key: string | undefined = newKey(), token?: string, path = '/v1/charge') =>
    svc.api.post(path, { body, token, headers: key === undefined ? {} : { 'Idempotency-Key': key } });

  it('pays an order and answers with the documented shape', async () => {
    const order = svc.orders.addOrder();
    const key = newKey();
    const res = await charge(chargeBody(order), key);
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(res.body), [
      'payment_id',
      'merchant_order_id',
      'amount_cents',
      'currency',
      'status',
      'payment_method',
      'transaction_id',
      'idempotency_key',
      'created_at',
    ]);
    assert.match(res.body.payment_id, /^pay_[A-Za-z0-9_-]{22}$/);
    assert.equal(res.body.merchant_order_id, order.orderId);
    assert.equal(res.body.amount_cents, 33000);
    assert.equal(res.body.currency, 'INR');
    assert.equal(res.body.status, 'SUCCESS');
    assert.equal(res.body.payment_method, 'UPI');
    assert.match(res.body.transaction_id, /^txn_upi_\d{12}$/);
    assert.equal(res.body.idempotency_key, key);
    assert.ok(Math.abs(Date.parse(res.body.created_at) - Date.now()) < 10_000);
    assert.equal(res.headers.get('idempotent-replayed'), null);

    const [row] = await svc.sql(`SELECT status, user_id, payment_method, transaction_id FROM payments WHERE payment_id = $1`, [res.body.payment_id]);
    assert.deepEqual(row, { status: 'SUCCESS', user_id: '2', payment_method: 'UPI', transaction_id: res.body.transaction_id });
    // The order service was asked with a service credential of the payment service.
    assert.ok(svc.orders.orderReads.some((r) => r.service === 'payment' && r.status === 200));
  });

  it('also at POST /v1/payments/charge, and currency defaults to INR', async () => {
    const order = svc.orders.addOrder({ totalCents: 45000 });
    const { currency: _, ...body } = chargeBody(order, { payment_method: 'CREDIT_CARD' });
    const res = await charge(body, newKey(), undefined, '/v1/payments/charge');
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.currency, 'INR');
    assert.match(res.body.transaction_id, /^txn_credit_card_\d{12}$/);
  });

  it('every approved method succeeds', async () => {
    for (const method of ['UPI', 'CREDIT_CARD', 'DEBIT_CARD', 'WALLET', 'NETBANKING']) {
      const order = svc.orders.addOrder();
      const res = await charge(chargeBody(order, { payment_method: method }));
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.status, 'SUCCESS', method);
    }
  });

  it('TEST_DECLINE is declined (201, FAILED, stored); a new key then pays the order', async () => {
    const order = svc.orders.addOrder();
    const declined = await charge(chargeBody(order, { payment_method: 'TEST_DECLINE' }));
    assert.equal(declined.status, 201, declined.text);
    assert.equal(declined.body.status, 'FAILED');
    assert.equal(declined.body.failure_reason, 'Card declined');
    assert.equal(declined.body.transaction_id, null);

    order.status = 'FAILED'; // what the order service makes of the FAILED callback
    const paid = await charge(chargeBody(order, { payment_method: 'UPI' }));
    assert.equal(paid.status, 201, paid.text);
    assert.equal(paid.body.status, 'SUCCESS');
    assert.notEqual(paid.body.payment_id, declined.body.payment_id);
    const rows = await svc.sql(`SELECT status FROM payments WHERE merchant_order_id = $1 ORDER BY created_at`, [order.orderId]);
    assert.deepEqual(rows.map((r) => r.status), ['FAILED', 'SUCCESS']);
  });

  it('one successful payment per order: a second key is refused with 409, before and after success', async () => {
    const order = svc.orders.addOrder();
    assert.equal((await charge(chargeBody(order))).status, 201);
    const again = await charge(chargeBody(order));
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error, 'ORDER_ALREADY_PAID');
    assert.match(again.body.details.payment_id, /^pay_/);
  });

  it('two keys racing for one order: exactly one payment is made', async () => {
    const order = svc.orders.addOrder();
    const results = await Promise.all(Array.from({ length: 8 }, () => charge(chargeBody(order))));
    const created = results.filter((r) => r.status === 201);
    assert.equal(created.length, 1, results.map((r) => `${r.status} ${r.body.error ?? ''}`).join(', '));
    for (const r of results.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409);
      assert.ok(['ORDER_ALREADY_PAID', 'PAYMENT_IN_PROGRESS'].includes(r.body.error), r.text);
    }
    const rows = await svc.sql(`SELECT count(*)::int AS n FROM payments WHERE merchant_order_id = $1`, [order.orderId]);
    assert.equal(rows[0].n, 1);
  });

  it('the amount must be the order total and the currency the order currency (400)', async () => {
    const order = svc.orders.addOrder();
    const wrongAmount = await charge(chargeBody(order, { amount_cents: 32999 }));
    assert.equal(wrongAmount.status, 400);
    assert.equal(wrongAmount.body.error, 'AMOUNT_MISMATCH');
    const wrongCurrency = await charge(chargeBody(order, { currency: 'USD' }));
    assert.equal(wrongCurrency.status, 400);
    assert.equal(wrongCurrency.body.error, 'CURRENCY_MISMATCH');
    // Nothing was stored for either: the right body may still be sent (with the same keys, too).
    assert.deepEqual(await svc.sql(`SELECT 1 FROM payments WHERE merchant_order_id = $1`, [order.orderId]), []);
    assert.equal((await charge(chargeBody(order))).status, 201);
  });

  it('an unknown order is 404 ORDER_NOT_FOUND', async () => {
    const res = await charge(chargeBody(svc.orders.addOrder(), { merchant_order_id: randomUUID() }));
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'ORDER_NOT_FOUND');
  });

  for (const status of ['CONFIRMED', 'CANCELLED', 'REFUNDED', 'EXPIRED']) {
    it(`an order that is ${status} cannot be paid (409 ORDER_NOT_PAYABLE)`, async () => {
      const res = await charge(chargeBody(svc.orders.addOrder({ status })));
      assert.equal(res.status, 409);
      assert.equal(res.body.error, 'ORDER_NOT_PAYABLE');
    });
  }

  for (const status of ['PENDING', 'ALLOCATING', 'FAILED']) {
    it(`an order that is ${status} can be paid`, async () => {
      assert.equal((await charge(chargeBody(svc.orders.addOrder({ status })))).status, 201);
    });
  }

  describe('who may pay', () => {
    it("no token: the order's id is enough (a payment link)", async () => {
      assert.equal((await charge(chargeBody(svc.orders.addOrder({ userId: 7 })))).status, 201);
    });

    it("the owner's token, an admin's, a service credential: paid", async () => {
      for (const token of [userToken(7), adminToken(), serviceToken('order')]) {
        const res = await charge(chargeBody(svc.orders.addOrder({ userId: 7 })), newKey(), token);
        assert.equal(res.status, 201, res.text);
      }
    });

    it("another user's token: 403, nothing charged", async () => {
      const order = svc.orders.addOrder({ userId: 7 });
      const res = await charge(chargeBody(order), newKey(), userToken(8));
      assert.equal(res.status, 403);
      assert.equal(res.body.error, 'FORBIDDEN');
      assert.deepEqual(await svc.sql(`SELECT 1 FROM payments WHERE merchant_order_id = $1`, [order.orderId]), []);
    });

    it('a token that does not verify (forged, expired, malformed) is 401, not anonymous', async () => {
      const order = svc.orders.addOrder({ userId: 7 });
      for (const authorization of ['Bearer not-a-jwt', `Bearer ${userToken(7, 'USER', -60)}`, 'Basic dXNlcjpwYXNz']) {
        const res = await svc.api.post('/v1/charge', { body: chargeBody(order), headers: { 'Idempotency-Key': newKey(), authorization } });
        assert.equal(res.status, 401, `${authorization}: ${res.text}`);
      }
    });
  });
});

describe('charges when the order service is down', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    // An address nobody listens on: connections are refused.
    svc = await startPaymentForTest({ ORDER_URL: 'http://127.0.0.1:9', HTTP_CLIENT_TIMEOUT_MS: '300' });
  });
  after(() => svc.stop());

  it('answers 503 DEPENDENCY_UNAVAILABLE and stores nothing', async () => {
    const res = await svc.api.post('/v1/charge', {
      body: { merchant_order_id: randomUUID(), amount_cents: 100, payment_method: 'UPI' },
      headers: { 'Idempotency-Key': newKey() },
    });
    assert.equal(res.status, 503, res.text);
    assert.equal(res.body.error, 'DEPENDENCY_UNAVAILABLE');
    assert.deepEqual(await svc.sql(`SELECT 1 FROM payments`), []);
    assert.deepEqual(await svc.sql(`SELECT 1 FROM idempotency_keys`), []);
  });
});

describe('charges when the order service refuses our credential (a mistyped SERVICE_SECRET)', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest({ SERVICE_SECRET: 'mistyped-service-secret-0123456789abcdef' });
  });
  after(() => svc.stop());

  it('answers 503 DEPENDENCY_MISCONFIGURED (not a 4xx blaming the buyer), stores nothing, and counts the refusal', async () => {
    const order = svc.orders.addOrder();
    const res = await svc.api.post('/v1/charge', { body: chargeBody(order), headers: { 'Idempotency-Key': newKey() } });
    assert.equal(res.status, 503, res.text);
    assert.equal(res.body.error, 'DEPENDENCY_MISCONFIGURED');
    assert.match(res.body.message, /order service refused this service's credentials/);
    assert.deepEqual(svc.orders.orderReads.map((r) => r.status), [401]);
    assert.deepEqual(await svc.sql(`SELECT 1 FROM payments`), []);
    assert.equal(await svc.metric('peer_refusals_total', { peer: 'order', status: '401' }), 1);
  });
});
