import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@etsr/platform';
import { ImportOrdersDto, ImportOrdersResultDto } from '../dtos/import.dto';
import { OrderImportService } from '../services/order-import.service';

/** Bulk loading of another system's orders by an admin (seedDataToDB.js); never routed by the ingress. */
@ApiTags('import')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('internal/v1/import')
export class ImportController {
  constructor(private readonly imports: OrderImportService) {}

  @Post('orders')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record past orders as they ended, idempotent by externalRef (admin)',
    description: 'CONFIRMED orders get their tickets, signed by this service. No saga, no notice. One transaction per batch.',
  })
  @ApiOkResponse({ type: ImportOrdersResultDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiConflictResponse({ description: 'ORDER_EXISTS, or a seat with a valid ticket already; nothing of the batch was written' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  orders(@Body() dto: ImportOrdersDto): Promise<ImportOrdersResultDto> {
    return this.imports.importBatch(dto.orders);
  }
}
