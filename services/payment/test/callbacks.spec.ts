import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fingerprint, signPayload } from '@etsr/platform';
import { chargeBody, newKey } from './factories';
import { CALLBACK_SECRET, PaymentServiceUnderTest, startPaymentForTest } from './harness';

describe('callbacks to the order service', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest({ HTTP_CLIENT_TIMEOUT_MS: '300' });
  });
  after(() => svc.stop());

  /** The outbox row of a payment's result, once it has left PENDING (the worker marks it after the answer arrives). */
  const settledOutboxRow = async (dedupeKey: string) => {
    const deadline = Date.now() + 3000;
    for (;;) {
      const [row] = await svc.sql(`SELECT status, attempts FROM outbox WHERE dedupe_key = $1`, [dedupeKey]);
      if (row?.status !== 'PENDING' || Date.now() > deadline) return row;
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const pay = async (overrides: Record<string, unknown> = {}, order = svc.orders.addOrder()) => {
    const res = await svc.api.post('/v1/charge', { body: chargeBody(order, overrides), headers: { 'Idempotency-Key': newKey() } });
    assert.equal(res.status, 201, res.text);
    return res.body as Record<string, string>;
  };

  it('a success is called back at once, signed over the exact bytes, with the documented body', async () => {
    const traceId = 'aaaabbbbccccddddeeeeffff00001111';
    const order = svc.orders.addOrder();
    const res = await svc.api.post('/v1/charge', {
      body: chargeBody(order),
      headers: { 'Idempotency-Key': newKey(), traceparent: `00-${traceId}-0123456789abcdef-01` },
    });
    const payment = res.body;
    await svc.orders.waitFor(() => svc.orders.delivered(payment.payment_id).length === 1, 'the SUCCESS callback', 3000);
    const [callback] = svc.orders.delivered(payment.payment_id);
    assert.equal(callback.contentType, 'application/json');
    assert.match(callback.signature!, /^t=\d+,v1=[0-9a-f]{64}$/);
    // The signature is over the body as sent, byte for byte.
    const t = Number(/^t=(\d+)/.exec(callback.signature!)![1]);
    assert.equal(callback.signature, signPayload(CALLBACK_SECRET, callback.raw, t));
    assert.equal(
      callback.raw,
      JSON.stringify({
        order_id: order.orderId,
        payment_id: payment.payment_id,
        status: 'SUCCESS',
        transaction_id: payment.transaction_id,
        amount_cents: 33000,
        currency: 'INR',
        event_id: `${payment.payment_id}:SUCCESS`,
      }),
    );
    // The booking's trace continues into the callback.
    assert.match(callback.traceparent!, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.deepEqual(await settledOutboxRow(`payment.result:${payment.payment_id}:SUCCESS`), { status: 'SENT', attempts: 1 });
  });

  it('a decline is called back with its reason', async () => {
    const payment = await pay({ payment_method: 'TEST_DECLINE' });
    await svc.orders.waitFor(() => svc.orders.delivered(payment.payment_id).length === 1, 'the FAILED callback');
    const body = svc.orders.delivered(payment.payment_id)[0].body!;
    assert.equal(body.status, 'FAILED');
    assert.equal(body.failure_reason, 'Card declined');
    assert.equal(body.transaction_id, null);
    assert.equal(body.event_id, `${payment.payment_id}:FAILED`);
  });

  it('delivered exactly once when the order service answers 500 twice first', async () => {
    svc.orders.failCallbacks = 2;
    const payment = await pay();
    await svc.orders.waitFor(() => svc.orders.delivered(payment.payment_id).length === 1, 'the retried callback');
    const attempts = svc.orders.callbacks.filter((c) => c.body?.payment_id === payment.payment_id);
    assert.deepEqual(attempts.map((c) => c.status), [500, 500, 200]);
    assert.ok(attempts.every((c) => c.signed), 'every attempt signed afresh');
    await svc.outboxSettled();
    assert.equal(svc.orders.delivered(payment.payment_id).length, 1, 'not delivered again after success');
    assert.deepEqual(await settledOutboxRow(`payment.result:${payment.payment_id}:SUCCESS`), { status: 'SENT', attempts: 3 });
  });

  it('an order service that does not answer is retried after the timeout', async () => {
    svc.orders.hangCallbacks = true;
    const payment = await pay();
    await svc.orders.waitFor(() => svc.orders.callbacks.some((c) => c.body?.payment_id === payment.payment_id), 'a first attempt');
    await new Promise((r) => setTimeout(r, 400));
    svc.orders.hangCallbacks = false;
    await svc.orders.waitFor(() => svc.orders.delivered(payment.payment_id).length === 1, 'delivery after the order service came back');
    const [row] = await svc.sql<{ attempts: number }>(`SELECT attempts FROM outbox WHERE dedupe_key = $1`, [`payment.result:${payment.payment_id}:SUCCESS`]);
    assert.ok(row.attempts >= 2);
  });

  it('a refusal for good (4xx) is not retried: the message is DEAD and kept for an operator', async () => {
    svc.orders.refuseCallbacksWith = 400;
    try {
      const payment = await pay();
      const key = `payment.result:${payment.payment_id}:SUCCESS`;
      const deadline = Date.now() + 3000;
      let row: Record<string, unknown> | undefined;
      while (Date.now() < deadline) {
        [row] = await svc.sql(`SELECT status, attempts, last_error FROM outbox WHERE dedupe_key = $1`, [key]);
        if (row?.status === 'DEAD') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(row?.status, 'DEAD');
      assert.equal(row?.attempts, 1);
      assert.match(String(row?.last_error), /answered 400/);
    } finally {
      svc.orders.refuseCallbacksWith = undefined;
    }
  });

  for (const status of [401, 403]) {
    it(`${status} (our signature refused: CALLBACK_SECRET differs) is kept PENDING and retried until it is fixed, never DEAD`, async () => {
      const counted = (await svc.metric('peer_refusals_total', { peer: 'order', status: String(status) })) ?? 0;
      svc.orders.refuseCallbacksWith = status;
      let paymentId = '';
      try {
        paymentId = (await pay()).payment_id;
        const key = `payment.result:${paymentId}:SUCCESS`;
        await svc.orders.waitFor(() => svc.orders.callbacks.filter((c) => c.body?.payment_id === paymentId).length >= 3, 'three refused attempts');
        const [row] = await svc.sql(`SELECT status, last_error FROM outbox WHERE dedupe_key = $1`, [key]);
        assert.equal(row.status, 'PENDING');
        assert.match(String(row.last_error), /order service refused/);
        assert.ok((await svc.metric('peer_refusals_total', { peer: 'order', status: String(status) }))! >= counted + 3);
      } finally {
        svc.orders.refuseCallbacksWith = undefined;
      }
      await svc.orders.waitFor(() => svc.orders.delivered(paymentId).length === 1, 'delivery once fixed');
      assert.equal((await settledOutboxRow(`payment.result:${paymentId}:SUCCESS`))?.status, 'SENT');
    });
  }

  for (const status of [408, 429]) {
    it(`${status} is retried like a 5xx`, async () => {
      svc.orders.refuseCallbacksWith = status;
      const payment = await pay();
      await svc.orders.waitFor(() => svc.orders.callbacks.filter((c) => c.body?.payment_id === payment.payment_id).length >= 2, `a second attempt after ${status}`);
      svc.orders.refuseCallbacksWith = undefined;
      await svc.orders.waitFor(() => svc.orders.delivered(payment.payment_id).length === 1, 'delivery');
    });
  }
});

describe('recovery of payments a crash left PENDING', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest({ PAYMENT_RECOVERY_INTERVAL_MS: '200', PAYMENT_RECOVERY_AFTER_SECONDS: '5' });
  });
  after(() => svc.stop());

  /** What a process that died between the gateway's answer and the update leaves behind. */
  const leftPending = async (id: string, method: string, ageSeconds: number, orderId = svc.orders.addOrder().orderId) => {
    await svc.sql(
      `INSERT INTO payments (payment_id, merchant_order_id, user_id, amount_cents, currency, payment_method, idempotency_key, created_at, updated_at)
       VALUES ($1, $2, 2, 33000, 'INR', $3, $4, now() - make_interval(secs => $5), now() - make_interval(secs => $5))`,
      [id, orderId, method, newKey(), ageSeconds],
    );
    return orderId;
  };

  it('settles them from the gateway status (never charging again) and sends their callbacks', async () => {
    const charges = svc.gateway.chargesProcessed;
    const recovered = (await svc.metric('payments_recovered_total')) ?? 0;
    const okOrder = await leftPending('pay_crashed00000000000001', 'UPI', 60);
    const declinedOrder = await leftPending('pay_crashed00000000000002', 'TEST_DECLINE', 60);
    const young = await leftPending('pay_crashed00000000000003', 'UPI', 0);

    await svc.orders.waitFor(
      () => svc.orders.delivered('pay_crashed00000000000001').length === 1 && svc.orders.delivered('pay_crashed00000000000002').length === 1,
      'the callbacks of the recovered payments',
    );
    const rows = await svc.sql(`SELECT payment_id, status, transaction_id, failure_reason FROM payments WHERE merchant_order_id = ANY ($1) ORDER BY payment_id`, [
      [okOrder, declinedOrder, young],
    ]);
    assert.equal(rows[0].status, 'SUCCESS');
    assert.match(String(rows[0].transaction_id), /^txn_upi_\d{12}$/);
    assert.deepEqual(rows[1], { payment_id: 'pay_crashed00000000000002', status: 'FAILED', transaction_id: null, failure_reason: 'Card declined' });
    assert.equal(rows[2].status, 'PENDING', 'a payment younger than PAYMENT_RECOVERY_AFTER_SECONDS may still be running: left alone');
    assert.equal(svc.gateway.chargesProcessed, charges, 'status only, no charge');
    assert.equal(svc.orders.delivered('pay_crashed00000000000001')[0].body?.status, 'SUCCESS');
    assert.equal(svc.orders.delivered('pay_crashed00000000000002')[0].body?.failure_reason, 'Card declined');
    assert.equal(await svc.metric('payments_recovered_total'), recovered + 2);
  });

  it('a charge that died after its first transaction (key claimed, payment PENDING): recovery settles both, and the repeat is a replay', async () => {
    const order = svc.orders.addOrder();
    const key = newKey();
    const body = chargeBody(order);
    await svc.sql(`INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) VALUES ('order-owner:2', $1, $2, now() - interval '60 seconds')`, [key, fingerprint(body)]);
    await svc.sql(
      `INSERT INTO payments (payment_id, merchant_order_id, user_id, amount_cents, currency, payment_method, idempotency_key, created_at, updated_at)
       VALUES ('pay_crashedwithakey00001', $1, 2, 33000, 'INR', 'UPI', $2, now() - interval '60 seconds', now() - interval '60 seconds')`,
      [order.orderId, key],
    );
    await svc.orders.waitFor(() => svc.orders.delivered('pay_crashedwithakey00001').length === 1, 'the callback of the recovered payment');
    const [stored] = await svc.sql(`SELECT status, response_status FROM idempotency_keys WHERE key = $1`, [key]);
    assert.deepEqual(stored, { status: 'COMPLETED', response_status: 201 });

    const reads = svc.orders.orderReads.length;
    const charges = svc.gateway.chargesProcessed;
    const repeat = await svc.api.post('/v1/charge', { body, headers: { 'Idempotency-Key': key } });
    assert.equal(repeat.status, 201, repeat.text);
    assert.equal(repeat.headers.get('idempotent-replayed'), 'true');
    assert.equal(repeat.body.payment_id, 'pay_crashedwithakey00001');
    assert.equal(repeat.body.status, 'SUCCESS');
    assert.equal(svc.orders.orderReads.length, reads, 'answered from the key store');
    assert.equal(svc.gateway.chargesProcessed, charges);
  });

  it('two replicas on one database settle each payment once', async () => {
    // The first test's young payment comes of age (5 s) during this one on a slow machine: out of the count.
    await svc.sql(`DELETE FROM payments WHERE payment_id = 'pay_crashed00000000000003' AND status = 'PENDING'`);
    const before = (await svc.metric('payments_recovered_total')) ?? 0;
    const replica = await startPaymentForTest({ PAYMENT_RECOVERY_INTERVAL_MS: '100', PAYMENT_RECOVERY_AFTER_SECONDS: '5' }, { database: svc.db });
    try {
      const ids = Array.from({ length: 30 }, (_, i) => `pay_replicas${String(i).padStart(12, '0')}`);
      for (const id of ids) await leftPending(id, 'NETBANKING', 120);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [{ n }] = await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM payments WHERE payment_id = ANY ($1) AND status = 'PENDING'`, [ids]);
        if (n === 0) break;
        assert.ok(Date.now() < deadline, `${n} still PENDING`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const outbox = await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE dedupe_key LIKE 'payment.result:pay_replicas%'`);
      assert.equal(outbox[0].n, 30, 'one callback per payment');
      const settledBy = async () => ((await svc.metric('payments_recovered_total')) ?? 0) + ((await replica.metric('payments_recovered_total')) ?? 0);
      while ((await settledBy()) < before + 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await settledBy(), before + 30, 'each payment settled by exactly one replica');
    } finally {
      await replica.stop();
    }
  });
});
