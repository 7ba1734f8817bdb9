import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsISO8601, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { MAX_ID } from '@etsr/platform';
import { PAYMENT_METHODS, PaymentMethod } from '../config';

export const MAX_PAYMENTS_PER_IMPORT = 500;
/** History only: a PENDING payment would be picked up by recovery and settled with the gateway. */
export const IMPORT_STATUSES = ['SUCCESS', 'FAILED'] as const;

/** A payment made in another system: recorded as it ended, never charged, no callback. */
export class ImportPaymentDto {
  @ApiProperty({ example: 'etsr:payments:2', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  externalRef: string;

  @ApiProperty({ example: '3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c' })
  @IsUUID()
  merchantOrderId: string;

  @ApiProperty({ type: 'integer', example: 7 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId: number;

  @ApiProperty({ example: 61538 })
  @IsInt()
  @Min(1)
  @Max(2_000_000_000)
  amountCents: number;

  @ApiProperty({ example: 'INR' })
  @Matches(/^[A-Z]{3}$/)
  currency: string;

  @ApiProperty({ example: 'SUCCESS', enum: IMPORT_STATUSES })
  @IsIn(IMPORT_STATUSES)
  status: (typeof IMPORT_STATUSES)[number];

  @ApiProperty({ example: 'NETBANKING', enum: PAYMENT_METHODS })
  @IsIn(PAYMENT_METHODS)
  paymentMethod: PaymentMethod;

  @ApiPropertyOptional({ example: 'ETP20251003-5R6RCH', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  transactionId?: string;

  @ApiPropertyOptional({ example: 'Declined (imported history)', maxLength: 500, description: 'Required for FAILED' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  failureReason?: string;

  @ApiProperty({ example: '2024-08-19T00:55:20Z' })
  @IsISO8601({ strict: true })
  createdAt: string;
}

export class ImportPaymentsDto {
  @ApiProperty({ type: [ImportPaymentDto], maxItems: MAX_PAYMENTS_PER_IMPORT })
  @ValidateNested({ each: true })
  @Type(() => ImportPaymentDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PAYMENTS_PER_IMPORT)
  payments: ImportPaymentDto[];
}

export class ImportedPaymentDto {
  @ApiProperty({ example: 'etsr:payments:2' }) externalRef: string;
  @ApiProperty({ example: 'pay_4hJ2kq9VtX0bLm3Rr8sZwA' }) paymentId: string;
  @ApiProperty({ example: true }) created: boolean;
}

export class ImportPaymentsResultDto {
  @ApiProperty({ example: 237 }) created: number;
  @ApiProperty({ example: 0 }) present: number;
  @ApiProperty({ type: [ImportedPaymentDto] }) payments: ImportedPaymentDto[];
}
