import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { MAX_ID, PageQuery, badRequest } from '@etsr/platform';
import { Order } from '../repositories/orders.repository';

const RESERVATION_ID = /^res_[A-Za-z0-9_-]{1,36}$/;

/**
 * The body in snake_case (user_id, event_id, reservation_id, seats) or camelCase (userId,
 * eventId, reservationId): both are documented and accepted (docs/api.md#bodies).
 */
export class CreateOrderDto {
  @ApiPropertyOptional({ type: 'integer', example: 2, description: "The caller's own id (or leave it out)" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  user_id?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  event_id?: number;

  @ApiPropertyOptional({ example: 'res_abc123xyz' })
  @IsOptional()
  @IsString()
  @Matches(RESERVATION_ID, { message: 'reservation_id is not a reservation id' })
  reservation_id?: string;

  @ApiPropertyOptional({ type: 'integer', isArray: true, minItems: 1, maxItems: 10, example: [101, 102, 103], description: 'Optional check: must be the seats of the reservation' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  seats?: number[];

  @ApiPropertyOptional({ type: 'integer', example: 2, description: 'camelCase spelling of user_id' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1, description: 'camelCase spelling of event_id' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  eventId?: number;

  @ApiPropertyOptional({ example: 'res_abc123xyz', description: 'camelCase spelling of reservation_id' })
  @IsOptional()
  @IsString()
  @Matches(RESERVATION_ID, { message: 'reservationId is not a reservation id' })
  reservationId?: string;

  /** One spelling per field, and the required ones present. */
  normalized(): { userId?: number; eventId: number; reservationId: string; seats?: number[] } {
    const pick = <T>(snake: T | undefined, camel: T | undefined, name: string): T | undefined => {
      if (snake !== undefined && camel !== undefined) throw badRequest(`Give ${name} once (snake_case or camelCase)`, 'VALIDATION_FAILED');
      return snake ?? camel;
    };
    const eventId = pick(this.event_id, this.eventId, 'event_id');
    const reservationId = pick(this.reservation_id, this.reservationId, 'reservation_id');
    if (eventId === undefined) throw badRequest('event_id is required', 'VALIDATION_FAILED');
    if (reservationId === undefined) throw badRequest('reservation_id is required', 'VALIDATION_FAILED');
    const userId = pick(this.user_id, this.userId, 'user_id');
    return { ...(userId !== undefined ? { userId } : {}), eventId, reservationId, ...(this.seats ? { seats: this.seats } : {}) };
  }
}

/** The body of POST /v1/orders/{id}/cancel, which may be empty. */
export class CancelOrderDto {
  @ApiPropertyOptional({
    example: 'Event moved; the buyer cannot attend',
    description: 'Why an admin refunds an order whose tickets were already used at the door (required then; the refund carries it)',
  })
  @IsOptional()
  @IsString()
  @Length(3, 500)
  reason?: string;
}

export class RefundUnusedDto {
  @ApiProperty({ example: 'Two of the party could not come; the box office refunds their seats', description: 'Why (required: 400 REASON_REQUIRED without); the refund carries it' })
  @IsOptional()
  @IsString()
  @Length(3, 500)
  reason?: string;
}

export class OrderItemDto {
  @ApiProperty({ type: 'integer', example: 101 }) seatId: number;
  @ApiProperty({ example: 'PREMIUM-F-1' }) seatCode: string;
  @ApiProperty({ example: 10000 }) priceCents: number;
}

export class OrderDto {
  @ApiProperty({ example: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9' }) orderId: string;
  @ApiProperty({ example: 'PENDING', enum: ['PENDING', 'ALLOCATING', 'CONFIRMED', 'FAILED', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED'] }) status: string;
  @ApiProperty({ type: 'integer', example: 2 }) userId: number;
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({ example: 'res_abc123xyz' }) reservationId: string;
  @ApiProperty({ type: [OrderItemDto] }) items: OrderItemDto[];
  @ApiProperty({ example: 30000 }) subtotalCents: number;
  @ApiProperty({ example: 3000 }) taxCents: number;
  @ApiProperty({ example: 33000 }) totalCents: number;
  @ApiProperty({ example: 'INR' }) currency: string;
  @ApiPropertyOptional({ type: String, example: 'pay_xyz789abc', nullable: true }) paymentId: string | null;
  @ApiProperty({ example: '2025-11-09T11:05:00Z', description: 'The seats are held for this order until then' }) holdExpiresAt: string;
  @ApiPropertyOptional({ type: String, example: null, nullable: true }) failureReason: string | null;
  @ApiProperty({ example: '2025-11-09T10:50:00Z' }) createdAt: string;
  @ApiProperty({ example: '2025-11-09T11:00:05Z' }) updatedAt: string;
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderDto] }) orders: OrderDto[];
  @ApiProperty({ example: 3 }) totalCount: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 20 }) limit: number;
}

export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ type: 'integer', example: 2, description: 'Whose orders (your own by default; any for an admin)' })
  @IsOptional()
  // A query string is text: without this, ?userId=2 never passed validation.
  @Transform(({ value }) => (typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId?: number;
}

export function mapOrder(o: Order): OrderDto {
  return {
    orderId: o.id,
    status: o.status,
    userId: o.userId,
    eventId: o.eventId,
    reservationId: o.reservationId,
    items: o.items,
    subtotalCents: o.subtotalCents,
    taxCents: o.taxCents,
    totalCents: o.totalCents,
    currency: o.currency,
    paymentId: o.paymentId,
    holdExpiresAt: o.holdExpiresAt.toISOString(),
    failureReason: o.failureReason,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

/** The answer to an admin's refund of the unused tickets of an order. */
export class RefundUnusedResultDto {
  @ApiProperty({ type: () => OrderDto, description: 'The order, now PARTIALLY_REFUNDED' }) order: OrderDto;
  @ApiProperty({ example: ['TCK-239FQZ5ZX5T6DTCMNF92'], description: 'The tickets voided and refunded (unused); the used ones stay valid' }) voidedTickets: string[];
  @ApiProperty({ example: 11000, description: "What is refunded: the voided seats' prices with their share of the tax" }) refundCents: number;
}
