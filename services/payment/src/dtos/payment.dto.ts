import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '@etsr/platform';
import { Transform, Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_AMOUNT_CENTS, PAYMENT_METHODS, PaymentMethod } from '../config';
import { PaymentRefundEntity } from '../entities/payment-refund.entity';
import { PAYMENT_STATUSES, PaymentEntity, PaymentStatus } from '../entities/payment.entity';
import { E164_PATTERN, IsInstant, PAYMENT_ID_PATTERN, lower, trim } from './validation';

// ---------------------------------------------------------------------------------------------
// Requests

export class CustomerDetailsDto {
  @ApiPropertyOptional({ example: 'john@example.com', maxLength: 254 })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'customer_details.email must be a valid e-mail address' })
  email?: string;

  @ApiPropertyOptional({ example: '+1234567890', description: 'E.164 format' })
  @IsOptional()
  @IsString()
  @Matches(E164_PATTERN, { message: 'customer_details.phone must be in E.164 format, e.g. +1234567890' })
  phone?: string;
}

/**
 * A charge pays an order of the order service, so its merchant_order_id is that order's id: the
 * refusal of any other value says where one comes from.
 */
export const CHARGE_ORDER_ID_MESSAGE =
  'merchant_order_id must be an order id (a UUID, the "orderId" that POST /v1/orders answers): create the order for your seat hold first, then pay its totalCents';

/** The body of POST /v1/charge. */
export class ChargeDto {
  @ApiProperty({ example: 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3', format: 'uuid', description: 'The order to pay (its id, as POST /v1/orders returned it)' })
  @Transform(lower)
  @IsUUID(undefined, { message: CHARGE_ORDER_ID_MESSAGE })
  merchant_order_id: string;

  @ApiProperty({ example: 45000, minimum: 1, maximum: MAX_AMOUNT_CENTS, description: "Must equal the order's total" })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_CENTS)
  amount_cents: number;

  @ApiPropertyOptional({ example: 'INR', default: 'INR', pattern: '^[A-Z]{3}$', description: "ISO 4217, upper case; must be the order's currency" })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be three upper-case letters, e.g. INR' })
  currency: string = 'INR';

  @ApiProperty({
    example: 'UPI',
    enum: PAYMENT_METHODS,
    description: 'TEST_DECLINE is declined by the simulated gateway. May be left out only when repeating a request with its Idempotency-Key (it is then the first one\'s).',
  })
  @IsOptional()
  @IsIn(PAYMENT_METHODS)
  payment_method?: PaymentMethod;

  @ApiPropertyOptional({ type: CustomerDetailsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CustomerDetailsDto)
  customer_details?: CustomerDetailsDto;
}

/** The body of POST /v1/refund. */
export class RefundDto {
  @ApiProperty({ example: 'pay_xyz789abc' })
  @IsString()
  @Matches(PAYMENT_ID_PATTERN, { message: 'payment_id is not a payment id (pay_...)' })
  payment_id: string;

  @ApiPropertyOptional({ example: 'Event cancelled', maxLength: 500 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  reason?: string;

  @ApiPropertyOptional({
    example: 11000,
    description: 'A partial refund of this many minor units, at most what is left to refund; needs refund_key. Without it: everything left.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_CENTS)
  amount_cents?: number;

  @ApiPropertyOptional({
    example: 'unused-tickets-3f9a0c1d',
    maxLength: 100,
    description: 'Names the refund within its payment: the same key again is the same refund (answered again, nothing more refunded). Default "full".',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'refund_key must be 1-100 of A-Z a-z 0-9 _ . : -' })
  refund_key?: string;
}

/** Filters of GET /v1/payments (admin); all optional, combined with AND. */
export class ListPaymentsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'SUCCESS', enum: PAYMENT_STATUSES })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  status?: PaymentStatus;

  @ApiPropertyOptional({ example: 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3', format: 'uuid' })
  @IsOptional()
  @Transform(lower)
  @IsUUID(undefined, { message: 'merchant_order_id must be an order id (a UUID)' })
  merchant_order_id?: string;

  @ApiPropertyOptional({ example: '2025-11-09T00:00:00Z', description: 'Created at or after (ISO 8601 date or date-time)' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2025-11-10T00:00:00Z', description: 'Created before (ISO 8601 date or date-time); not before from' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

export class OrderPaymentsQuery {
  @ApiProperty({ example: 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3', format: 'uuid' })
  @Transform(lower)
  @IsUUID(undefined, { message: 'merchant_order_id must be an order id (a UUID)' })
  merchant_order_id: string;
}

// ---------------------------------------------------------------------------------------------
// Responses

export class ChargeResponseDto {
  @ApiProperty({ example: 'pay_xyz789abc' }) payment_id: string;
  @ApiProperty({ example: 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3' }) merchant_order_id: string;
  @ApiProperty({ example: 45000 }) amount_cents: number;
  @ApiProperty({ example: 'INR' }) currency: string;
  @ApiProperty({ example: 'SUCCESS', enum: PAYMENT_STATUSES }) status: PaymentStatus;
  @ApiProperty({ example: 'UPI', enum: PAYMENT_METHODS }) payment_method: PaymentMethod;
  @ApiProperty({ example: 'txn_upi_123456789', nullable: true, type: String, description: 'null when declined' }) transaction_id: string | null;
  @ApiProperty({ example: 'order_abc123_payment_001' }) idempotency_key: string;
  @ApiProperty({ example: '2025-11-09T10:55:00.000Z' }) created_at: string;
  @ApiPropertyOptional({ example: 'Card declined', description: 'Only when status is FAILED' }) failure_reason?: string;
}

export class PaymentResponseDto {
  @ApiProperty({ example: 'pay_xyz789abc' }) payment_id: string;
  @ApiProperty({ example: 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3' }) merchant_order_id: string;
  @ApiProperty({ example: 45000 }) amount_cents: number;
  @ApiProperty({ example: 'INR' }) currency: string;
  @ApiProperty({ example: 'SUCCESS', enum: PAYMENT_STATUSES }) status: PaymentStatus;
  @ApiProperty({ example: 'UPI', enum: PAYMENT_METHODS }) payment_method: PaymentMethod;
  @ApiProperty({ example: 'txn_upi_123456789', nullable: true, type: String }) transaction_id: string | null;
  @ApiProperty({ example: '2025-11-09T10:55:00.000Z' }) created_at: string;
  @ApiProperty({ example: '2025-11-09T10:55:05.000Z' }) updated_at: string;
  @ApiPropertyOptional({ example: 'Card declined', description: 'Only when status is FAILED' }) failure_reason?: string;
  @ApiPropertyOptional({ example: 11000, description: 'Only when part of a SUCCESS payment was refunded: the sum of its refunds so far' }) refunded_cents?: number;
  @ApiPropertyOptional({ example: 'ref_abc123xyz', description: 'Only when status is REFUNDED' }) refund_id?: string;
  @ApiPropertyOptional({ example: '2025-11-09T11:30:00.000Z', description: 'Only when status is REFUNDED' }) refunded_at?: string;
}

export class PaymentPageDto {
  @ApiProperty({ type: [PaymentResponseDto] }) payments: PaymentResponseDto[];
  @ApiProperty({ example: 42 }) total_count: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 20 }) limit: number;
}

export class OrderPaymentsDto {
  @ApiProperty({ example: 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3' }) merchant_order_id: string;
  @ApiProperty({ type: [PaymentResponseDto], description: 'Newest first' }) payments: PaymentResponseDto[];
}

export class RefundResponseDto {
  @ApiProperty({ example: 'ref_abc123xyz' }) refund_id: string;
  @ApiProperty({ example: 'pay_xyz789abc' }) payment_id: string;
  @ApiProperty({ example: 45000, description: 'What this refund gave back' }) amount_cents: number;
  @ApiProperty({ example: 'INR' }) currency: string;
  @ApiProperty({ example: 'REFUNDED', enum: ['REFUNDED', 'PARTIALLY_REFUNDED'], description: 'REFUNDED once the whole payment is refunded' })
  status: 'REFUNDED' | 'PARTIALLY_REFUNDED';
  @ApiProperty({ example: '2025-11-09T11:30:00.000Z' }) refunded_at: string;
}

// ---------------------------------------------------------------------------------------------
// Mappers: entities never leave the service as they are.

/** The answer to a charge; stored and replayed as it is. */
export function mapCharge(p: PaymentEntity): ChargeResponseDto {
  return {
    payment_id: p.id,
    merchant_order_id: p.merchantOrderId,
    amount_cents: p.amountCents,
    currency: p.currency,
    status: p.status,
    payment_method: p.paymentMethod,
    transaction_id: p.transactionId,
    idempotency_key: p.idempotencyKey,
    created_at: p.createdAt.toISOString(),
    ...(p.status === 'FAILED' ? { failure_reason: p.failureReason ?? 'Payment failed' } : {}),
  };
}

/** A payment as GET /v1/payments/{id} shows it. */
export function mapPayment(p: PaymentEntity): PaymentResponseDto {
  return {
    payment_id: p.id,
    merchant_order_id: p.merchantOrderId,
    amount_cents: p.amountCents,
    currency: p.currency,
    status: p.status,
    payment_method: p.paymentMethod,
    transaction_id: p.transactionId,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    ...(p.status === 'FAILED' ? { failure_reason: p.failureReason ?? 'Payment failed' } : {}),
    ...(p.status === 'SUCCESS' && p.refundedCents > 0 ? { refunded_cents: p.refundedCents } : {}),
    ...(p.status === 'REFUNDED' && p.refundId && p.refundedAt ? { refund_id: p.refundId, refunded_at: p.refundedAt.toISOString() } : {}),
  };
}

/** The answer to one refund of a payment (its row of payment_refunds); the same for the refund asked again. */
export function mapRefundOf(p: PaymentEntity, r: PaymentRefundEntity): RefundResponseDto {
  return {
    refund_id: r.id,
    payment_id: p.id,
    amount_cents: r.amountCents,
    currency: p.currency,
    status: p.refundedCents >= p.amountCents ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
    refunded_at: r.createdAt.toISOString(),
  };
}

/** The answer to a refund of a payment refunded before refunds had rows of their own. */
export function mapRefund(p: PaymentEntity): RefundResponseDto {
  if (p.status !== 'REFUNDED' || !p.refundId || !p.refundedAt) throw new Error(`payment ${p.id} is not refunded`);
  return {
    refund_id: p.refundId,
    payment_id: p.id,
    amount_cents: p.amountCents,
    currency: p.currency,
    status: 'REFUNDED',
    refunded_at: p.refundedAt.toISOString(),
  };
}
