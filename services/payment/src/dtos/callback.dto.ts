import { PaymentEntity } from '../entities/payment.entity';

/**
 * The body of POST {ORDER_URL}/v1/payments/callback. `event_id` names the event: one per payment
 * and status, so the order service can drop a callback it has applied already (they are delivered
 * at least once).
 */
export interface PaymentCallback {
  order_id: string;
  payment_id: string;
  status: 'SUCCESS' | 'FAILED' | 'REFUNDED';
  transaction_id: string | null;
  amount_cents: number;
  currency: string;
  failure_reason?: string;
  refund_id?: string;
  event_id: string;
}

/** What the outbox stores: the callback, and the trace of the request that caused it (continued on delivery). */
export interface PaymentResultMessage {
  callback: PaymentCallback;
  trace_id?: string;
}

/** The callback telling the order service what became of a payment (never for a PENDING one). */
export function callbackFor(p: PaymentEntity): PaymentCallback {
  if (p.status === 'PENDING') throw new Error(`payment ${p.id} is not settled`);
  return orderedCallback({
    order_id: p.merchantOrderId,
    payment_id: p.id,
    status: p.status,
    transaction_id: p.transactionId,
    amount_cents: p.amountCents,
    currency: p.currency,
    ...(p.status === 'FAILED' ? { failure_reason: p.failureReason ?? 'Payment failed' } : {}),
    ...(p.status === 'REFUNDED' && p.refundId ? { refund_id: p.refundId } : {}),
    event_id: `${p.id}:${p.status}`,
  });
}

/**
 * The callback with its fields in the documented order. The outbox keeps payloads as jsonb, which
 * reorders keys; the body is rebuilt in this order before it is serialized (once) and signed.
 */
export function orderedCallback(c: PaymentCallback): PaymentCallback {
  return {
    order_id: c.order_id,
    payment_id: c.payment_id,
    status: c.status,
    transaction_id: c.transaction_id ?? null,
    amount_cents: c.amount_cents,
    currency: c.currency,
    ...(c.failure_reason !== undefined ? { failure_reason: c.failure_reason } : {}),
    ...(c.refund_id !== undefined ? { refund_id: c.refund_id } : {}),
    event_id: c.event_id,
  };
}
