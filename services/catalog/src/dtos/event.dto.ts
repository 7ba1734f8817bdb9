import { IsDecimal, IsOptionalNotNull, MAX_ID, PageQuery, SEAT_LAYOUT_MODELS, SeatLayoutSections, SectionDto } from '@etsr/platform';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { EVENT_STATUSES, EVENT_TYPES, EventStatus, EventType } from '../entities/event.entity';
import type { EventWithVenue } from '../repositories/events.repository';
import { IsIsoDateOrDateTime, IsIsoDateTime, MAX_PRICE, MAX_SEATS, formatInstant, trim } from './validation';

const DATE_TIME = 'ISO 8601 date-time; UTC when no offset is given. Returned in UTC.';

/**
 * The body of POST /v1/events, with an optional status. With `seat_layout` the event's seats are
 * created at the seating service too (total_seats then follows from the layout).
 */
@ApiExtraModels(...SEAT_LAYOUT_MODELS)
export class CreateEventDto {
  @ApiProperty({ type: 'integer', example: 1, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  venue_id: number;

  @ApiProperty({ example: 'Jazz Night 2025', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ type: String, example: 'An evening of smooth jazz music', maxLength: 5000, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 5000)
  description?: string | null;

  @ApiProperty({ example: 'CONCERT', enum: EVENT_TYPES })
  @IsIn(EVENT_TYPES)
  event_type: EventType;

  @ApiProperty({ example: '2030-11-25T20:00:00Z', format: 'date-time', description: `${DATE_TIME} Must be in the future: an event cannot be created in the past.` })
  @IsIsoDateTime()
  start_date: string;

  @ApiProperty({ example: '2030-11-25T23:30:00Z', format: 'date-time', description: `${DATE_TIME} Must be after start_date.` })
  @IsIsoDateTime()
  end_date: string;

  @ApiPropertyOptional({
    example: 5000,
    minimum: 1,
    maximum: MAX_SEATS,
    description: 'available_seats starts equal to it. Required without seat_layout; with one, it may be left out and must otherwise equal the layout\'s seats',
  })
  @ValidateIf((o: CreateEventDto) => o.seat_layout === undefined || o.total_seats !== undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_SEATS)
  total_seats?: number;

  @ApiProperty({ example: 60.0, minimum: 0, maximum: MAX_PRICE, description: 'At most 2 decimals' })
  @IsDecimal(2)
  @Min(0)
  @Max(MAX_PRICE)
  base_price: number;

  @ApiPropertyOptional({ example: 'UPCOMING', enum: EVENT_STATUSES, default: 'UPCOMING' })
  @IsOptionalNotNull()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;

  @IsOptionalNotNull()
  @SeatLayoutSections({
    required: false,
    // 500 + 4500 seats: the total_seats of the example.
    example: [
      { name: 'VIP', rows: 10, seatsPerRow: 50, price: 150 },
      { name: 'REGULAR', rows: 45, seatsPerRow: 100, price: 60 },
    ],
    description:
      'The seats, sections front to back, as seating\'s POST /v1/seats/bulk takes them: {name, price, rows: <number>, seatsPerRow} or {name, price, rows: [{seats, label?, aisles?}, ...]}. ' +
      'The seating service gets them right after the event is stored (retried while it is away), so the event is bookable within a moment',
  })
  seat_layout?: SectionDto[];
}

/**
 * Partial update: absent fields stay as they are. A status change must be a legal transition
 * (UPCOMING → ONGOING | COMPLETED | CANCELLED, ONGOING → COMPLETED | CANCELLED); repeating the
 * current status is allowed and changes nothing. available_seats is not writable: it follows seating.
 */
export class UpdateEventDto {
  @ApiPropertyOptional({ type: 'integer', example: 2, minimum: 1, description: 'Moves the event to another venue' })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  venue_id?: number;

  @ApiPropertyOptional({ example: 'Jazz Night 2025 (late show)', minLength: 1, maxLength: 200 })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: String, example: 'An evening of smooth jazz music', maxLength: 5000, nullable: true, description: 'null removes it' })
  @IsOptional()
  @IsString()
  @Length(0, 5000)
  description?: string | null;

  @ApiPropertyOptional({ example: 'CONCERT', enum: EVENT_TYPES })
  @IsOptionalNotNull()
  @IsIn(EVENT_TYPES)
  event_type?: EventType;

  @ApiPropertyOptional({ example: '2030-11-25T21:00:00Z', format: 'date-time', description: DATE_TIME })
  @IsOptionalNotNull()
  @IsIsoDateTime()
  start_date?: string;

  @ApiPropertyOptional({ example: '2030-11-26T00:30:00Z', format: 'date-time', description: `${DATE_TIME} Must stay after start_date.` })
  @IsOptionalNotNull()
  @IsIsoDateTime()
  end_date?: string;

  @ApiPropertyOptional({ example: 'ONGOING', enum: EVENT_STATUSES })
  @IsOptionalNotNull()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;

  @ApiPropertyOptional({
    example: 5500,
    minimum: 1,
    maximum: MAX_SEATS,
    description: 'available_seats moves by the same amount (seats sold stay sold), within 0..total_seats',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_SEATS)
  total_seats?: number;

  @ApiPropertyOptional({ example: 65.5, minimum: 0, maximum: MAX_PRICE, description: 'At most 2 decimals' })
  @IsOptionalNotNull()
  @IsDecimal(2)
  @Min(0)
  @Max(MAX_PRICE)
  base_price?: number;
}

export const SORTS = ['start_date', '-start_date'] as const;
export type EventSort = (typeof SORTS)[number];

/** Filters of GET /v1/events/search (and GET /v1/events); every one optional, all combined with AND. */
export class SearchEventsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'New York', maxLength: 100, description: "The venue's city, case-insensitive" })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  city?: string;

  @ApiPropertyOptional({ example: 'CONCERT', enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  event_type?: EventType;

  @ApiPropertyOptional({ example: 'UPCOMING', enum: EVENT_STATUSES })
  @IsOptional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;

  @ApiPropertyOptional({ example: '2025-12-01', description: 'Events starting at or after this date (00:00 UTC) or date-time' })
  @IsOptional()
  @IsIsoDateOrDateTime()
  from?: string;

  @ApiPropertyOptional({ example: '2025-12-31', description: 'Events starting on or before this date (the whole day, UTC) or at or before this date-time; not before from' })
  @IsOptional()
  @IsIsoDateOrDateTime()
  to?: string;

  @ApiPropertyOptional({ example: 'rock', maxLength: 200, description: 'Part of the event name, case-insensitive' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({ example: 'start_date', enum: SORTS, default: 'start_date', description: 'By start date (then event_id); "-" for descending' })
  @IsOptional()
  @IsIn(SORTS)
  sort: EventSort = 'start_date';
}

export class EventResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) event_id: number;
  @ApiProperty({ type: 'integer', example: 1 }) venue_id: number;
  @ApiProperty({ example: 'Madison Square Garden' }) venue_name: string;
  @ApiProperty({ example: 'Rock Concert 2025' }) name: string;
  @ApiProperty({ example: 'Annual rock music festival featuring top artists', nullable: true, type: String }) description: string | null;
  @ApiProperty({ example: 'CONCERT', enum: EVENT_TYPES }) event_type: EventType;
  @ApiProperty({ example: '2025-12-01T19:00:00Z' }) start_date: string;
  @ApiProperty({ example: '2025-12-01T23:00:00Z' }) end_date: string;
  @ApiProperty({ example: 'UPCOMING', enum: EVENT_STATUSES }) status: EventStatus;
  @ApiProperty({ example: 20000 }) total_seats: number;
  @ApiProperty({ example: 18500, description: 'From the seating service, a few seconds behind at most' }) available_seats: number;
  @ApiProperty({ example: 75.0 }) base_price: number;
  @ApiProperty({ example: 'New York', description: "The venue's city" }) city: string;
  @ApiProperty({ example: '2025-11-09T10:30:00.125Z' }) created_at: string;
  @ApiProperty({ example: '2025-11-09T10:30:00.125Z' }) updated_at: string;
}

export class FiltersAppliedDto {
  @ApiPropertyOptional({ example: 'New York' }) city?: string;
  @ApiPropertyOptional({ example: 'CONCERT', enum: EVENT_TYPES }) event_type?: EventType;
  @ApiPropertyOptional({ example: 'UPCOMING', enum: EVENT_STATUSES }) status?: EventStatus;
  @ApiPropertyOptional({ example: '2025-12-01' }) from?: string;
  @ApiPropertyOptional({ example: '2025-12-31' }) to?: string;
  @ApiPropertyOptional({ example: 'rock' }) q?: string;
}

export class EventPageDto {
  @ApiProperty({ type: [EventResponseDto] }) events: EventResponseDto[];
  @ApiProperty({ example: 1 }) total_count: number;
  @ApiProperty({ type: FiltersAppliedDto, description: 'The filters of the request, as given; {} when none' }) filters_applied: FiltersAppliedDto;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 20 }) limit: number;
}

/** The event with its venue's name and city, as the catalog README shows it. */
export function mapEvent(event: EventWithVenue): EventResponseDto {
  return {
    event_id: event.id,
    venue_id: event.venueId,
    venue_name: event.venueName,
    name: event.name,
    description: event.description,
    event_type: event.eventType,
    start_date: formatInstant(event.startDate),
    end_date: formatInstant(event.endDate),
    status: event.status,
    total_seats: event.totalSeats,
    available_seats: event.availableSeats,
    base_price: event.basePrice,
    city: event.city,
    created_at: formatInstant(event.createdAt),
    updated_at: formatInstant(event.updatedAt),
  };
}
