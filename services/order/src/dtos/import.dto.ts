import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsEmail, IsIn, IsISO8601, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { MAX_ID } from '@etsr/platform';

export const MAX_ORDERS_PER_IMPORT = 200;
/** How a past order ended. Open statuses (PENDING, ALLOCATING, FAILED) would be taken up by the reconciler. */
export const IMPORT_ORDER_STATUSES = ['CONFIRMED', 'CANCELLED', 'REFUNDED'] as const;
const MAX_CENTS = 2_000_000_000;

export class ImportOrderItemDto {
  @ApiProperty({ type: 'integer', example: 5012 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  seatId: number;

  @ApiProperty({ example: 'VIP-3-12' })
  @IsString()
  @Length(1, 50)
  seatCode: string;

  @ApiProperty({ example: 58608 })
  @IsInt()
  @Min(0)
  @Max(MAX_CENTS)
  priceCents: number;
}

/** A past order, as it ended. A CONFIRMED one gets a ticket per item, signed here. */
export class ImportOrderDto {
  @ApiProperty({ example: '3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c', description: 'Chosen by the importer (derived from externalRef), so seating and payment can refer to it first' })
  @IsUUID()
  orderId: string;

  @ApiProperty({ example: 'etsr:orders:2', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  externalRef: string;

  @ApiProperty({ type: 'integer', example: 7 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId: number;

  @ApiPropertyOptional({ example: 'user2337@mail.com' })
  @IsOptional()
  @IsEmail()
  customerEmail?: string;

  @ApiProperty({ type: 'integer', example: 22 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  eventId: number;

  @ApiPropertyOptional({ example: 'Concert #291' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  eventName?: string;

  @ApiProperty({ example: 'CONFIRMED', enum: IMPORT_ORDER_STATUSES })
  @IsIn(IMPORT_ORDER_STATUSES)
  status: (typeof IMPORT_ORDER_STATUSES)[number];

  @ApiProperty({ example: 58608 }) @IsInt() @Min(0) @Max(MAX_CENTS) subtotalCents: number;
  @ApiProperty({ example: 2930 }) @IsInt() @Min(0) @Max(MAX_CENTS) taxCents: number;
  @ApiProperty({ example: 61538 }) @IsInt() @Min(0) @Max(MAX_CENTS) totalCents: number;

  @ApiProperty({ example: 'INR' })
  @Matches(/^[A-Z]{3}$/)
  currency: string;

  @ApiPropertyOptional({ example: 'pay_4hJ2kq9VtX0bLm3Rr8sZwA' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  paymentId?: string;

  @ApiPropertyOptional({ example: 'Payment failed' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  failureReason?: string;

  @ApiProperty({ example: '2024-08-19T00:39:20Z' })
  @IsISO8601({ strict: true })
  createdAt: string;

  @ApiProperty({ type: [ImportOrderItemDto] })
  @ValidateNested({ each: true })
  @Type(() => ImportOrderItemDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  items: ImportOrderItemDto[];
}

export class ImportOrdersDto {
  @ApiProperty({ type: [ImportOrderDto], maxItems: MAX_ORDERS_PER_IMPORT })
  @ValidateNested({ each: true })
  @Type(() => ImportOrderDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDERS_PER_IMPORT)
  orders: ImportOrderDto[];
}

export class ImportedOrderDto {
  @ApiProperty({ example: 'etsr:orders:2' }) externalRef: string;
  @ApiProperty({ example: '3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c' }) orderId: string;
  @ApiProperty({ example: true }) created: boolean;
  @ApiProperty({ example: 2, description: 'Tickets issued by this call' }) ticketsIssued: number;
}

export class ImportOrdersResultDto {
  @ApiProperty({ example: 237 }) created: number;
  @ApiProperty({ example: 0 }) present: number;
  @ApiProperty({ example: 540 }) ticketsIssued: number;
  @ApiProperty({ type: [ImportedOrderDto] }) orders: ImportedOrderDto[];
}
