import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID, SEAT_LAYOUT_MODELS, SeatLayoutSections, SectionDto } from '@etsr/platform';
import { SectionCounts, SeatRow } from '../repositories/seats.repository';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value);
// The sections' shapes and rules are shared with the catalog's POST /v1/events (seat_layout).
export { BOTH_FORMS, MAX_ROWS_PER_SECTION, MAX_SEATS_PER_ROW, ROW_LABEL_PATTERN, RowLayoutDto, SECTION_PATTERN, SectionLayoutDto, ShapedSectionDto } from '@etsr/platform';
export type { SectionDto };

@ApiExtraModels(...SEAT_LAYOUT_MODELS)
export class BulkCreateSeatsDto {
  @ApiProperty({ type: 'integer', example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  eventId: number;

  @ApiPropertyOptional({ type: 'integer', example: 1, description: 'Taken from the catalog when it is configured; required otherwise' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  venueId?: number;

  @SeatLayoutSections()
  sections: SectionDto[];
}

/** The live feed's query: which event. */
export class SeatStreamQuery {
  @ApiProperty({ type: 'integer', example: 1 })
  @Transform(toInt)
  @IsInt({ message: 'eventId must be a positive integer' })
  @Min(1)
  @Max(MAX_ID)
  eventId: number;
}

/** Seat map and availability: an event, optionally one section of it. */
export class EventSeatsQuery extends SeatStreamQuery {
  @ApiPropertyOptional({ example: 'VIP' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  section?: string;
}


export class SectionAvailabilityDto {
  @ApiProperty({ example: 'VIP' }) section: string;
  @ApiProperty({ example: 100 }) totalSeats: number;
  @ApiProperty({ example: 45 }) availableSeats: number;
  @ApiProperty({ example: 40 }) reservedSeats: number;
  @ApiProperty({ example: 15 }) allocatedSeats: number;
  @ApiProperty({ example: 0 }) blockedSeats: number;
  @ApiProperty({ example: 150.0 }) price: number;
}

export class AvailabilityDto {
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({ example: 1000 }) totalSeats: number;
  @ApiProperty({ example: 847 }) availableSeats: number;
  @ApiProperty({ example: 123 }) reservedSeats: number;
  @ApiProperty({ example: 30 }) allocatedSeats: number;
  @ApiProperty({ example: 0 }) blockedSeats: number;
  @ApiProperty({ type: [SectionAvailabilityDto] }) seatsBySection: SectionAvailabilityDto[];
}

export class SeatDto {
  @ApiProperty({ type: 'integer', example: 45 }) seatId: number;
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({ type: 'integer', example: 1 }) venueId: number;
  @ApiProperty({ example: 'VIP' }) section: string;
  @ApiProperty({ example: 'A' }) row: string;
  @ApiProperty({ example: '12' }) number: string;
  @ApiProperty({ example: 150.0 }) price: number;
  @ApiProperty({ example: 'AVAILABLE', enum: ['AVAILABLE', 'RESERVED', 'ALLOCATED', 'BLOCKED'] }) status: string;
  @ApiProperty({ example: { x: 2.5, y: 0 }, description: 'x: offset from the row centre; y: row from the front' })
  position: { x: number; y: number };
}

export class SeatMapRowDto {
  @ApiProperty({ example: 'A' }) row: string;
  @ApiProperty({ example: 0, description: 'Row position from the front' }) y: number;
  @ApiProperty({
    type: 'array',
    // A tuple per seat [seatId, number, status, x]; OpenAPI 3.0 has no tuples, hence four items of either type.
    items: { type: 'array', minItems: 4, maxItems: 4, items: { oneOf: [{ type: 'number' }, { type: 'string' }] } },
    example: [[45, '12', 'AVAILABLE', 2.5]],
    description: 'One array per seat, in the order of seatFields',
  })
  seats: [number, string, string, number][];
}

export class SeatMapSectionDto {
  @ApiProperty({ example: 'VIP' }) section: string;
  @ApiProperty({ example: 150.0 }) price: number;
  @ApiProperty({ type: [SeatMapRowDto] }) rows: SeatMapRowDto[];
}

export class SeatMapDto {
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({ example: 1000 }) totalSeats: number;
  @ApiProperty({ example: ['seatId', 'number', 'status', 'x'] }) seatFields: string[];
  @ApiProperty({ type: [SeatMapSectionDto] }) sections: SeatMapSectionDto[];
}

export class EventAvailabilityDto {
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({ example: 1000 }) totalSeats: number;
  @ApiProperty({ example: 847 }) availableSeats: number;
  @ApiProperty({ example: 123 }) reservedSeats: number;
  @ApiProperty({ example: 30 }) allocatedSeats: number;
  @ApiProperty({ example: 0 }) blockedSeats: number;
}

export class AvailabilityChangesDto {
  @ApiProperty({ example: '2026-11-21T06:00:00.000Z', description: 'Ask again with changedSince set to this (minus a little overlap)' })
  asOf: string;
  @ApiProperty({ type: [EventAvailabilityDto] }) events: EventAvailabilityDto[];
}

export class ChangesQuery {
  @ApiPropertyOptional({ example: '2026-11-21T06:00:00.000Z', description: 'Only events changed since then; all events without it' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'changedSince must be an ISO 8601 date-time' })
  changedSince?: string;
}

export class SeatPlanDto {
  @ApiProperty({ type: 'integer', example: 1 }) eventId: number;
  @ApiProperty({ example: 1000 }) totalSeats: number;
  @ApiProperty({ example: 1000, description: '0 when the same layout had been created before' }) created: number;
}

export function mapAvailability(eventId: number, sections: SectionCounts[]): AvailabilityDto {
  const sum = (f: (s: SectionCounts) => number) => sections.reduce((n, s) => n + f(s), 0);
  return {
    eventId,
    totalSeats: sum((s) => s.total),
    availableSeats: sum((s) => s.available),
    reservedSeats: sum((s) => s.reserved),
    allocatedSeats: sum((s) => s.allocated),
    blockedSeats: sum((s) => s.blocked),
    seatsBySection: sections.map((s) => ({
      section: s.section,
      totalSeats: s.total,
      availableSeats: s.available,
      reservedSeats: s.reserved,
      allocatedSeats: s.allocated,
      blockedSeats: s.blocked,
      price: s.price,
    })),
  };
}

export function mapSeat(seat: SeatRow): SeatDto {
  return {
    seatId: seat.seatId,
    eventId: seat.eventId,
    venueId: seat.venueId,
    section: seat.section,
    row: seat.rowLabel,
    number: String(seat.seatNumber),
    price: seat.price,
    status: seat.status,
    position: { x: seat.posX, y: seat.rowIndex },
  };
}

/** Seats grouped by section and row, each seat a short tuple: 20,000 seats stay well under a megabyte. */
export function mapSeatMap(eventId: number, seats: Pick<SeatRow, 'seatId' | 'section' | 'rowLabel' | 'seatNumber' | 'status' | 'price' | 'rowIndex' | 'posX'>[]): SeatMapDto {
  const sections = new Map<string, SeatMapSectionDto>();
  for (const seat of seats) {
    let section = sections.get(seat.section);
    if (!section) sections.set(seat.section, (section = { section: seat.section, price: seat.price, rows: [] }));
    let row = section.rows[section.rows.length - 1];
    if (!row || row.row !== seat.rowLabel) section.rows.push((row = { row: seat.rowLabel, y: seat.rowIndex, seats: [] }));
    row.seats.push([seat.seatId, String(seat.seatNumber), seat.status, seat.posX]);
  }
  return { eventId, totalSeats: seats.length, seatFields: ['seatId', 'number', 'status', 'x'], sections: [...sections.values()] };
}
