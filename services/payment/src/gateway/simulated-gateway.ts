import { createHash } from 'node:crypto';
import { GatewayCharge, GatewayOutcome, GatewayRefund, GatewayStatus, PaymentGateway } from './payment-gateway';

export const DECLINE_REASON = 'Card declined';
/** Answers kept in memory; older ones are forgotten, which changes nothing (see below). */
const MAX_REMEMBERED = 100_000;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** `n` decimal digits derived from `seed`: the same seed, the same digits. */
export function seededDigits(seed: string, n = 12): string {
  const value = digest(seed).readBigUInt64BE(0) % 10n ** BigInt(n);
  return value.toString().padStart(n, '0');
}

/**
 * What the simulated provider decides: a pure function of the payment id and the method, so the
 * answer is the same before and after a restart. TEST_DECLINE is declined, every other method
 * approved, with a transaction id such as txn_upi_482913305117.
 */
export function simulatedOutcome(charge: Pick<GatewayCharge, 'paymentId' | 'method'>): GatewayOutcome {
  if (charge.method === 'TEST_DECLINE') return { status: 'FAILED', transactionId: null, failureReason: DECLINE_REASON };
  return { status: 'SUCCESS', transactionId: `txn_${charge.method.toLowerCase()}_${seededDigits(`txn:${charge.paymentId}`)}` };
}

/** The refund id of a payment's refund: derived from the payment id and the refund's key ("full": the id whole refunds always had). */
export function simulatedRefundId(paymentId: string, refundKey = 'full'): string {
  return `ref_${digest(refundKey === 'full' ? `refund:${paymentId}` : `refund:${paymentId}:${refundKey}`).toString('base64url').slice(0, 22)}`;
}

/**
 * A stand-in provider for development, tests and demos. It takes GATEWAY_LATENCY_MS to answer a
 * charge, remembers what it did (a repeated charge of a payment id gets the first answer, a charge
 * still running is PENDING to `status`), and decides with `simulatedOutcome`, so a process that
 * restarted and forgot still answers `status` as it answered `charge`.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly name = 'simulated';
  /** Charges actually processed (not repeats): what a test counts to prove nothing was charged twice. */
  chargesProcessed = 0;
  private readonly answers = new Map<string, Promise<GatewayOutcome>>();
  private readonly settled = new Map<string, GatewayOutcome>();
  private readonly refunds = new Map<string, GatewayRefund>();

  constructor(private readonly latencyMs: number) {}

  charge(request: GatewayCharge): Promise<GatewayOutcome> {
    const known = this.answers.get(request.paymentId);
    if (known) return known;
    this.chargesProcessed++;
    const answer = new Promise<void>((resolve) => setTimeout(resolve, this.latencyMs)).then(() => {
      const outcome = simulatedOutcome(request);
      this.remember(this.settled, request.paymentId, outcome);
      return outcome;
    });
    this.remember(this.answers, request.paymentId, answer);
    return answer;
  }

  async status(paymentId: string, original?: GatewayCharge): Promise<GatewayStatus> {
    const outcome = this.settled.get(paymentId);
    if (outcome) return outcome;
    if (this.answers.has(paymentId)) return { status: 'PENDING' };
    // Forgotten (a restart, or long ago): the decision is a pure function, so it is made again.
    if (original) return simulatedOutcome(original);
    return { status: 'NOT_FOUND' };
  }

  async refund(paymentId: string, _amountCents: number, refundKey = 'full'): Promise<GatewayRefund> {
    const key = `${paymentId} ${refundKey}`;
    const known = this.refunds.get(key);
    if (known) return known;
    const refund = { refundId: simulatedRefundId(paymentId, refundKey) };
    this.remember(this.refunds, key, refund);
    return refund;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.set(key, value);
    if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as string);
  }
}
