import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiCreatedResponse, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdPipe, Public, Roles } from '@etsr/platform';
import { ConfirmPasswordSetupDto, PasswordSetupTokenDto } from '../dtos/password-setup.dto';
import { PasswordSetupService } from '../services/password-setup.service';

@ApiTags('password setup')
@Controller('v1/users')
export class PasswordSetupController {
  constructor(private readonly setup: PasswordSetupService) {}

  @Post(':id/password-setup')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Issue a one-time password setup token for an account (admin)',
    description: 'Imported accounts have no password; the admin hands this token to the owner, who sets one with /v1/users/password-setup/confirm. Valid 72 hours, once.',
  })
  @ApiCreatedResponse({ type: PasswordSetupTokenDto })
  @ApiNotFoundResponse({ description: 'USER_NOT_FOUND' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  issue(@Param('id', IdPipe) id: number): Promise<PasswordSetupTokenDto> {
    return this.setup.issue(id);
  }

  @Post('password-setup/confirm')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Set the password with a setup token (spends it; ends the account’s sessions)' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'INVALID_SETUP_TOKEN (unknown, used or expired), VALIDATION_FAILED' })
  confirm(@Body() dto: ConfirmPasswordSetupDto): Promise<void> {
    return this.setup.confirm(dto.token, dto.newPassword);
  }
}
