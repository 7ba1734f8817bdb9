import { Inject, Injectable } from '@nestjs/common';
import { AppError, JsonLogger, OutboxWorker, Principal, conflict, isAdmin } from '@etsr/platform';
import { RefundDto, RefundResponseDto, mapRefund } from '../dtos/payment.dto';
import { PAYMENT_GATEWAY, PaymentGateway } from '../gateway/payment-gateway';
import { PaymentsRepository } from '../repositories/payments.repository';
import { PaymentMetrics } from './payment-metrics';
import { PaymentsService } from './payments.service';

/**
 * Full refunds of successful payments, asked by the order service (a cancel, seats that could not
 * be allocated) or an admin. Not by the buyer: a refund of an order's payment goes through the
 * order service, which applies the box office rule (no refund once a ticket was used) and voids the
 * tickets it refunds. Idempotent: the gateway refunds a payment once whatever it is asked, and the
 * conditional SUCCESS → REFUNDED update lets one of two racing refunds record it; the other, and
 * any later repeat, gets the same answer.
 */
@Injectable()
export class RefundsService {
  private readonly log;

  constructor(
    private readonly payments: PaymentsRepository,
    private readonly reader: PaymentsService,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly outbox: OutboxWorker,
    private readonly metrics: PaymentMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(RefundsService.name);
  }

  async refund(actor: Principal, dto: RefundDto): Promise<RefundResponseDto> {
    if (actor.kind === 'user' && !isAdmin(actor)) throw refundViaOrder();
    const payment = await this.reader.require(dto.payment_id);
    if (payment.status === 'REFUNDED') return mapRefund(payment);
    if (payment.status !== 'SUCCESS') throw notRefundable(payment.status);

    let refundId: string;
    try {
      refundId = (await this.gateway.refund(payment.id, payment.amountCents)).refundId;
    } catch (e) {
      this.log.warn('Gateway refund failed', { paymentId: payment.id, error: e instanceof Error ? e.message : String(e) });
      throw new AppError(503, 'GATEWAY_UNAVAILABLE', 'The payment gateway did not answer; repeat the refund', undefined, { 'Retry-After': '2' });
    }
    const refunded = await this.payments.markRefunded(payment.id, refundId, dto.reason ?? null);
    if (refunded) {
      this.metrics.refunds.inc();
      this.outbox.deliverNow([refunded.callback]);
      this.log.info('Payment refunded', { paymentId: payment.id, orderId: payment.merchantOrderId, refundId });
      return mapRefund(refunded.payment);
    }
    // A racing refund recorded it first (same gateway refund): answer as it did.
    const now = await this.reader.require(payment.id);
    if (now.status === 'REFUNDED') return mapRefund(now);
    throw notRefundable(now.status);
  }
}

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
