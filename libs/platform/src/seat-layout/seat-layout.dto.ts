import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform, TransformFnParams, Type, plainToInstance } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Matches, Max, Min, ValidateBy, ValidateNested, ValidationArguments, ValidationOptions } from 'class-validator';
import { IsDecimal, IsOptionalNotNull } from '../validation/validation';

// The request shape of a seat layout: seating's POST /v1/seats/bulk and the catalog's
// POST /v1/events (seat_layout) take the same sections, checked by the same rules.

export const SECTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,19}$/;

export const ROW_LABEL_PATTERN = /^[A-Za-z0-9]{1,10}$/;
export const MAX_ROWS_PER_SECTION = 200;
export const MAX_SEATS_PER_ROW = 500;
export const MAX_SECTIONS = 50;
export const BOTH_FORMS = 'a section is either {name, price, rows: <number of rows>, seatsPerRow} or {name, price, rows: [{seats, label?, aisles?}, ...]}';

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
const toSections = ({ obj, key }: TransformFnParams) => {
  const sections = obj[key];
  if (!Array.isArray(sections)) return sections;
  return sections.map((s: unknown) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return s;
    return Array.isArray((s as { rows?: unknown }).rows) ? plainToInstance(ShapedSectionDto, s) : plainToInstance(SectionLayoutDto, s);
  });
};

/**
 * A property holding a layout's sections (either form, front to back): its OpenAPI schema and
 * validation. The class using it needs @ApiExtraModels(...SEAT_LAYOUT_MODELS).
 */
export function SeatLayoutSections(api: { description?: string; required?: boolean; example?: unknown[] } = {}): PropertyDecorator {
  const Property = api.required === false ? ApiPropertyOptional : ApiProperty;
  return applyDecorators(
    Property({
      type: 'array',
      minItems: 1,
      maxItems: MAX_SECTIONS,
      items: { oneOf: [{ $ref: getSchemaPath(SectionLayoutDto) }, { $ref: getSchemaPath(ShapedSectionDto) }] },
      description: api.description ?? `Front to back; ${BOTH_FORMS}`,
      example: api.example ?? [
        { name: 'VIP', rows: 2, seatsPerRow: 10, price: 150 },
        { name: 'STALLS', price: 80, rows: [{ seats: 12 }, { seats: 14, aisles: [7] }, { label: 'AA', seats: 18, aisles: [4, 14] }] },
      ],
    }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_SECTIONS),
    ValidateNested({ each: true }),
    Transform(toSections),
  );
}

export const SEAT_LAYOUT_MODELS = [SectionLayoutDto, ShapedSectionDto, RowLayoutDto];
