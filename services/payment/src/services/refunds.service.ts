import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, JsonLogger, Principal, badRequest, conflict, isAdmin, notFound, unprocessable } from '@etsr/platform';
import { RefundDto, RefundResponseDto, mapRefund, mapRefundOf } from '../dtos/payment.dto';
import { PAYMENT_GATEWAY, PaymentGateway } from '../gateway/payment-gateway';
import { PaymentsRepository } from '../repositories/payments.repository';
import { OrderCallbackService, Recorded } from './order-callback.service';
import { PaymentMetrics } from './payment-metrics';

/**
 * Refunds of successful payments, whole or partial, asked by the order service (a cancel, seats that could not
 * be allocated) or an admin. Not by the buyer: a refund of an order's payment goes through the
 * order service, which applies the box office rule (no refund once a ticket was used) and voids the
 * tickets it refunds. Each refund has a key within its payment (default "full": all that is left);
 * the same key again is the same refund, answered the same. Refunds of one payment take turns on
 * its row lock, and a conditional update (and a CHECK) keeps their sum within the payment.
 */
@Injectable()
export class RefundsService {
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly payments: PaymentsRepository,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly callbacks: OrderCallbackService,
    private readonly metrics: PaymentMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(RefundsService.name);
  }

  async refund(actor: Principal, dto: RefundDto): Promise<RefundResponseDto> {
    if (actor.kind === 'user' && !isAdmin(actor)) throw refundViaOrder();
    if (dto.amount_cents !== undefined && dto.refund_key === undefined) {
      throw badRequest('A partial refund (amount_cents) needs a refund_key, so that asking again cannot refund twice', 'REFUND_KEY_REQUIRED');
    }
    const key = dto.refund_key ?? FULL_REFUND_KEY;
    const done = await this.db.transaction(async (tx) => {
      // The payment's row lock: refunds of one payment take turns, so their sum is checked against
      // what the others recorded. The gateway is asked under the lock (idempotent by the key).
      const payment = await this.payments.lockForRefund(tx, dto.payment_id);
      if (!payment) throw notFound('Payment not found', 'PAYMENT_NOT_FOUND');
      const earlier = await this.payments.findRefund(tx, payment.id, key);
      if (earlier) {
        if (dto.amount_cents !== undefined && dto.amount_cents !== earlier.amountCents) {
          throw unprocessable(`refund_key "${key}" was used for a refund of ${earlier.amountCents}`, 'REFUND_KEY_REUSED', { amount_cents: earlier.amountCents });
        }
        return { answer: mapRefundOf(payment, earlier) };
      }
      // Refunded whole before refunds had rows of their own: a whole refund asked again answers as then.
      if (payment.status === 'REFUNDED' && dto.amount_cents === undefined) return { answer: mapRefund(payment) };
      if (payment.status !== 'SUCCESS' && payment.status !== 'REFUNDED') throw notRefundable(payment.status);
      const refundable = payment.amountCents - payment.refundedCents;
      const amount = dto.amount_cents ?? refundable;
      if (refundable === 0 || amount > refundable) {
        throw conflict(`At most ${refundable} of this payment can still be refunded`, 'REFUND_EXCEEDS_PAYMENT', { refundable_cents: refundable });
      }
      let refundId: string;
      try {
        refundId = (await this.gateway.refund(payment.id, amount, key)).refundId;
      } catch (e) {
        this.log.warn('Gateway refund failed', { paymentId: payment.id, error: e instanceof Error ? e.message : String(e) });
        throw new AppError(503, 'GATEWAY_UNAVAILABLE', 'The payment gateway did not answer; repeat the refund', undefined, { 'Retry-After': '2' });
      }
      const recorded = await this.payments.recordRefund(tx, payment, refundId, key, amount, dto.reason ?? null);
      if (!recorded) throw new Error(`refund of ${amount} did not fit payment ${payment.id} under its lock`);
      // The refund that completes the sum makes the payment REFUNDED: the order service is told, in this transaction.
      const callback: Recorded | null = recorded.payment.status === 'REFUNDED' ? await this.callbacks.enqueue(tx, recorded.payment) : null;
      return { answer: mapRefundOf(recorded.payment, recorded.refund), recorded, callback };
    });
    if (done.recorded) {
      this.metrics.refunds.inc();
      if (done.callback) this.callbacks.deliverNow([done.callback]);
      this.log.info('Payment refunded', { paymentId: dto.payment_id, refundId: done.answer.refund_id, amountCents: done.answer.amount_cents, status: done.answer.status });
    }
    return done.answer;
  }
}

/** The key of a refund asked without one: the whole of what is left, once. */
export const FULL_REFUND_KEY = 'full';

export const ORDER_CANCEL_ROUTE = 'POST /v1/orders/{orderId}/cancel';

const refundViaOrder = () =>
  new AppError(
    403,
    'REFUND_VIA_ORDER',
    `A buyer's refund goes through the order service, which voids the tickets and applies the box office rule: ${ORDER_CANCEL_ROUTE}`,
    { cancelRoute: ORDER_CANCEL_ROUTE },
  );

const notRefundable = (status: string) =>
  conflict(`A ${status} payment cannot be refunded; only a successful one can`, 'NOT_REFUNDABLE', { payment_status: status });
