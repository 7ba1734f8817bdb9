import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsString, Length, ValidateNested } from 'class-validator';
import { EVENT_STATUSES, EventStatus } from '../entities/event.entity';
import { CreateEventDto } from './event.dto';
import { CreateVenueDto } from './venue.dto';

export const MAX_ROWS_PER_IMPORT = 500;

const EXTERNAL_REF = { example: 'etsr:venues:3', maxLength: 200, description: 'The source key: importing it again finds this row instead of creating one' };

export class ImportVenueDto extends CreateVenueDto {
  @ApiProperty(EXTERNAL_REF)
  @IsString()
  @Length(1, 200)
  externalRef: string;
}

/** An event as created by POST /v1/events, with its source key and a status that is required (history may be COMPLETED or CANCELLED). */
export class ImportEventDto extends CreateEventDto {
  @ApiProperty({ ...EXTERNAL_REF, example: 'etsr:events:12' })
  @IsString()
  @Length(1, 200)
  externalRef: string;

  @ApiProperty({ example: 'COMPLETED', enum: EVENT_STATUSES })
  @IsIn(EVENT_STATUSES)
  declare status: EventStatus;
}

export class ImportVenuesDto {
  @ApiProperty({ type: [ImportVenueDto], maxItems: MAX_ROWS_PER_IMPORT })
  @ValidateNested({ each: true })
  @Type(() => ImportVenueDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROWS_PER_IMPORT)
  venues: ImportVenueDto[];
}

export class ImportEventsDto {
  @ApiProperty({ type: [ImportEventDto], maxItems: MAX_ROWS_PER_IMPORT })
  @ValidateNested({ each: true })
  @Type(() => ImportEventDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROWS_PER_IMPORT)
  events: ImportEventDto[];
}

export class ImportedRowDto {
  @ApiProperty({ example: 'etsr:venues:3' }) externalRef: string;
  @ApiProperty({ type: 'integer', example: 7, description: 'venue_id or event_id' }) id: number;
  @ApiProperty({ example: true, description: 'false: it was there already, nothing was changed' }) created: boolean;
}

export class ImportResultDto {
  @ApiProperty({ example: 15 }) created: number;
  @ApiProperty({ example: 0 }) present: number;
  @ApiProperty({ type: [ImportedRowDto] }) rows: ImportedRowDto[];
}
