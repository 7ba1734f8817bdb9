import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chargeBody, newKey } from './factories';
import { PaymentServiceUnderTest, startPaymentForTest, userToken } from './harness';

describe('Idempotency-Key', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest({ GATEWAY_LATENCY_MS: '150' });
  });
  after(() => svc.stop());

  const charge = (body: unknown, headers: Record<string, string>, token?: string) => svc.api.post('/v1/charge', { body, headers, token });
  const countPayments = async (orderId: string) => (await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM payments WHERE merchant_order_id = $1`, [orderId]))[0].n;

  it('is required: 400 IDEMPOTENCY_KEY_REQUIRED without it, and the order is not even looked up', async () => {
    const order = svc.orders.addOrder();
    const reads = svc.orders.orderReads.length;
    for (const headers of [{}, { 'Idempotency-Key': '' }, { 'Idempotency-Key': '   ' }] as Record<string, string>[]) {
      const res = await charge(chargeBody(order), headers);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, 'IDEMPOTENCY_KEY_REQUIRED');
    }
    assert.equal(svc.orders.orderReads.length, reads);
    assert.equal(await countPayments(order.orderId), 0);
  });

  it('is at most 255 printable characters (400 otherwise)', async () => {
    const order = svc.orders.addOrder();
    for (const key of ['k'.repeat(256), 'has space', 'tab\tkey']) {
      const res = await charge(chargeBody(order), { 'Idempotency-Key': key });
      assert.equal(res.status, 400, key);
      assert.equal(res.body.error, 'IDEMPOTENCY_KEY_INVALID');
    }
    assert.equal((await charge(chargeBody(order), { 'Idempotency-Key': 'k'.repeat(255) })).status, 201);
  });

  it('a repeat gets the first answer byte for byte, charges nothing and counts a cache hit', async () => {
    const order = svc.orders.addOrder();
    const key = newKey();
    const first = await charge(chargeBody(order), { 'Idempotency-Key': key });
    assert.equal(first.status, 201, first.text);
    const hits = (await svc.metric('idempotent_cache_hits_total')) ?? 0;
    const charges = svc.gateway.chargesProcessed;

    // Same body, keys in another order: the same request.
    const { customer_details, ...rest } = chargeBody(order);
    const again = await charge({ customer_details, ...Object.fromEntries(Object.entries(rest).reverse()) }, { 'Idempotency-Key': key });
    assert.equal(again.status, 201);
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.headers.get('content-type'), first.headers.get('content-type'));
    assert.equal(svc.gateway.chargesProcessed, charges);
    assert.equal(await countPayments(order.orderId), 1);
    assert.equal(await svc.metric('idempotent_cache_hits_total'), hits + 1);

    // Still the same answer once the order has moved on (the callback confirmed it).
    order.status = 'CONFIRMED';
    const later = await charge(chargeBody(order), { 'Idempotency-Key': key });
    assert.equal(later.status, 201);
    assert.equal(later.text, first.text);
  });

  it('a declined answer is replayed like any other', async () => {
    const order = svc.orders.addOrder();
    const key = newKey();
    const body = chargeBody(order, { payment_method: 'TEST_DECLINE' });
    const first = await charge(body, { 'Idempotency-Key': key });
    assert.equal(first.body.status, 'FAILED');
    const again = await charge(body, { 'Idempotency-Key': key });
    assert.equal(again.text, first.text);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
  });

  it('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const order = svc.orders.addOrder();
    const key = newKey();
    assert.equal((await charge(chargeBody(order), { 'Idempotency-Key': key })).status, 201);
    for (const change of [{ payment_method: 'WALLET' }, { amount_cents: 1 }, { customer_details: { email: 'other@example.com' } }]) {
      const res = await charge(chargeBody(order, change), { 'Idempotency-Key': key });
      assert.equal(res.status, 422, JSON.stringify(change));
      assert.equal(res.body.error, 'IDEMPOTENCY_KEY_REUSED');
    }
    const other = svc.orders.addOrder();
    assert.equal((await charge(chargeBody(other), { 'Idempotency-Key': key })).status, 422, 'the same owner, another order');
  });

  it('the walkthrough repeat may leave out payment_method and gets the first answer', async () => {
    const order = svc.orders.addOrder({ totalCents: 45000 });
    const key = 'booking_alice_20251109_001';
    const first = await charge({ merchant_order_id: order.orderId, amount_cents: 45000, currency: 'INR', payment_method: 'UPI' }, { 'Idempotency-Key': key });
    assert.equal(first.status, 201, first.text);
    const again = await charge({ merchant_order_id: order.orderId, amount_cents: 45000, currency: 'INR' }, { 'Idempotency-Key': key });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.text, first.text);
    // Without a first payment to take it from, payment_method is required.
    const fresh = await charge({ merchant_order_id: svc.orders.addOrder().orderId, amount_cents: 33000 }, { 'Idempotency-Key': newKey() });
    assert.equal(fresh.status, 400);
    assert.match(fresh.body.message, /payment_method is required/);
  });

  it('20 simultaneous charges with one key: one gateway charge, every answer the same (or 409)', async () => {
    const order = svc.orders.addOrder();
    const key = newKey();
    const charges = svc.gateway.chargesProcessed;
    const results = await Promise.all(Array.from({ length: 20 }, () => charge(chargeBody(order), { 'Idempotency-Key': key })));
    assert.equal(svc.gateway.chargesProcessed, charges + 1);
    assert.equal(await countPayments(order.orderId), 1);
    const created = results.filter((r) => r.status === 201);
    assert.ok(created.length >= 1);
    assert.equal(new Set(created.map((r) => r.text)).size, 1, 'all answers identical');
    for (const r of results.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.error, 'REQUEST_IN_PROGRESS');
    }
    assert.equal(created.filter((r) => r.headers.get('idempotent-replayed') !== 'true').length, 1, 'one ran, the others were replays');
  });

  it("keys belong to the order's owner: another owner's order may use the same key", async () => {
    const key = newKey();
    const a = await charge(chargeBody(svc.orders.addOrder({ userId: 21 })), { 'Idempotency-Key': key });
    const b = await charge(chargeBody(svc.orders.addOrder({ userId: 22 })), { 'Idempotency-Key': key }, userToken(22));
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.body.payment_id, b.body.payment_id);
  });

  it('a failed request (a 400) does not use up its key', async () => {
    const order = svc.orders.addOrder();
    const key = newKey();
    assert.equal((await charge(chargeBody(order, { amount_cents: 5 }), { 'Idempotency-Key': key })).status, 400);
    assert.equal((await charge(chargeBody(order), { 'Idempotency-Key': key })).status, 201);
  });

  it('when the gateway does not answer: 503, the payment stays PENDING, and the repeat settles it without charging again', async () => {
    const order = svc.orders.addOrder();
    const key = newKey();
    const gateway = svc.gateway;
    const realCharge = gateway.charge.bind(gateway);
    let calls = 0;
    gateway.charge = async (request) => {
      calls++;
      await realCharge(request); // the provider took the money, but its answer was lost
      throw new Error('connection reset by the provider');
    };
    try {
      const lost = await charge(chargeBody(order), { 'Idempotency-Key': key });
      assert.equal(lost.status, 503, lost.text);
      assert.equal(lost.body.error, 'GATEWAY_UNAVAILABLE');
      const [pending] = await svc.sql(`SELECT payment_id, status FROM payments WHERE merchant_order_id = $1`, [order.orderId]);
      assert.equal(pending.status, 'PENDING');
      assert.equal(lost.body.details.payment_id, pending.payment_id);

      // Another key meanwhile: the order has a payment in progress.
      const other = await charge(chargeBody(order), { 'Idempotency-Key': newKey() });
      assert.equal(other.status, 409);
      assert.equal(other.body.error, 'PAYMENT_IN_PROGRESS');

      const repeat = await charge(chargeBody(order), { 'Idempotency-Key': key });
      assert.equal(repeat.status, 201, repeat.text);
      assert.equal(repeat.body.payment_id, pending.payment_id);
      assert.equal(repeat.body.status, 'SUCCESS');
      assert.equal(calls, 1, 'the repeat asked for the status instead of charging');
    } finally {
      gateway.charge = realCharge;
    }
    await svc.orders.waitFor(() => svc.orders.delivered().some((c) => c.body?.order_id === order.orderId), 'the callback');
  });

  it('a payment left PENDING by a request that died is finished by its repeat, not charged again', async () => {
    const order = svc.orders.addOrder();
    const key = newKey();
    // What a crash between the insert and the gateway's answer leaves: a PENDING payment, no stored answer.
    await svc.sql(
      `INSERT INTO payments (payment_id, merchant_order_id, user_id, amount_cents, currency, payment_method, idempotency_key)
       VALUES ('pay_leftbyacrash0000001', $1, 2, 33000, 'INR', 'WALLET', $2)`,
      [order.orderId, key],
    );
    const charges = svc.gateway.chargesProcessed;
    const res = await charge(chargeBody(order, { payment_method: 'WALLET' }), { 'Idempotency-Key': key });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.payment_id, 'pay_leftbyacrash0000001');
    assert.equal(res.body.status, 'SUCCESS');
    assert.match(res.body.transaction_id, /^txn_wallet_\d{12}$/);
    assert.equal(svc.gateway.chargesProcessed, charges);
  });
});
