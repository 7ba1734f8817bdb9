import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@etsr/platform';
import { parseOrder } from './order.client';

const fails = (fn: () => void) => assert.throws(fn, (e: unknown) => e instanceof AppError && e.status === 503 && e.code === 'DEPENDENCY_UNAVAILABLE');

describe('parseOrder', () => {
  const body = { orderId: '7F7DDC5B-2099-44A1-9F52-3089EB15C1D9', userId: 2, eventId: 1, status: 'PENDING', totalCents: 33000, taxCents: 3000, currency: 'INR', reservationId: 'res_x' };
  it("reads the order service's answer", () => {
    assert.deepEqual(parseOrder(body, '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9'), {
      orderId: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9',
      userId: 2,
      status: 'PENDING',
      totalCents: 33000,
      currency: 'INR',
    });
  });
  it('refuses an answer it cannot trust (503): another order, no owner, no total', () => {
    for (const bad of [{ ...body, orderId: 'other' }, { ...body, userId: undefined }, { ...body, totalCents: '33000.5' }, { ...body, status: 1 }, null, 'text']) {
      fails(() => parseOrder(bad, '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9'));
    }
  });
});
