import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@etsr/platform';
import { ImportEventsDto, ImportResultDto, ImportVenuesDto } from '../dtos/import.dto';
import { CatalogImportService } from '../services/catalog-import.service';

/** Bulk loading of another system's venues and events by an admin (seedDataToDB.js); never routed by the ingress. */
@ApiTags('import')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('internal/v1/import')
export class ImportController {
  constructor(private readonly imports: CatalogImportService) {}

  @Post('venues')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create venues, idempotent by externalRef (admin); one transaction per batch' })
  @ApiOkResponse({ type: ImportResultDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  venues(@Body() dto: ImportVenuesDto): Promise<ImportResultDto> {
    return this.imports.importVenues(dto.venues);
  }

  @Post('events')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create events, idempotent by externalRef (admin); one transaction per batch',
    description: 'Unlike POST /v1/events the status is given (history: COMPLETED, CANCELLED). A row whose externalRef exists is left as it is.',
  })
  @ApiOkResponse({ type: ImportResultDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_DATE_RANGE' })
  @ApiNotFoundResponse({ description: 'VENUE_NOT_FOUND: nothing of the batch was written' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  events(@Body() dto: ImportEventsDto): Promise<ImportResultDto> {
    return this.imports.importEvents(dto.events);
  }
}
