import { IsOptionalNotNull, PageQuery } from '@etsr/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { Facilities, VENUE_TYPES, VenueEntity, VenueType } from '../entities/venue.entity';
import { IsFacilities, MAX_FACILITIES, MAX_SEATS, formatInstant, trim } from './validation';

const FACILITIES_EXAMPLE = { parking: true, wifi: true, food_court: true, accessible: true };
const FACILITIES_SCHEMA = {
  type: 'object' as const,
  additionalProperties: { oneOf: [{ type: 'boolean' as const }, { type: 'string' as const, maxLength: 200 }] },
  maxProperties: MAX_FACILITIES,
};

export class CreateVenueDto {
  @ApiProperty({ example: 'Madison Square Garden', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: '4 Pennsylvania Plaza', minLength: 1, maxLength: 500 })
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  address: string;

  @ApiProperty({ example: 'New York', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  city: string;

  @ApiPropertyOptional({ type: String, example: 'NY', maxLength: 100, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  state?: string | null;

  @ApiProperty({ example: 'USA', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  country: string;

  @ApiPropertyOptional({ type: String, example: '10001', maxLength: 20, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 20)
  postal_code?: string | null;

  @ApiProperty({ example: 20000, minimum: 1, maximum: MAX_SEATS })
  @IsInt()
  @Min(1)
  @Max(MAX_SEATS)
  capacity: number;

  @ApiPropertyOptional({ example: 'ARENA', enum: VENUE_TYPES, default: 'OTHER' })
  @IsOptionalNotNull()
  @IsIn(VENUE_TYPES)
  venue_type?: VenueType;

  @ApiPropertyOptional({
    example: FACILITIES_EXAMPLE,
    ...FACILITIES_SCHEMA,
    description: `Amenities: at most ${MAX_FACILITIES} entries, each a boolean or a short text. Defaults to {}.`,
  })
  @IsOptionalNotNull()
  @IsFacilities()
  facilities?: Facilities;
}

/** Partial update: absent fields stay as they are; `state` and `postal_code` may be set to null. */
export class UpdateVenueDto {
  @ApiPropertyOptional({ example: 'Madison Square Garden', minLength: 1, maxLength: 200 })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: '4 Pennsylvania Plaza', minLength: 1, maxLength: 500 })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  address?: string;

  @ApiPropertyOptional({ example: 'New York', minLength: 1, maxLength: 100 })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  city?: string;

  @ApiPropertyOptional({ type: String, example: 'NY', maxLength: 100, nullable: true, description: 'null removes it' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  state?: string | null;

  @ApiPropertyOptional({ example: 'USA', minLength: 1, maxLength: 100 })
  @IsOptionalNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  country?: string;

  @ApiPropertyOptional({ type: String, example: '10001', maxLength: 20, nullable: true, description: 'null removes it' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 20)
  postal_code?: string | null;

  @ApiPropertyOptional({ example: 19500, minimum: 1, maximum: MAX_SEATS })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_SEATS)
  capacity?: number;

  @ApiPropertyOptional({ example: 'ARENA', enum: VENUE_TYPES })
  @IsOptionalNotNull()
  @IsIn(VENUE_TYPES)
  venue_type?: VenueType;

  @ApiPropertyOptional({ example: FACILITIES_EXAMPLE, ...FACILITIES_SCHEMA, description: 'Replaces the whole object; {} removes all' })
  @IsOptionalNotNull()
  @IsFacilities()
  facilities?: Facilities;
}

export class ListVenuesQuery extends PageQuery {}

export class VenueResponseDto {
  @ApiProperty({ type: 'integer', example: 1 }) venue_id: number;
  @ApiProperty({ example: 'Madison Square Garden' }) name: string;
  @ApiProperty({ example: '4 Pennsylvania Plaza' }) address: string;
  @ApiProperty({ example: 'New York' }) city: string;
  @ApiProperty({ example: 'NY', nullable: true, type: String }) state: string | null;
  @ApiProperty({ example: 'USA' }) country: string;
  @ApiProperty({ example: '10001', nullable: true, type: String }) postal_code: string | null;
  @ApiProperty({ example: 20000 }) capacity: number;
  @ApiProperty({ example: 'ARENA', enum: VENUE_TYPES }) venue_type: VenueType;
  @ApiProperty({ example: FACILITIES_EXAMPLE, ...FACILITIES_SCHEMA }) facilities: Facilities;
  @ApiProperty({ example: '2025-11-09T10:30:00Z' }) created_at: string;
  @ApiProperty({ example: '2025-11-09T10:30:00Z' }) updated_at: string;
}

export class VenuePageDto {
  @ApiProperty({ type: [VenueResponseDto] }) venues: VenueResponseDto[];
  @ApiProperty({ example: 2 }) total_count: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 20 }) limit: number;
}

/** Entities never leave the service as they are. */
export function mapVenue(venue: VenueEntity): VenueResponseDto {
  return {
    venue_id: venue.id,
    name: venue.name,
    address: venue.address,
    city: venue.city,
    state: venue.state,
    country: venue.country,
    postal_code: venue.postalCode,
    capacity: venue.capacity,
    venue_type: venue.venueType,
    facilities: venue.facilities ?? {},
    created_at: formatInstant(venue.createdAt),
    updated_at: formatInstant(venue.updatedAt),
  };
}
