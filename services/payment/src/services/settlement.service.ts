import { Inject, Injectable } from '@nestjs/common';
import { AppError, JsonLogger, OutboxWorker } from '@etsr/platform';
import { PaymentEntity } from '../entities/payment.entity';
import { GatewayCharge, GatewayOutcome, PAYMENT_GATEWAY, PaymentGateway } from '../gateway/payment-gateway';
import { PaymentsRepository } from '../repositories/payments.repository';
import { PaymentMetrics } from './payment-metrics';

/** The outcome recorded when the gateway says it never received a charge: no money moved, the buyer may pay again. */
export const NOT_COMPLETED: GatewayOutcome = { status: 'FAILED', transactionId: null, failureReason: 'The payment did not reach the gateway' };

export const gatewayChargeOf = (p: PaymentEntity): GatewayCharge => ({
  paymentId: p.id,
  amountCents: p.amountCents,
  currency: p.currency,
  method: p.paymentMethod,
});

/**
 * Turning a PENDING payment into SUCCESS or FAILED, whoever does it (a charge, a repeat of one,
 * the recovery worker): the conditional update and its callback in one transaction
 * (PaymentsRepository), then the metric and an immediate delivery attempt of the callback.
 */
@Injectable()
export class SettlementService {
  private readonly log;

  constructor(
    private readonly payments: PaymentsRepository,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly outbox: OutboxWorker,
    private readonly metrics: PaymentMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SettlementService.name);
  }

  /** Records the outcome; returns the payment as it now is (settled by this call or by someone before it). */
  async settle(payment: PaymentEntity, outcome: GatewayOutcome): Promise<PaymentEntity> {
    const settled = await this.payments.settle(payment.id, outcome);
    if (settled) {
      this.settled([settled]);
      return settled;
    }
    const current = (await this.payments.findById(payment.id)) ?? payment;
    if (current.status !== outcome.status && !(current.status === 'REFUNDED' && outcome.status === 'SUCCESS')) {
      // Settled meanwhile (by the recovery worker) with another result than the gateway now gives.
      this.log.error('Payment recorded with another result than the gateway reports; reconcile it by hand', undefined, {
        paymentId: payment.id,
        recorded: current.status,
        gateway: outcome.status,
      });
    }
    return current;
  }

  /** Metrics, log and callback delivery for payments whose settlement was just committed. */
  settled(payments: PaymentEntity[], recovered = false): void {
    for (const p of payments) {
      this.metrics.transactions.inc({ status: p.status });
      if (recovered) this.metrics.recovered.inc();
      this.log.info(recovered ? 'Pending payment settled from the gateway status' : 'Payment settled', {
        paymentId: p.id,
        orderId: p.merchantOrderId,
        status: p.status,
      });
    }
    if (payments.length) this.outbox.nudge();
  }

  /**
   * What became of a charge, asked without charging: the outcome, or null while the gateway has
   * no final answer (or cannot be reached). A charge the gateway never received did not happen.
   */
  async outcomeOf(payment: PaymentEntity): Promise<GatewayOutcome | null> {
    let status;
    try {
      status = await this.gateway.status(payment.id, gatewayChargeOf(payment));
    } catch (e) {
      this.log.warn('Gateway status query failed', { paymentId: payment.id, error: e instanceof Error ? e.message : String(e) });
      return null;
    }
    if (status.status === 'PENDING') return null;
    if (status.status === 'NOT_FOUND') return NOT_COMPLETED;
    return status;
  }

  /** Charges at the gateway; a gateway that cannot be reached is a 503 and the payment stays PENDING for later settlement. */
  async charge(payment: PaymentEntity): Promise<GatewayOutcome> {
    try {
      return await this.gateway.charge(gatewayChargeOf(payment));
    } catch (e) {
      this.log.warn('Gateway charge failed; the payment stays PENDING until its status is known', {
        paymentId: payment.id,
        error: e instanceof Error ? e.message : String(e),
      });
      throw new AppError(
        503,
        'GATEWAY_UNAVAILABLE',
        'The payment gateway did not answer. The payment will be settled automatically; repeat the request with the same Idempotency-Key to get its result',
        { payment_id: payment.id },
        { 'Retry-After': '2' },
      );
    }
  }
}
