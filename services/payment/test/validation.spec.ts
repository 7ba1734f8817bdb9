import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chargeBody, newKey } from './factories';
import { PaymentServiceUnderTest, startPaymentForTest } from './harness';

describe('bad input is a 400 (never a 500), and nothing is stored', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest();
  });
  after(() => svc.stop());

  const cases: [string, (orderId: string) => unknown][] = [
    ['merchant_order_id missing', () => ({ amount_cents: 33000, payment_method: 'UPI' })],
    ['merchant_order_id not a UUID ("order_alice_xyz789")', () => ({ merchant_order_id: 'order_alice_xyz789', amount_cents: 33000, payment_method: 'UPI' })],
    ['merchant_order_id a number', () => ({ merchant_order_id: 12, amount_cents: 33000, payment_method: 'UPI' })],
    ['amount_cents missing', (id) => ({ merchant_order_id: id, payment_method: 'UPI' })],
    ['amount_cents 0', (id) => ({ merchant_order_id: id, amount_cents: 0, payment_method: 'UPI' })],
    ['amount_cents negative', (id) => ({ merchant_order_id: id, amount_cents: -33000, payment_method: 'UPI' })],
    ['amount_cents fractional', (id) => ({ merchant_order_id: id, amount_cents: 330.5, payment_method: 'UPI' })],
    ['amount_cents a string', (id) => ({ merchant_order_id: id, amount_cents: '33000', payment_method: 'UPI' })],
    ['amount_cents above 100,000,000', (id) => ({ merchant_order_id: id, amount_cents: 100_000_001, payment_method: 'UPI' })],
    ['amount_cents huge', (id) => ({ merchant_order_id: id, amount_cents: 1e300, payment_method: 'UPI' })],
    ['currency lower case', (id) => ({ merchant_order_id: id, amount_cents: 33000, currency: 'inr', payment_method: 'UPI' })],
    ['currency too long', (id) => ({ merchant_order_id: id, amount_cents: 33000, currency: 'INRR', payment_method: 'UPI' })],
    ['currency null', (id) => ({ merchant_order_id: id, amount_cents: 33000, currency: null, payment_method: 'UPI' })],
    ['an unknown payment_method', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'CASH' })],
    ['payment_method lower case', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'upi' })],
    ['customer_details a string', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'UPI', customer_details: 'john' })],
    ['customer_details an array', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'UPI', customer_details: [] })],
    ['a bad e-mail', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'UPI', customer_details: { email: 'not-an-email' } })],
    ['a bad phone', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'UPI', customer_details: { phone: '12345' } })],
    ['an unpaired surrogate in the e-mail (was a 500)', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'UPI', customer_details: { email: '\ud800@x.io' } })],
    ['a NUL in the e-mail', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'UPI', customer_details: { email: 'al\u0000ice@x.io' } })],
    ['an unknown field in customer_details', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'UPI', customer_details: { card: '4111' } })],
    ['an unknown field', (id) => ({ merchant_order_id: id, amount_cents: 33000, payment_method: 'UPI', status: 'SUCCESS' })],
    ['a prototype-polluting field', (id) => JSON.parse(`{"merchant_order_id":"${id}","amount_cents":33000,"payment_method":"UPI","__proto__":{"admin":true}}`)],
    ['an array body', () => []],
    ['a string body', () => 'charge'],
  ];

  for (const [name, body] of cases) {
    it(name, async () => {
      const order = svc.orders.addOrder();
      const res = await svc.api.post('/v1/charge', { body: body(order.orderId), headers: { 'Idempotency-Key': newKey() } });
      assert.equal(res.status, 400, res.text);
      assert.equal(typeof res.body.message, 'string');
      assert.deepEqual(await svc.sql(`SELECT 1 FROM payments WHERE merchant_order_id = $1`, [order.orderId]), []);
    });
  }

  it("the document's example order id (\"order_alice_xyz789\") is refused with where an order id comes from", async () => {
    const res = await svc.api.post('/v1/charge', {
      body: { merchant_order_id: 'order_alice_xyz789', amount_cents: 45000, currency: 'INR', payment_method: 'UPI' },
      headers: { 'Idempotency-Key': newKey() },
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, 'VALIDATION_FAILED');
    assert.match(res.body.message, /merchant_order_id must be an order id \(a UUID, the "orderId" that POST \/v1\/orders answers\): create the order for your seat hold first/);
  });

  it('malformed JSON is 400 MALFORMED_JSON; another media type 415; an empty body 400', async () => {
    const headers = { 'Idempotency-Key': newKey() };
    const malformed = await svc.api.post('/v1/charge', { raw: '{"merchant_order_id": ', headers });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error, 'MALFORMED_JSON');
    const xml = await svc.api.post('/v1/charge', { raw: '<charge/>', contentType: 'application/xml', headers });
    assert.equal(xml.status, 415);
    const empty = await svc.api.post('/v1/charge', { headers });
    assert.equal(empty.status, 400);
  });

  it("curl's default form content type with a JSON body is read as JSON (the README's curl commands)", async () => {
    const order = svc.orders.addOrder();
    const res = await svc.api.post('/v1/charge', {
      raw: JSON.stringify(chargeBody(order)),
      contentType: 'application/x-www-form-urlencoded',
      headers: { 'Idempotency-Key': newKey() },
    });
    assert.equal(res.status, 201, res.text);
  });

  it('an upper-case order id is the same order', async () => {
    const order = svc.orders.addOrder();
    const res = await svc.api.post('/v1/charge', { body: chargeBody(order, { merchant_order_id: order.orderId.toUpperCase() }), headers: { 'Idempotency-Key': newKey() } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.merchant_order_id, order.orderId);
  });
});
