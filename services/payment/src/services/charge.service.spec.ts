import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@etsr/platform';
import { OrderView } from '../clients/order.client';
import { assertPayable, newPaymentId } from './charge.service';

const order = (overrides: Partial<OrderView> = {}): OrderView => ({
  orderId: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9',
  userId: 2,
  status: 'PENDING',
  totalCents: 33000,
  currency: 'INR',
  ...overrides,
});

const fails = (fn: () => void, status: number, code: string) =>
  assert.throws(fn, (e: unknown) => e instanceof AppError && e.status === status && e.code === code, code);

describe('assertPayable', () => {
  it('accepts the total in the currency of an order waiting for payment (also after a decline)', () => {
    for (const status of ['PENDING', 'ALLOCATING', 'PAYMENT_PROCESSING', 'FAILED']) assert.doesNotThrow(() => assertPayable(order({ status }), { amount_cents: 33000, currency: 'INR' }));
  });
  it('refuses another amount or currency (400) and an order past payment (409)', () => {
    fails(() => assertPayable(order(), { amount_cents: 33001, currency: 'INR' }), 400, 'AMOUNT_MISMATCH');
    fails(() => assertPayable(order(), { amount_cents: 33000, currency: 'USD' }), 400, 'CURRENCY_MISMATCH');
    for (const status of ['CONFIRMED', 'CANCELLED', 'REFUNDED', 'EXPIRED', 'UNKNOWN']) fails(() => assertPayable(order({ status }), { amount_cents: 33000, currency: 'INR' }), 409, 'ORDER_NOT_PAYABLE');
  });
});

describe('payment ids', () => {
  it('are pay_ and 22 base64url characters (128 random bits), all different', () => {
    const ids = new Set(Array.from({ length: 1000 }, newPaymentId));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^pay_[A-Za-z0-9_-]{22}$/);
  });
});
