import { after, before, describe, it } from 'node:test';
import { DEV_DEFAULT_SECRETS, TokenService } from '@etsr/platform';
import { fuzzDocument } from '@etsr/platform/testing';
import { chargeBody, newKey } from './factories';
import { PaymentServiceUnderTest, adminToken, serviceToken, startPaymentForTest, userToken } from './harness';

/** Operations the order service calls: charges, refunds, the internal lookup. */
const forServices = (path: string) => ['/v1/charge', '/v1/payments/charge', '/v1/refund'].includes(path) || path.startsWith('/internal/v1/payments');

/** Every operation of the OpenAPI document, with generated requests (see libs/platform/src/testing/openapi-fuzz.ts). */
describe('generated requests over the OpenAPI document: no 5xx, only documented statuses', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest();
  });
  after(() => svc.stop());

  it('every operation', async (t) => {
    const orders = Array.from({ length: 4 }, () => svc.orders.addOrder());
    const paymentIds: string[] = [];
    for (const order of orders.slice(0, 2)) {
      const res = await svc.api.post('/v1/charge', { token: serviceToken(), body: chargeBody(order), headers: { 'Idempotency-Key': newKey() } });
      if (res.status !== 201) throw new Error(`charge failed: ${res.status} ${res.text}`);
      paymentIds.push(res.body.payment_id);
    }
    const forged = new TokenService('not-the-secret-0123456789abcdef0123456789', DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'order');
    await fuzzDocument(t, svc.url, {
      credentialFor: (op) => (forServices(op.path) ? { label: 'service (order)', token: serviceToken() } : { label: 'admin', token: adminToken() }),
      otherCredentials: [
        { label: 'none' },
        { label: 'buyer 2', token: userToken(2) },
        { label: 'admin', token: adminToken() },
        { label: 'garbage', token: 'not.a.token' },
        { label: 'forged service', token: forged.serviceToken('payment') },
      ],
      known: {
        id: paymentIds,
        payment_id: paymentIds,
        merchant_order_id: orders.map((o) => o.orderId),
        amount_cents: orders.map((o) => o.totalCents),
        currency: orders.map((o) => o.currency),
      },
    });
  });
});
