import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';

/** The payment service's signed callback (docs/api.md#payment-callback-signature), with what it adds. */
export class PaymentCallbackDto {
  @ApiProperty({ example: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9' })
  @IsUUID()
  order_id: string;

  @ApiProperty({ example: 'pay_xyz789abc' })
  @IsString()
  @MaxLength(64)
  payment_id: string;

  @ApiProperty({ example: 'SUCCESS', enum: ['SUCCESS', 'FAILED', 'REFUNDED'] })
  @IsIn(['SUCCESS', 'FAILED', 'REFUNDED'])
  status: 'SUCCESS' | 'FAILED' | 'REFUNDED';

  @ApiPropertyOptional({ type: String, example: 'txn_upi_123456789' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  transaction_id?: string | null;

  @ApiPropertyOptional({ example: 33000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  amount_cents?: number;

  @ApiPropertyOptional({ example: 'INR' })
  @IsOptional()
  @IsString()
  @MaxLength(3)
  currency?: string;

  @ApiPropertyOptional({ type: String, example: 'Card declined' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  failure_reason?: string | null;

  @ApiPropertyOptional({ type: String, example: 'ref_abc123xyz' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  refund_id?: string | null;

  @ApiPropertyOptional({ example: 'pay_xyz789abc:SUCCESS' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  event_id?: string;
}
