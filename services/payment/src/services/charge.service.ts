import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
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
import { PaymentMethod } from '../config';
import { ChargeDto, mapCharge } from '../dtos/payment.dto';
import { PaymentEntity } from '../entities/payment.entity';
import { PaymentsRepository } from '../repositories/payments.repository';
import { PaymentMetrics } from './payment-metrics';
import { SettlementService } from './settlement.service';

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
 */
@Injectable()
export class ChargeService {
  private readonly log;

  constructor(
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
    const order = await this.orders.order(dto.merchant_order_id);
    if (!order) throw notFound('Order not found', 'ORDER_NOT_FOUND');
    if (actor) assertOwnerOrAdmin(actor, order.userId, 'order');
    const request = await this.complete(dto, order, key);
    const stored = await this.idempotency.run(`order-owner:${order.userId}`, key, fingerprint(request), () => this.process(order, key, request));
    if (stored.replayed) this.metrics.idempotentHits.inc();
    return stored;
  }

  /**
   * The request with its defaults. payment_method may be left out of a repeat (section 8.2 repeats
   * step 6 without it): it is then the one of the payment this key made, so the repeat matches.
   */
  private async complete(dto: ChargeDto, order: OrderView, key: string): Promise<ChargeRequest> {
    let method = dto.payment_method;
    if (!method) {
      const first = await this.payments.findByKey(order.userId, key);
      if (!first || first.merchantOrderId !== dto.merchant_order_id) {
        throw new AppError(400, 'VALIDATION_FAILED', 'payment_method is required', { fields: [{ field: 'payment_method', problems: ['payment_method is required'] }] });
      }
      method = first.paymentMethod;
    }
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

  /** The work behind a key, run once: make the payment, charge it, settle it. */
  private async process(order: OrderView, key: string, request: ChargeRequest): Promise<{ status: number; body: unknown }> {
    // A payment this key made already: its first request died after making it, or failed after
    // the charge. Finish that one (asking the gateway, never charging again).
    const earlier = await this.payments.findByKey(order.userId, key);
    if (earlier) return { status: 201, body: mapCharge(await this.resume(earlier, request)) };

    assertPayable(order, request);
    const inserted = await this.payments.insertPending({
      id: newPaymentId(),
      merchantOrderId: order.orderId,
      userId: order.userId,
      amountCents: request.amount_cents,
      currency: request.currency,
      paymentMethod: request.payment_method,
      idempotencyKey: key,
    });
    if (inserted.kind === 'key-used') {
      const mine = await this.payments.findByKey(order.userId, key);
      if (!mine) throw conflict('A request with this Idempotency-Key is still being processed', 'REQUEST_IN_PROGRESS');
      return { status: 201, body: mapCharge(await this.resume(mine, request)) };
    }
    if (inserted.kind === 'order-busy') {
      const live = await this.payments.findLive(order.orderId);
      if (live?.status === 'PENDING') throw conflict('Another payment of this order is being processed', 'PAYMENT_IN_PROGRESS', { payment_id: live.id });
      throw conflict('This order is paid already', 'ORDER_ALREADY_PAID', live ? { payment_id: live.id } : undefined);
    }

    const payment = inserted.payment;
    const stopTimer = this.metrics.processing.startTimer();
    try {
      const outcome = await this.settlement.charge(payment);
      return { status: 201, body: mapCharge(await this.settlement.settle(payment, outcome)) };
    } finally {
      stopTimer();
    }
  }

  /** A payment made by an earlier request with the same key: the same charge, or the key was reused for another one (422). */
  private async resume(payment: PaymentEntity, request: ChargeRequest): Promise<PaymentEntity> {
    if (
      payment.merchantOrderId !== request.merchant_order_id ||
      payment.amountCents !== request.amount_cents ||
      payment.currency !== request.currency ||
      payment.paymentMethod !== request.payment_method
    ) {
      throw unprocessable('This Idempotency-Key was used with a different request body', 'IDEMPOTENCY_KEY_REUSED');
    }
    if (payment.status !== 'PENDING') return payment;
    this.log.info('Resuming a payment its first request left PENDING', { paymentId: payment.id });
    const outcome = await this.settlement.outcomeOf(payment);
    if (!outcome) throw conflict('The payment is still being processed; repeat the request shortly', 'PAYMENT_IN_PROGRESS', { payment_id: payment.id });
    return this.settlement.settle(payment, outcome);
  }
}

/** The order must be waiting for payment, in the currency and for the total the order service computed. */
export function assertPayable(order: OrderView, request: Pick<ChargeRequest, 'amount_cents' | 'currency'>): void {
  if (!PAYABLE_ORDER_STATUSES.includes(order.status)) {
    throw conflict(`The order is ${order.status} and cannot be paid`, 'ORDER_NOT_PAYABLE', { order_status: order.status });
  }
  if (request.currency !== order.currency) throw badRequest(`currency must be the order's currency (${order.currency})`, 'CURRENCY_MISMATCH');
  if (request.amount_cents !== order.totalCents) throw badRequest("amount_cents does not match the order's total", 'AMOUNT_MISMATCH');
}
