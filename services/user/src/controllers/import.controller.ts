import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@etsr/platform';
import { ImportUsersDto, ImportUsersResultDto } from '../dtos/import.dto';
import { UserImportService } from '../services/user-import.service';

/** Bulk loading of another system's data by an admin (seedDataToDB.js); never routed by the ingress. */
@ApiTags('import')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('internal/v1/import')
export class ImportController {
  constructor(private readonly imports: UserImportService) {}

  @Post('users')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create accounts without a password, idempotent by externalRef (admin)',
    description: 'One transaction per batch. An account whose externalRef exists is "present" and left alone; they cannot log in (403 PASSWORD_NOT_SET) until a password is set.',
  })
  @ApiOkResponse({ type: ImportUsersResultDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: names each invalid field' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  import(@Body() dto: ImportUsersDto): Promise<ImportUsersResultDto> {
    return this.imports.import(dto);
  }
}
