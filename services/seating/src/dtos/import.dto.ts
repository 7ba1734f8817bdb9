import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsISO8601, IsInt, IsString, IsUUID, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsDecimal, MAX_ID } from '@etsr/platform';
import { ROW_LABEL_PATTERN, SECTION_PATTERN } from './seat.dto';

export const MAX_SEATS_PER_IMPORT = 5000;
export const MAX_ALLOCATIONS_PER_IMPORT = 500;
export const ROW_PATTERN = ROW_LABEL_PATTERN;

/** One seat of a source that lists seats rather than a layout. */
export class ImportSeatDto {
  @ApiProperty({ example: 'VIP', pattern: SECTION_PATTERN.source })
  @IsString()
  @Matches(SECTION_PATTERN, { message: 'section must be 1 to 20 letters, digits, spaces, _ or -' })
  section: string;

  @ApiProperty({ example: '3', pattern: ROW_PATTERN.source })
  @IsString()
  @Matches(ROW_PATTERN, { message: 'row must be 1 to 10 letters or digits' })
  row: string;

  @ApiProperty({ example: 12, minimum: 1, maximum: 10000 })
  @IsInt()
  @Min(1)
  @Max(10000)
  number: number;

  @ApiProperty({ example: 733.28, minimum: 0 })
  @IsDecimal(2)
  @Min(0)
  @Max(1_000_000)
  price: number;
}

export class ImportSeatsDto {
  @ApiProperty({ type: 'integer', example: 12, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  eventId: number;

  @ApiProperty({ type: 'integer', example: 3, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  venueId: number;

  @ApiProperty({ type: [ImportSeatDto], maxItems: MAX_SEATS_PER_IMPORT, description: 'Front to back: the order of first appearance of sections and rows is their distance from the stage' })
  @ValidateNested({ each: true })
  @Type(() => ImportSeatDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SEATS_PER_IMPORT)
  seats: ImportSeatDto[];
}

export class ImportedSeatDto {
  @ApiProperty({ example: 'VIP' }) section: string;
  @ApiProperty({ example: '3' }) row: string;
  @ApiProperty({ example: 12 }) number: number;
  @ApiProperty({ type: 'integer', example: 5012 }) seatId: number;
  @ApiProperty({ example: true, description: 'false: the seat was there already and is left as it is' }) created: boolean;
}

export class ImportSeatsResultDto {
  @ApiProperty({ type: 'integer', example: 12 }) eventId: number;
  @ApiProperty({ example: 180 }) created: number;
  @ApiProperty({ example: 0 }) present: number;
  @ApiProperty({ type: [ImportedSeatDto] }) seats: ImportedSeatDto[];
}

/** Seats sold to an order in the past: they become ALLOCATED, tied to the order through a reservation. */
export class ImportAllocationDto {
  @ApiProperty({ example: '3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c' })
  @IsUUID()
  orderId: string;

  @ApiProperty({ type: 'integer', example: 12 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  eventId: number;

  @ApiProperty({ type: 'integer', example: 7 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId: number;

  @ApiProperty({ example: [5012, 5013], type: 'integer', isArray: true })
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  seatIds: number[];

  @ApiProperty({ example: 1466.56 })
  @IsDecimal(2)
  @Min(0)
  @Max(100_000_000)
  totalAmount: number;

  @ApiProperty({ example: '2024-08-19T00:39:20Z' })
  @IsISO8601({ strict: true })
  allocatedAt: string;
}

export class ImportAllocationsDto {
  @ApiProperty({ type: [ImportAllocationDto], maxItems: MAX_ALLOCATIONS_PER_IMPORT })
  @ValidateNested({ each: true })
  @Type(() => ImportAllocationDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ALLOCATIONS_PER_IMPORT)
  allocations: ImportAllocationDto[];
}

export class ImportedAllocationDto {
  @ApiProperty({ example: '3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c' }) orderId: string;
  @ApiProperty({ example: 'imp_3f1c2a9e5b7d4c1e9a2b7d8e6f5a4b3c' }) reservationId: string;
  @ApiProperty({ example: true }) created: boolean;
}

export class ImportAllocationsResultDto {
  @ApiProperty({ example: 237 }) created: number;
  @ApiProperty({ example: 0 }) present: number;
  @ApiProperty({ type: [ImportedAllocationDto] }) allocations: ImportedAllocationDto[];
}
