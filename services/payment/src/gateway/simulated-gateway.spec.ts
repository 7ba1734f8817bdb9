import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYMENT_METHODS } from '../config';
import { DECLINE_REASON, SimulatedGateway, seededDigits, simulatedOutcome, simulatedRefundId } from './simulated-gateway';

const charge = (paymentId: string, method: (typeof PAYMENT_METHODS)[number] = 'UPI') => ({ paymentId, amountCents: 45000, currency: 'INR', method });

describe('simulated gateway', () => {
  it('approves every method but TEST_DECLINE, with a transaction id named after the method', () => {
    for (const method of PAYMENT_METHODS.filter((m) => m !== 'TEST_DECLINE')) {
      const outcome = simulatedOutcome({ paymentId: 'pay_a', method });
      assert.equal(outcome.status, 'SUCCESS');
      assert.match(outcome.transactionId!, new RegExp(`^txn_${method.toLowerCase()}_\\d{12}$`));
    }
    assert.deepEqual(simulatedOutcome({ paymentId: 'pay_a', method: 'TEST_DECLINE' }), { status: 'FAILED', transactionId: null, failureReason: DECLINE_REASON });
  });

  it('decides as a pure function of the payment id: same id same answer, other id other transaction', () => {
    assert.deepEqual(simulatedOutcome({ paymentId: 'pay_x', method: 'UPI' }), simulatedOutcome({ paymentId: 'pay_x', method: 'UPI' }));
    assert.notEqual(simulatedOutcome({ paymentId: 'pay_x', method: 'UPI' }).transactionId, simulatedOutcome({ paymentId: 'pay_y', method: 'UPI' }).transactionId);
    assert.equal(seededDigits('seed', 9).length, 9);
    assert.match(simulatedRefundId('pay_x'), /^ref_[A-Za-z0-9_-]{22}$/);
    assert.equal(simulatedRefundId('pay_x'), simulatedRefundId('pay_x'));
  });

  it('charges a payment id once: repeats, even simultaneous ones, get the first answer', async () => {
    const gateway = new SimulatedGateway(20);
    const answers = await Promise.all(Array.from({ length: 5 }, () => gateway.charge(charge('pay_once'))));
    assert.equal(gateway.chargesProcessed, 1);
    assert.ok(answers.every((a) => a === answers[0]));
    await gateway.charge(charge('pay_once'));
    assert.equal(gateway.chargesProcessed, 1);
  });

  it('status: PENDING while the charge runs, then its answer; after a restart the same answer again', async () => {
    const gateway = new SimulatedGateway(30);
    const running = gateway.charge(charge('pay_s', 'CREDIT_CARD'));
    assert.deepEqual(await gateway.status('pay_s'), { status: 'PENDING' });
    const outcome = await running;
    assert.deepEqual(await gateway.status('pay_s'), outcome);

    const restarted = new SimulatedGateway(30);
    assert.deepEqual(await restarted.status('pay_s', charge('pay_s', 'CREDIT_CARD')), outcome);
    assert.deepEqual(await restarted.status('pay_unknown'), { status: 'NOT_FOUND' });
    assert.equal(restarted.chargesProcessed, 0, 'status never charges');
  });

  it('refunds a payment once, with a stable refund id', async () => {
    const gateway = new SimulatedGateway(0);
    const first = await gateway.refund('pay_r', 100, 'full');
    assert.deepEqual(await gateway.refund('pay_r', 100, 'full'), first);
    assert.deepEqual(await new SimulatedGateway(0).refund('pay_r', 100, 'full'), first);
  });
});
