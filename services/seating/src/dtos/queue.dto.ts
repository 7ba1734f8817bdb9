import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';

export const QUEUE_STATUSES = ['NOT_OPEN_YET', 'WAITING', 'ADMITTED', 'SOLD_OUT'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

/** The header a buyer of a queued event sends with POST /v1/seats/reserve. */
export const QUEUE_PASS_HEADER = 'x-queue-pass';

export class PutSaleQueueDto {
  @ApiProperty({ example: '2026-12-24T18:00:00Z', description: 'When admission starts; buyers may join before' })
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'onSaleAt must be an ISO 8601 date and time' })
  onSaleAt: string;
}

export class SaleQueueDto {
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({ example: '2026-12-24T18:00:00.000Z' }) onSaleAt: string;
  @ApiProperty({ description: 'Admission has started' }) open: boolean;
  @ApiProperty({ description: 'No seat is free: admission is paused, everyone waiting is told SOLD_OUT' }) soldOut: boolean;
  @ApiProperty({ example: 1200, description: 'Buyers waiting' }) waiting: number;
  @ApiProperty({ type: Number, nullable: true, example: 12.5, description: 'Buyers admitted per second lately (null before the first admissions)' })
  admissionRate: number | null;
  @ApiProperty({ example: 300, description: 'Buyers admitted since the queue was created' }) admittedTotal: number;
}

export class QueuePlaceDto {
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({
    enum: QUEUE_STATUSES,
    example: 'WAITING',
    description: 'NOT_OPEN_YET: before onSaleAt; WAITING; ADMITTED: reserve with `pass` (X-Queue-Pass) before passExpiresAt; SOLD_OUT: no seat is free now (you keep your place if seats come back)',
  })
  status: QueueStatus;
  @ApiProperty({
    type: 'integer',
    example: 734512,
    description: 'Your number in the line: numbers grow in order of arrival (not consecutive); the same on every refresh',
  })
  position: number;
  @ApiProperty({ example: 120, description: 'Buyers waiting before you' }) ahead: number;
  @ApiProperty({ type: Number, nullable: true, example: 10, description: 'Estimated seconds until admission: ahead ÷ the measured admission rate (null before the first admissions)' })
  etaSeconds: number | null;
  @ApiProperty({ example: '2026-12-24T18:00:00.000Z' }) onSaleAt: string;
  @ApiPropertyOptional({ example: 'eyJhbGciOiJIUzI1NiIs…', description: 'With ADMITTED: the pass to send as X-Queue-Pass with POST /v1/seats/reserve' })
  pass?: string;
  @ApiPropertyOptional({ example: '2026-12-24T18:10:00.000Z' }) passExpiresAt?: string;
}
