import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID } from '@etsr/platform';
import { MAX_SEATS_PER_REQUEST } from '../config';
import { ReservationEntity } from '../entities/reservation.entity';
import { HeldSeat } from '../repositories/reservations.repository';

export const RESERVATION_ID_PATTERN = /^res_[A-Za-z0-9_-]{1,36}$/;

export class ReserveSeatsDto {
  @ApiProperty({ type: 'integer', example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  eventId: number;

  @ApiPropertyOptional({ type: 'integer', isArray: true, example: [45, 46, 47], description: `Exact seats (1 to ${MAX_SEATS_PER_REQUEST}); or give quantity for the best available` })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SEATS_PER_REQUEST)
  @ArrayUnique({ message: 'seatIds must not repeat a seat' })
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  seatIds?: number[];

  @ApiPropertyOptional({ example: 2, minimum: 1, maximum: MAX_SEATS_PER_REQUEST, description: 'Best available: this many adjacent seats in one row' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SEATS_PER_REQUEST)
  quantity?: number;

  @ApiPropertyOptional({ example: 'VIP', description: 'With quantity: only this section' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  section?: string;

  @ApiPropertyOptional({ type: 'integer', example: 1, description: "Must be the caller's own id when given" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId?: number;
}

export class AllocateSeatsDto {
  @ApiProperty({ example: 'res_abc123xyz' })
  @IsString()
  @Matches(RESERVATION_ID_PATTERN, { message: 'reservationId is not a reservation id' })
  reservationId: string;

  @ApiProperty({ example: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9' })
  @IsUUID()
  orderId: string;
}

export class ReleaseSeatsDto {
  @ApiPropertyOptional({ example: 'res_abc123xyz', description: 'Give reservationId or orderId' })
  @IsOptional()
  @IsString()
  @Matches(RESERVATION_ID_PATTERN, { message: 'reservationId is not a reservation id' })
  reservationId?: string;

  @ApiPropertyOptional({ example: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9' })
  @IsOptional()
  @IsUUID()
  orderId?: string;
}

export class HoldForOrderDto {
  @ApiProperty({ example: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9' })
  @IsUUID()
  orderId: string;

  @ApiPropertyOptional({ example: 600, description: 'Keep the hold at least this long from now (capped by the service)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3600)
  extendSeconds?: number;
}

export class ReservedSeatDto {
  @ApiProperty({ type: 'integer', example: 45 }) seatId: number;
  @ApiProperty({ example: 'VIP' }) section: string;
  @ApiProperty({ example: 'A' }) row: string;
  @ApiProperty({ example: '12' }) number: string;
  @ApiProperty({ example: 150.0 }) price: number;
}

export class ReservationDto {
  @ApiProperty({ example: 'res_abc123xyz' }) reservationId: string;
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({ type: 'integer', example: 1 }) userId: number;
  @ApiProperty({ type: [ReservedSeatDto] }) seats: ReservedSeatDto[];
  @ApiProperty({ example: 450.0 }) totalAmount: number;
  @ApiProperty({ example: 'RESERVED', enum: ['RESERVED', 'ALLOCATED', 'RELEASED', 'EXPIRED'] }) status: string;
  @ApiProperty({ example: '2025-11-09T11:00:00Z' }) expiresAt: string;
  @ApiProperty({ example: 900, description: 'Seconds until the hold expires (0 once it has)' }) ttlSeconds: number;
  @ApiPropertyOptional({ type: String, example: null, nullable: true, description: 'The order paying for this hold' }) orderId: string | null;
}

export function mapReservation(r: ReservationEntity, seats: HeldSeat[], now = Date.now()): ReservationDto {
  return {
    reservationId: r.id,
    eventId: r.eventId,
    userId: r.userId,
    seats: seats.map((s) => ({ seatId: s.seatId, section: s.section, row: s.rowLabel, number: String(s.seatNumber), price: s.price })),
    totalAmount: r.totalAmount,
    status: r.status,
    expiresAt: r.expiresAt.toISOString(),
    ttlSeconds: r.status === 'RESERVED' ? Math.max(0, Math.round((r.expiresAt.getTime() - now) / 1000)) : 0,
    orderId: r.orderId,
  };
}
