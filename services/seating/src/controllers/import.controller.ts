import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@etsr/platform';
import { ImportAllocationsDto, ImportAllocationsResultDto, ImportSeatsDto, ImportSeatsResultDto } from '../dtos/import.dto';
import { SeatImportService } from '../services/seat-import.service';

/** Bulk loading of another system's seats and sold seats by an admin (seedDataToDB.js); never routed by the ingress. */
@ApiTags('import')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('internal/v1/import')
export class ImportController {
  constructor(private readonly imports: SeatImportService) {}

  @Post('seats')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create an event’s seats from a list, idempotent by position (admin)',
    description: 'For sources that list seats instead of a layout. A seat whose (section, row, number) exists is left as it is. One transaction.',
  })
  @ApiOkResponse({ type: ImportSeatsResultDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  seats(@Body() dto: ImportSeatsDto): Promise<ImportSeatsResultDto> {
    return this.imports.importSeats(dto);
  }

  @Post('allocations')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark seats sold to past orders ALLOCATED (admin)',
    description: 'Each order gets an ALLOCATED reservation (imp_<order id>) holding its seats; a repeat finds it. All or nothing per batch.',
  })
  @ApiOkResponse({ type: ImportAllocationsResultDto })
  @ApiConflictResponse({ description: 'SEAT_UNAVAILABLE (details name the order and seats), ORDER_ALREADY_ALLOCATED; nothing of the batch was written' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  allocations(@Body() dto: ImportAllocationsDto): Promise<ImportAllocationsResultDto> {
    return this.imports.importAllocations(dto);
  }
}
