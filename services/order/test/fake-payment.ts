import { PaymentView } from '../src/clients/service-clients';
import { FakePeer, Route, errorBody } from './fake-peer';

/** A payment as GET /internal/v1/payments of the payment service lists it (the shape the client reads). */
export type FakePaymentView = PaymentView;

/**
 * A stand-in for the payment service's endpoints the order service calls: the payments of an
 * order (the reconciler; service credential for audience "payment" only) and refunds (a service
 * credential or a user). Payments are whatever the test says they are; a refund is recorded once
 * per payment and answered the same every time, as the real service does. Callbacks are not sent
 * by this fake: tests send them, signed, themselves.
 */
export class FakePayment extends FakePeer {
  readonly payments = new Map<string, FakePaymentView[]>();
  /** payment id -> reason, once per payment. */
  readonly refunds = new Map<string, string>();

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
          if (!this.refunds.has(paymentId)) this.refunds.set(paymentId, String(body.reason ?? ''));
          return [200, { refund_id: `ref_${paymentId.slice(4)}`, payment_id: paymentId, status: 'REFUNDED', refunded_at: new Date().toISOString() }];
        },
      },
    ];
  }
}
