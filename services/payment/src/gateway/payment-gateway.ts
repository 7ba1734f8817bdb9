import type { PaymentMethod } from '../config';

/** Nest injection token of the PaymentGateway in use (GatewayModule decides which). */
export const PAYMENT_GATEWAY = 'PAYMENT_GATEWAY';

/** What is asked of the provider. `paymentId` is the provider's idempotency key: the same id never moves money twice. */
export interface GatewayCharge {
  paymentId: string;
  amountCents: number;
  currency: string;
  method: PaymentMethod;
}

/** The provider's final word on a charge. */
export type GatewayOutcome =
  | { status: 'SUCCESS'; transactionId: string }
  | { status: 'FAILED'; transactionId: string | null; failureReason: string };

/** A status query may also find the charge still running, or never received. */
export type GatewayStatus = GatewayOutcome | { status: 'PENDING' } | { status: 'NOT_FOUND' };

export interface GatewayRefund {
  refundId: string;
}

/**
 * A payment provider (Razorpay, Stripe, ...) as the payment service uses it. Implementations must
 * be idempotent per payment id: charging or refunding the same payment again returns the first
 * answer and moves no more money. Any error thrown means "the provider could not be reached or did
 * not answer": the service then leaves the payment PENDING and settles it later with `status`.
 */
export interface PaymentGateway {
  readonly name: string;
  charge(request: GatewayCharge): Promise<GatewayOutcome>;
  /**
   * What became of a charge, without charging. `original` is the request as it was sent, for
   * providers that cannot look a payment up by our id alone (the simulated one after a restart);
   * a real provider looks it up by `paymentId` and may ignore it.
   */
  status(paymentId: string, original?: GatewayCharge): Promise<GatewayStatus>;
  /**
   * A refund of `amountCents` of a successful charge, named `refundKey` within the payment: the
   * same key again returns the first answer and moves no more money.
   */
  refund(paymentId: string, amountCents: number, refundKey: string): Promise<GatewayRefund>;
}
