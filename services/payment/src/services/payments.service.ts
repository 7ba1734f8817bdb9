import { Injectable } from '@nestjs/common';
import { assertOwnerOrAdmin, badRequest, notFound, pageOffset, Principal } from '@etsr/platform';
import { ListPaymentsQuery, OrderPaymentsDto, PaymentPageDto, PaymentResponseDto, mapPayment } from '../dtos/payment.dto';
import { parseInstant } from '../dtos/validation';
import { PaymentEntity } from '../entities/payment.entity';
import { PaymentsRepository } from '../repositories/payments.repository';

/** Reading payments: one (its owner, an admin, a platform service), all (admins), an order's (the order service). */
@Injectable()
export class PaymentsService {
  constructor(private readonly payments: PaymentsRepository) {}

  async get(actor: Principal, id: string): Promise<PaymentResponseDto> {
    const payment = await this.require(id);
    assertOwnerOrAdmin(actor, payment.userId, 'payment');
    return mapPayment(payment);
  }

  async list(query: ListPaymentsQuery): Promise<PaymentPageDto> {
    const from = query.from ? parseInstant(query.from) : undefined;
    const to = query.to ? parseInstant(query.to) : undefined;
    if (from && to && to < from) throw badRequest('to must not be before from', 'VALIDATION_FAILED');
    const { payments, total } = await this.payments.list({
      status: query.status,
      merchantOrderId: query.merchant_order_id,
      from,
      to,
      offset: pageOffset(query),
      limit: query.limit,
    });
    return { payments: payments.map(mapPayment), total_count: total, page: query.page, limit: query.limit };
  }

  async forOrder(merchantOrderId: string): Promise<OrderPaymentsDto> {
    const payments = await this.payments.listForOrder(merchantOrderId);
    return { merchant_order_id: merchantOrderId, payments: payments.map(mapPayment) };
  }

  async require(id: string): Promise<PaymentEntity> {
    const payment = await this.payments.findById(id);
    if (!payment) throw notFound('Payment not found', 'PAYMENT_NOT_FOUND');
    return payment;
  }
}
