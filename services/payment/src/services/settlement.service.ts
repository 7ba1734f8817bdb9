import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppError, IdempotencyStore, JsonLogger } from '@etsr/platform';
import { DataSource, EntityManager } from 'typeorm';
import { mapCharge } from '../dtos/payment.dto';
import { PaymentEntity } from '../entities/payment.entity';
import { GatewayCharge, GatewayOutcome, PAYMENT_GATEWAY, PaymentGateway } from '../gateway/payment-gateway';
import { PaymentsRepository } from '../repositories/payments.repository';
import { OrderCallbackService, Recorded } from './order-callback.service';
import { PaymentMetrics } from './payment-metrics';

/** The outcome recorded when the gateway says it never received a charge: no money moved, the buyer may pay again. */
export const NOT_COMPLETED: GatewayOutcome = { status: 'FAILED', transactionId: null, failureReason: 'The payment did not reach the gateway' };

/** Charge Idempotency-Keys are scoped to the order's owner: two users never collide on a key. */
export const CHARGE_SCOPE_PREFIX = 'order-owner:';
export const chargeScope = (userId: number) => `${CHARGE_SCOPE_PREFIX}${userId}`;

export const gatewayChargeOf = (p: PaymentEntity): GatewayCharge => ({
  paymentId: p.id,
  amountCents: p.amountCents,
  currency: p.currency,
  method: p.paymentMethod,
});

/**
 * Turning a PENDING payment into SUCCESS or FAILED, whoever does it (a charge, a repeat of one,
 * the recovery worker): the conditional update, its callback and the charge's answer under its
 * Idempotency-Key in one transaction, then the metric and an immediate delivery attempt of the
 * callback.
 */
@Injectable()
export class SettlementService {
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly payments: PaymentsRepository,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly callbacks: OrderCallbackService,
    private readonly metrics: PaymentMetrics,
    private readonly idempotency: IdempotencyStore,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SettlementService.name);
  }

  /**
   * Records the outcome and the charge's answer (201 with the payment as it now is) under the
   * payment's key, in one transaction; returns the payment (settled by this call or by someone
   * before it).
   */
  async settle(payment: PaymentEntity, outcome: GatewayOutcome): Promise<PaymentEntity> {
    const { settled, current } = await this.db.transaction(async (tx) => {
      const changed = await this.payments.settleIn(tx, payment.id, outcome);
      if (changed) return { settled: await this.recordIn(tx, changed), current: changed };
      const current = (await this.payments.findById(payment.id, tx)) ?? payment;
      await this.storeAnswer(tx, current);
      return { settled: null, current };
    });
    if (settled) {
      this.settled([settled]);
      return current;
    }
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

  /** What goes with a settlement, in its transaction: the order service's callback, and the charge's answer. */
  async recordIn(tx: EntityManager, settled: PaymentEntity): Promise<Recorded> {
    const recorded = await this.callbacks.enqueue(tx, settled);
    await this.storeAnswer(tx, settled);
    return recorded;
  }

  /**
   * The answer a charge gives for `payment`, stored under the key that made it so a repeat is
   * answered from the key store. A key no request holds any more (its request failed) is not there
   * and nothing is written; its repeat claims it again and finds the payment.
   */
  storeAnswer(tx: EntityManager | null, payment: PaymentEntity): Promise<void> {
    return this.idempotency.complete(tx, chargeScope(payment.userId), payment.idempotencyKey, 201, JSON.stringify(mapCharge(payment)));
  }

  /** Metrics, log and callback delivery for payments whose settlement was just committed. */
  settled(recorded: Recorded[], recovered = false): void {
    for (const { payment: p } of recorded) {
      this.metrics.transactions.inc({ status: p.status });
      if (recovered) this.metrics.recovered.inc();
      this.log.info(recovered ? 'Pending payment settled from the gateway status' : 'Payment settled', {
        paymentId: p.id,
        orderId: p.merchantOrderId,
        status: p.status,
      });
    }
    this.callbacks.deliverNow(recorded);
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
