import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AppError,
  IdempotencyStore,
  JsonLogger,
  Principal,
  StoredResponse,
  assertOwnerOrAdmin,
  badRequest,
  conflict,
  fingerprint,
  notFound,
  requireIdempotencyKey,
  unprocessable,
} from '@etsr/platform';
import { OrderClient, OrderView, PAYABLE_ORDER_STATUSES } from '../clients/order.client';
import { PAYMENT_METHODS, PaymentMethod } from '../config';
import { ChargeDto, mapCharge } from '../dtos/payment.dto';
import { PaymentEntity } from '../entities/payment.entity';
import { PaymentsRepository } from '../repositories/payments.repository';
import { PaymentMetrics } from './payment-metrics';
import { CHARGE_SCOPE_PREFIX, SettlementService, chargeScope } from './settlement.service';

export const newPaymentId = () => `pay_${randomBytes(16).toString('base64url')}`;

/** A charge request as it is fingerprinted and carried out: defaults applied, payment_method known. */
export interface ChargeRequest {
  merchant_order_id: string;
  amount_cents: number;
  currency: string;
  payment_method: PaymentMethod;
  customer_details?: { email?: string; phone?: string };
}

/**
 * POST /v1/charge. The Idempotency-Key store (scoped to the order's owner) lets one request with a
 * key run and answers its repeats with the stored bytes; the unique index on live payments lets one
 * payment of an order be PENDING or SUCCESS at a time; the gateway is charged once per payment id.
 *
 * A first charge is two transactions around the gateway call: the key's claim with the PENDING
 * payment, then the outcome with its callback and the key's answer (SettlementService). A repeat
 * of a completed charge is one read of the key store, before the order service is asked.
 */
@Injectable()
export class ChargeService {
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly payments: PaymentsRepository,
    private readonly orders: OrderClient,
    private readonly idempotency: IdempotencyStore,
    private readonly settlement: SettlementService,
    private readonly metrics: PaymentMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(ChargeService.name);
  }

  /** `actor` is undefined for a charge without a token (the order id is then the capability to pay). */
  async charge(actor: Principal | undefined, idempotencyKey: string | string[] | undefined, dto: ChargeDto): Promise<StoredResponse> {
    const key = requireIdempotencyKey(idempotencyKey);
    const stored = (await this.replay(actor, key, dto)) ?? (await this.run(actor, key, dto));
    if (stored.replayed) this.metrics.idempotentHits.inc();
    return stored;
  }

  /**
   * The stored answer when this is a repeat of a completed charge: its fingerprint matches one
   * stored under the key. The fingerprint covers merchant_order_id, so a match is this order's
   * key and its scope names the order's owner, which a token must be (as for a first charge).
   * Anything else (no answer yet, another body) takes the full path, which decides it.
   */
  private async replay(actor: Principal | undefined, key: string, dto: ChargeDto): Promise<StoredResponse | null> {
    for (const answer of await this.idempotency.completedAnswers(key, CHARGE_SCOPE_PREFIX)) {
      const method = dto.payment_method ?? methodOf(answer.body, dto.merchant_order_id);
      if (!method || fingerprint(requestOf(dto, method)) !== answer.fingerprint) continue;
      if (actor) assertOwnerOrAdmin(actor, Number(answer.scope.slice(CHARGE_SCOPE_PREFIX.length)), 'order');
      return { status: answer.status, body: answer.body, replayed: true };
    }
    return null;
  }

  private async run(actor: Principal | undefined, key: string, dto: ChargeDto): Promise<StoredResponse> {
    const order = await this.orders.order(dto.merchant_order_id);
    if (!order) throw notFound('Order not found', 'ORDER_NOT_FOUND');
    if (actor) assertOwnerOrAdmin(actor, order.userId, 'order');
    const request = await this.complete(dto, order, key);
    const scope = chargeScope(order.userId);
    const requestFingerprint = fingerprint(request);

    const started = await this.start(order, key, scope, requestFingerprint, request);
    if (!started) return this.idempotency.waitForFirst(scope, key, requestFingerprint);
    let payment: PaymentEntity;
    try {
      payment = started.fresh ? await this.chargeAndSettle(started.payment) : await this.resume(started.payment);
    } catch (e) {
      // Refused or interrupted (the gateway did not answer): the key is let go, the client may repeat
      // with it; a PENDING payment is found again by its key, or settled by the recovery worker.
      await this.idempotency.release(scope, key);
      throw e;
    }
    return { status: 201, body: JSON.stringify(mapCharge(payment)), replayed: false };
  }

  /**
   * One transaction: claim the key, then insert the PENDING payment (or find the one an earlier
   * request with this key made: it died after making it, or failed after the charge). null when
   * another request holds the key. A refusal (not payable, another live payment, the key used for
   * another charge) rolls the claim back: nothing is written.
   */
  private start(order: OrderView, key: string, scope: string, requestFingerprint: string, request: ChargeRequest): Promise<{ payment: PaymentEntity; fresh: boolean } | null> {
    return this.db.transaction(async (tx) => {
      if (!(await this.idempotency.claim(tx, scope, key, requestFingerprint))) return null;
      const refusal = payableError(order, request);
      if (!refusal) {
        const payment = await this.payments.insertPending(tx, {
          id: newPaymentId(),
          merchantOrderId: order.orderId,
          userId: order.userId,
          amountCents: request.amount_cents,
          currency: request.currency,
          paymentMethod: request.payment_method,
          idempotencyKey: key,
        });
        if (payment) return { payment, fresh: true };
      }
      // An earlier payment of this key comes first: it is finished even if the order moved on.
      const earlier = await this.payments.findByKey(order.userId, key, tx);
      if (earlier) {
        assertSameCharge(earlier, request);
        return { payment: earlier, fresh: false };
      }
      if (refusal) throw refusal;
      const live = await this.payments.findLive(order.orderId, tx);
      if (live?.status === 'PENDING') throw conflict('Another payment of this order is being processed', 'PAYMENT_IN_PROGRESS', { payment_id: live.id });
      throw conflict('This order is paid already', 'ORDER_ALREADY_PAID', live ? { payment_id: live.id } : undefined);
    });
  }

  /** The gateway call (outside any transaction), then the outcome, its callback and the key's answer in one. */
  private async chargeAndSettle(payment: PaymentEntity): Promise<PaymentEntity> {
    const stopTimer = this.metrics.processing.startTimer();
    try {
      const outcome = await this.settlement.charge(payment);
      return await this.settlement.settle(payment, outcome);
    } finally {
      stopTimer();
    }
  }

  /**
   * The request with its defaults. payment_method may be left out of a repeat (the README's
   * walkthrough repeats the charge without it): it is then the one of the payment this key made,
   * so the repeat matches.
   */
  private async complete(dto: ChargeDto, order: OrderView, key: string): Promise<ChargeRequest> {
    if (dto.payment_method) return requestOf(dto, dto.payment_method);
    const first = await this.payments.findByKey(order.userId, key);
    if (!first || first.merchantOrderId !== dto.merchant_order_id) {
      throw new AppError(400, 'VALIDATION_FAILED', 'payment_method is required', { fields: [{ field: 'payment_method', problems: ['payment_method is required'] }] });
    }
    return requestOf(dto, first.paymentMethod);
  }

  /** A payment made by an earlier request with the same key: settled already, or settled now from the gateway's status (never charged again). */
  private async resume(payment: PaymentEntity): Promise<PaymentEntity> {
    if (payment.status !== 'PENDING') {
      await this.settlement.storeAnswer(null, payment);
      return payment;
    }
    this.log.info('Resuming a payment its first request left PENDING', { paymentId: payment.id });
    const outcome = await this.settlement.outcomeOf(payment);
    if (!outcome) throw conflict('The payment is still being processed; repeat the request shortly', 'PAYMENT_IN_PROGRESS', { payment_id: payment.id });
    return this.settlement.settle(payment, outcome);
  }
}

/** The request as it is fingerprinted: defaults applied, customer_details reduced to what was sent. */
function requestOf(dto: ChargeDto, method: PaymentMethod): ChargeRequest {
  const details = dto.customer_details;
  return {
    merchant_order_id: dto.merchant_order_id,
    amount_cents: dto.amount_cents,
    currency: dto.currency,
    payment_method: method,
    ...(details
      ? { customer_details: { ...(details.email !== undefined ? { email: details.email } : {}), ...(details.phone !== undefined ? { phone: details.phone } : {}) } }
      : {}),
  };
}

/** The payment_method of a stored charge answer for this order (a repeat may leave it out), if it is one. */
function methodOf(body: string, merchantOrderId: string): PaymentMethod | undefined {
  try {
    const answer = JSON.parse(body) as { merchant_order_id?: unknown; payment_method?: unknown };
    const method = answer.payment_method as PaymentMethod;
    return answer.merchant_order_id === merchantOrderId && PAYMENT_METHODS.includes(method) ? method : undefined;
  } catch {
    return undefined;
  }
}

/** A payment an earlier request with this key made must be this charge; otherwise the key was reused for another (422). */
function assertSameCharge(payment: PaymentEntity, request: ChargeRequest): void {
  if (
    payment.merchantOrderId !== request.merchant_order_id ||
    payment.amountCents !== request.amount_cents ||
    payment.currency !== request.currency ||
    payment.paymentMethod !== request.payment_method
  ) {
    throw unprocessable('This Idempotency-Key was used with a different request body', 'IDEMPOTENCY_KEY_REUSED');
  }
}

/** The order must be waiting for payment, in the currency and for the total the order service computed. */
export function assertPayable(order: OrderView, request: Pick<ChargeRequest, 'amount_cents' | 'currency'>): void {
  const refusal = payableError(order, request);
  if (refusal) throw refusal;
}

/** Why the order cannot be paid with this request, or null. */
function payableError(order: OrderView, request: Pick<ChargeRequest, 'amount_cents' | 'currency'>): AppError | null {
  if (!PAYABLE_ORDER_STATUSES.includes(order.status)) {
    return conflict(`The order is ${order.status} and cannot be paid`, 'ORDER_NOT_PAYABLE', { order_status: order.status });
  }
  if (request.currency !== order.currency) return badRequest(`currency must be the order's currency (${order.currency})`, 'CURRENCY_MISMATCH');
  if (request.amount_cents !== order.totalCents) return badRequest("amount_cents does not match the order's total", 'AMOUNT_MISMATCH');
  return null;
}
