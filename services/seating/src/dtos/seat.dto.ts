import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform, TransformFnParams, Type, plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import { IsDecimal, IsOptionalNotNull, MAX_ID } from '@etsr/platform';
import { SectionCounts, SeatRow } from '../repositories/seats.repository';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value);
export const SECTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,19}$/;

export const ROW_LABEL_PATTERN = /^[A-Za-z0-9]{1,10}$/;
export const MAX_ROWS_PER_SECTION = 200;
export const MAX_SEATS_PER_ROW = 500;
const BOTH_FORMS = 'a section is either {name, price, rows: <number of rows>, seatsPerRow} or {name, price, rows: [{seats, label?, aisles?}, ...]}';

/** A rectangular section: `rows` rows of `seatsPerRow` seats each. */
export class SectionLayoutDto {
  @ApiProperty({ example: 'VIP', description: 'Sections are listed front to back', pattern: SECTION_PATTERN.source })
  @IsString()
  @Matches(SECTION_PATTERN, { message: 'name must be 1 to 20 letters, digits, spaces, _ or -' })
  name: string;

  @ApiProperty({ example: 5, minimum: 1, maximum: MAX_ROWS_PER_SECTION, description: 'Number of rows, labelled across the venue A, B, …' })
  @IsInt({ message: `rows must be a whole number of rows (${BOTH_FORMS})` })
  @Min(1)
  @Max(MAX_ROWS_PER_SECTION)
  rows: number;

  @ApiProperty({ example: 20, minimum: 1, maximum: MAX_SEATS_PER_ROW })
  @IsInt()
  @Min(1)
  @Max(MAX_SEATS_PER_ROW)
  seatsPerRow: number;

  @ApiProperty({ example: 150.0, minimum: 0, maximum: 1000000 })
  @IsDecimal(2)
  @Min(0)
  @Max(1_000_000)
  price: number;
}

/** Aisle positions of a row: seat numbers in increasing order, each with seats on both sides of it. */
function IsAisles(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAisles',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          if (!Array.isArray(value)) return false;
          const seats = (args?.object as { seats?: unknown }).seats;
          const highest = Number.isInteger(seats) ? (seats as number) - 1 : Infinity;
          return value.every((n, i) => Number.isInteger(n) && n >= 1 && n <= highest && (i === 0 || n > value[i - 1]));
        },
        defaultMessage: (args?: ValidationArguments) => {
          const seats = (args?.object as { seats?: unknown }).seats;
          if (!Array.isArray(args?.value)) return 'aisles must be a list of seat numbers';
          if (seats === 1) return 'aisles must be empty in a row of one seat';
          return `aisles must be seat numbers in increasing order, each between 1 and ${Number.isInteger(seats) ? Number(seats) - 1 : 'seats - 1'} (an aisle after seat n lies between seats n and n + 1)`;
        },
      },
    },
    options,
  );
}

/** One row of a shaped section, listed one by one. */
export class RowLayoutDto {
  @ApiPropertyOptional({
    example: 'AA',
    pattern: ROW_LABEL_PATTERN.source,
    description: 'Unique across the venue; without it the row is labelled by its place in the venue (A, B, …)',
  })
  @IsOptionalNotNull()
  @IsString()
  @Matches(ROW_LABEL_PATTERN, { message: 'label must be 1 to 10 letters or digits' })
  label?: string;

  @ApiProperty({ example: 24, minimum: 1, maximum: MAX_SEATS_PER_ROW, description: 'Seats in the row, numbered from 1' })
  @IsInt()
  @Min(1)
  @Max(MAX_SEATS_PER_ROW)
  seats: number;

  @ApiPropertyOptional({
    example: [8, 16],
    type: [Number],
    description: 'Seat numbers after which an aisle splits the row; a block of seats never spans an aisle',
  })
  @IsOptionalNotNull()
  @IsAisles()
  aisles?: number[];
}

/** A section whose rows are listed one by one: different lengths, aisles, own labels. */
export class ShapedSectionDto {
  @ApiProperty({ example: 'STALLS', description: 'Sections are listed front to back', pattern: SECTION_PATTERN.source })
  @IsString()
  @Matches(SECTION_PATTERN, { message: 'name must be 1 to 20 letters, digits, spaces, _ or -' })
  name: string;

  @ApiProperty({
    type: [RowLayoutDto],
    minItems: 1,
    maxItems: MAX_ROWS_PER_SECTION,
    description: 'Front to back',
    example: [{ seats: 12 }, { seats: 14, aisles: [7] }, { label: 'AA', seats: 18, aisles: [4, 14] }],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROWS_PER_SECTION)
  @ValidateNested({ each: true })
  @Type(() => RowLayoutDto)
  rows: RowLayoutDto[];

  @ApiProperty({ example: 80.0, minimum: 0, maximum: 1000000 })
  @IsDecimal(2)
  @Min(0)
  @Max(1_000_000)
  price: number;
}

export type SectionDto = SectionLayoutDto | ShapedSectionDto;

/**
 * Each section becomes the class of its form, told apart by `rows` (a list or not), so each form
 * is validated against its own rules and unknown fields (seatsPerRow in a shaped section, aisles
 * in a rectangular one) are refused. Anything that is not an object is left for ValidateNested
 * to refuse.
 */
const toSections = ({ obj }: TransformFnParams) => {
  const sections = obj.sections;
  if (!Array.isArray(sections)) return sections;
  return sections.map((s: unknown) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return s;
    return Array.isArray((s as { rows?: unknown }).rows) ? plainToInstance(ShapedSectionDto, s) : plainToInstance(SectionLayoutDto, s);
  });
};

@ApiExtraModels(SectionLayoutDto, ShapedSectionDto, RowLayoutDto)
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

  @ApiProperty({
    type: 'array',
    minItems: 1,
    maxItems: 50,
    items: { oneOf: [{ $ref: getSchemaPath(SectionLayoutDto) }, { $ref: getSchemaPath(ShapedSectionDto) }] },
    description: `Front to back; ${BOTH_FORMS}`,
    example: [
      { name: 'VIP', rows: 2, seatsPerRow: 10, price: 150 },
      { name: 'STALLS', price: 80, rows: [{ seats: 12 }, { seats: 14, aisles: [7] }, { label: 'AA', seats: 18, aisles: [4, 14] }] },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Transform(toSections)
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
