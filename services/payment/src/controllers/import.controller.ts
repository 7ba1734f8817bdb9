import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@etsr/platform';
import { ImportPaymentsDto, ImportPaymentsResultDto } from '../dtos/import.dto';
import { PaymentImportService } from '../services/payment-import.service';

/** Bulk loading of another system's payments by an admin (seedDataToDB.js); never routed by the ingress. */
@ApiTags('import')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('internal/v1/import')
export class ImportController {
  constructor(private readonly imports: PaymentImportService) {}

  @Post('payments')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record past payments, idempotent by externalRef (admin)',
    description: 'History: nothing is charged and no callback is sent. SUCCESS or FAILED only. One transaction per batch.',
  })
  @ApiOkResponse({ type: ImportPaymentsResultDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiConflictResponse({ description: 'ORDER_ALREADY_PAID: the order has a live payment not from this import; nothing of the batch was written' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  payments(@Body() dto: ImportPaymentsDto): Promise<ImportPaymentsResultDto> {
    return this.imports.importBatch(dto.payments);
  }
}
