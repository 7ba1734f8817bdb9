import { randomBytes } from 'node:crypto';
import { FakeOrder } from './fake-order';

let sequence = 0;

/** An Idempotency-Key no other test uses, shaped like the walkthrough's. */
export const newKey = (tag = 'payment') => `order_${Date.now().toString(36)}${(sequence++).toString(36)}_${tag}_${randomBytes(3).toString('hex')}`;

/** The charge body for an order: its total and currency, UPI. */
export function chargeBody(order: FakeOrder, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    merchant_order_id: order.orderId,
    amount_cents: order.totalCents,
    currency: order.currency,
    payment_method: 'UPI',
    customer_details: { email: 'john@example.com', phone: '+1234567890' },
    ...overrides,
  };
}
