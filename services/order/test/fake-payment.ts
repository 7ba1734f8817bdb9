import { PaymentView } from '../src/clients/service-clients';
import { FakePeer, Route, errorBody } from './fake-peer';

/** A payment as GET /internal/v1/payments of the payment service lists it (the shape the client reads). */
export type FakePaymentView = PaymentView;

/**
 * A stand-in for the payment service's endpoints the order service calls: the payments of an
 * order (the reconciler; service credential for audience "payment" only) and refunds (a service
 * credential or an admin). Payments are whatever the test says they are; a whole refund is recorded
 * once per payment, a partial one (amount_cents + refund_key) once per key, and each is answered the
 * same every time, as the real service does. Callbacks are not sent
 * by this fake: tests send them, signed, themselves.
 */
export class FakePayment extends FakePeer {
  readonly payments = new Map<string, FakePaymentView[]>();
  /** payment id -> reason, once per payment: refunds of all that is left. */
  readonly refunds = new Map<string, string>();
  /** payment id -> refund key -> amount and reason: partial refunds, once per key (as the real service keys them). */
  readonly partialRefunds = new Map<string, Map<string, { amountCents: number; reason: string }>>();

  constructor() {
    super('payment');
  }

  /** What the payment service would list for an order (newest first). */
  setPayments(orderId: string, payments: Partial<FakePaymentView>[]): FakePaymentView[] {
    const views = payments.map((p, i) => ({
      payment_id: `pay_reconciled${i}${orderId.slice(0, 8)}`,
      merchant_order_id: orderId,
      amount_cents: 0,
      currency: 'INR',
      status: 'SUCCESS' as const,
      ...p,
    }));
    this.payments.set(orderId, views);
    return views;
  }

  protected routes(): Route[] {
    return [
      {
        name: 'paymentsOf',
        method: 'GET',
        pattern: /^\/internal\/v1\/payments$/,
        access: 'service',
        handle: (_, __, seen) => {
          const orderId = seen.query.get('merchant_order_id');
          if (!orderId) return errorBody(400, 'VALIDATION_FAILED', 'merchant_order_id is required');
          return [200, { merchant_order_id: orderId, payments: this.payments.get(orderId) ?? [] }];
        },
      },
      {
        name: 'refund',
        method: 'POST',
        pattern: /^\/v1\/refund$/,
        access: 'service-or-user',
        handle: (_, body) => {
          const paymentId = body.payment_id;
          if (typeof paymentId !== 'string' || !paymentId.startsWith('pay_')) return errorBody(400, 'VALIDATION_FAILED', 'payment_id is not a payment id');
          if (body.amount_cents !== undefined) {
            if (!Number.isInteger(body.amount_cents) || typeof body.refund_key !== 'string') return errorBody(400, 'REFUND_KEY_REQUIRED', 'amount_cents needs a refund_key');
            const keyed = this.partialRefunds.get(paymentId) ?? new Map();
            const earlier = keyed.get(body.refund_key);
            if (earlier && earlier.amountCents !== body.amount_cents) return errorBody(422, 'REFUND_KEY_REUSED', 'refund_key used for another amount');
            if (!earlier) keyed.set(body.refund_key, { amountCents: body.amount_cents as number, reason: String(body.reason ?? '') });
            this.partialRefunds.set(paymentId, keyed);
            return [200, { refund_id: `ref_${body.refund_key}`, payment_id: paymentId, amount_cents: body.amount_cents, status: 'PARTIALLY_REFUNDED', refunded_at: new Date().toISOString() }];
          }
          if (!this.refunds.has(paymentId)) this.refunds.set(paymentId, String(body.reason ?? ''));
          return [200, { refund_id: `ref_${paymentId.slice(4)}`, payment_id: paymentId, status: 'REFUNDED', refunded_at: new Date().toISOString() }];
        },
      },
    ];
  }
}
