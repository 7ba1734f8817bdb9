import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PaymentEntity } from '../entities/payment.entity';
import { callbackFor, orderedCallback } from './callback.dto';
import { mapCharge, mapPayment, mapRefund } from './payment.dto';
import { parseInstant } from './validation';

const payment = (overrides: Partial<PaymentEntity> = {}): PaymentEntity =>
  Object.assign(new PaymentEntity(), {
    id: 'pay_xyz789abc',
    merchantOrderId: 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3',
    userId: 2,
    amountCents: 45000,
    currency: 'INR',
    status: 'SUCCESS',
    idempotencyKey: 'order_abc123_payment_001',
    paymentMethod: 'UPI',
    transactionId: 'txn_upi_123456789',
    failureReason: null,
    refundId: null,
    refundReason: null,
    refundedAt: null,
    createdAt: new Date('2025-11-09T10:55:00Z'),
    updatedAt: new Date('2025-11-09T10:55:05Z'),
    ...overrides,
  });

describe('payment mappers', () => {
  it('a charge answers in the documented shape', () => {
    assert.deepEqual(mapCharge(payment()), {
      payment_id: 'pay_xyz789abc',
      merchant_order_id: 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3',
      amount_cents: 45000,
      currency: 'INR',
      status: 'SUCCESS',
      payment_method: 'UPI',
      transaction_id: 'txn_upi_123456789',
      idempotency_key: 'order_abc123_payment_001',
      created_at: '2025-11-09T10:55:00.000Z',
    });
    const declined = mapCharge(payment({ status: 'FAILED', transactionId: null, failureReason: 'Card declined' }));
    assert.equal(declined.failure_reason, 'Card declined');
    assert.equal(declined.transaction_id, null);
  });

  it('a payment shows in the documented shape, with the refund once refunded; never the owner or the key', () => {
    const view = mapPayment(payment());
    assert.equal(view.updated_at, '2025-11-09T10:55:05.000Z');
    assert.equal('refund_id' in view || 'failure_reason' in view || 'refunded_at' in view, false);
    assert.equal('user_id' in view || 'idempotency_key' in view, false);
    const refunded = mapPayment(payment({ status: 'REFUNDED', refundId: 'ref_abc123xyz', refundedAt: new Date('2025-11-09T11:30:00Z') }));
    assert.equal(refunded.refund_id, 'ref_abc123xyz');
    assert.equal(refunded.refunded_at, '2025-11-09T11:30:00.000Z');
  });

  it('a refund answers in the documented shape; an unrefunded payment has no refund to show', () => {
    assert.deepEqual(mapRefund(payment({ status: 'REFUNDED', refundId: 'ref_abc123xyz', refundedAt: new Date('2025-11-09T11:30:00Z') })), {
      refund_id: 'ref_abc123xyz',
      payment_id: 'pay_xyz789abc',
      amount_cents: 45000,
      currency: 'INR',
      status: 'REFUNDED',
      refunded_at: '2025-11-09T11:30:00.000Z',
    });
    assert.throws(() => mapRefund(payment()));
  });

  it('the callback names the order, the payment, its status and one event id per status', () => {
    assert.equal(
      JSON.stringify(callbackFor(payment())),
      '{"order_id":"b418c1e8-908f-4c90-b77d-5d99c52b1fa3","payment_id":"pay_xyz789abc","status":"SUCCESS","transaction_id":"txn_upi_123456789","amount_cents":45000,"currency":"INR","event_id":"pay_xyz789abc:SUCCESS"}',
    );
    const failed = callbackFor(payment({ status: 'FAILED', transactionId: null, failureReason: 'Card declined' }));
    assert.equal(failed.failure_reason, 'Card declined');
    assert.equal(failed.event_id, 'pay_xyz789abc:FAILED');
    const refunded = callbackFor(payment({ status: 'REFUNDED', refundId: 'ref_1', refundedAt: new Date() }));
    assert.equal(refunded.refund_id, 'ref_1');
    assert.throws(() => callbackFor(payment({ status: 'PENDING' })));
  });

  it('a callback read back from jsonb (keys reordered) serializes in the documented order again', () => {
    const original = callbackFor(payment({ status: 'FAILED', transactionId: null, failureReason: 'Card declined' }));
    const shuffled = Object.fromEntries(Object.entries(original).reverse()) as typeof original;
    assert.equal(JSON.stringify(orderedCallback(shuffled)), JSON.stringify(original));
  });
});

describe('parseInstant', () => {
  it('reads ISO 8601 dates and date-times, strictly', () => {
    assert.equal(parseInstant('2025-11-09')?.toISOString(), '2025-11-09T00:00:00.000Z');
    assert.equal(parseInstant('2025-11-09T10:55:00Z')?.toISOString(), '2025-11-09T10:55:00.000Z');
    assert.equal(parseInstant('2025-11-09T10:55:00+05:30')?.toISOString(), '2025-11-09T05:25:00.000Z');
    for (const bad of ['yesterday', '2025-02-30', '2025-W01', '2025-001', '1731150000', '', 20251109]) assert.equal(parseInstant(bad), undefined, String(bad));
  });
});
