import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PaymentServiceUnderTest, adminToken, startPaymentForTest, userToken } from './harness';

const payment = (n: number, overrides: Record<string, unknown> = {}) => ({
  externalRef: `test:payments:${n}`, merchantOrderId: randomUUID(), userId: 7, amountCents: 61538, currency: 'INR',
  status: 'SUCCESS', paymentMethod: 'NETBANKING', transactionId: `ETP-${n}`, createdAt: '2024-08-19T00:55:20Z', ...overrides,
});

describe('POST /internal/v1/import/payments', () => {
  let svc: PaymentServiceUnderTest;
  const admin = adminToken();
  before(async () => {
    svc = await startPaymentForTest();
  });
  after(() => svc.stop());

  it('records past payments once, as they ended, without charging; the owner and admin see them', async () => {
    const body = { payments: [payment(1), payment(2, { status: 'FAILED', failureReason: 'Declined (imported history)' })] };
    const first = await svc.api.post('/internal/v1/import/payments', { token: admin, body });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.body.created, first.body.present], [2, 0]);
    const again = await svc.api.post('/internal/v1/import/payments', { token: admin, body });
    assert.deepEqual([again.body.created, again.body.present], [0, 2]);
    assert.deepEqual(again.body.payments.map((p: { paymentId: string }) => p.paymentId), first.body.payments.map((p: { paymentId: string }) => p.paymentId));
    const shown = await svc.api.get(`/v1/payments/${first.body.payments[0].paymentId}`, { token: admin });
    assert.equal(shown.status, 200, shown.text);
    assert.equal(shown.body.status, 'SUCCESS');
    assert.equal(shown.body.amount_cents, 61538);
  });

  it('the same batch fired twice at once records each payment once', async () => {
    const body = { payments: Array.from({ length: 30 }, (_, i) => payment(100 + i)) };
    const [a, b] = await Promise.all([1, 2].map(() => svc.api.post('/internal/v1/import/payments', { token: admin, body })));
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.body.created + b.body.created, 30);
    assert.deepEqual(a.body.payments.map((p: { paymentId: string }) => p.paymentId), b.body.payments.map((p: { paymentId: string }) => p.paymentId));
  });

  it('refuses PENDING, a FAILED payment without reason and unknown fields with 400; non-admins with 403', async () => {
    assert.equal((await svc.api.post('/internal/v1/import/payments', { token: admin, body: { payments: [payment(200, { status: 'PENDING' })] } })).status, 400);
    assert.equal((await svc.api.post('/internal/v1/import/payments', { token: admin, body: { payments: [payment(201, { status: 'FAILED' })] } })).status, 400);
    assert.equal((await svc.api.post('/internal/v1/import/payments', { token: admin, body: { payments: [payment(202, { extra: 1 })] } })).status, 400);
    assert.equal((await svc.api.post('/internal/v1/import/payments', { token: userToken(7), body: { payments: [payment(203)] } })).status, 403);
  });
});
