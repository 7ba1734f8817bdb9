import { Inject, Injectable } from '@nestjs/common';
import { AppError, JsonLogger, OutboxWorker, Principal, assertOwnerOrAdmin, conflict } from '@etsr/platform';
import { RefundDto, RefundResponseDto, mapRefund } from '../dtos/payment.dto';
import { PAYMENT_GATEWAY, PaymentGateway } from '../gateway/payment-gateway';
import { PaymentsRepository } from '../repositories/payments.repository';
import { PaymentMetrics } from './payment-metrics';
import { PaymentsService } from './payments.service';

/**
 * Full refunds of successful payments (the owner, an admin, or the order service when seats could
 * not be allocated). Idempotent: the gateway refunds a payment once whatever it is asked, and the
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
    const payment = await this.reader.require(dto.payment_id);
    assertOwnerOrAdmin(actor, payment.userId, 'payment');
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

const notRefundable = (status: string) =>
  conflict(`A ${status} payment cannot be refunded; only a successful one can`, 'NOT_REFUNDABLE', { payment_status: status });
