import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { FastifyRequest, IdParam, NoStore, Public, Roles } from '@etsr/platform';
import { UserConfig } from '../config';
import { ConfirmPasswordSetupDto, PasswordResetRequestedDto, PasswordSetupTokenDto, RequestPasswordResetDto } from '../dtos/password-setup.dto';
import { PasswordSetupService } from '../services/password-setup.service';

@ApiTags('password setup')
@Controller('v1/users')
export class PasswordSetupController {
  constructor(
    private readonly setup: PasswordSetupService,
    private readonly config: UserConfig,
  ) {}

  @Post(':id/password-setup')
  @Roles('ADMIN')
  @NoStore()
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Invite the owner of an account to set a password (admin)',
    description:
      "Issues a one-time token, valid 72 hours, and e-mails it to the account's address. Imported accounts have no password until their owner sets one " +
      'with /v1/users/password-setup/confirm. The token is answered too, for an admin who hands it over another way.',
  })
  @ApiCreatedResponse({ type: PasswordSetupTokenDto, headers: { 'Cache-Control': { description: 'no-store: the token must not be cached', schema: { type: 'string', example: 'no-store' } } } })
  @ApiNotFoundResponse({ description: 'USER_NOT_FOUND' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  issue(@IdParam() id: number): Promise<PasswordSetupTokenDto> {
    return this.setup.issue(id);
  }

  @Post('password-reset')
  @Public()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Forgotten password: e-mail a reset token',
    description:
      'When an active account uses the address, a one-time token is e-mailed to it; set the new password with /v1/users/password-setup/confirm. ' +
      'The answer is the same for any address, so it does not tell which are registered. Limited per client address and per e-mail address.',
  })
  @ApiAcceptedResponse({ type: PasswordResetRequestedDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  @ApiTooManyRequestsResponse({ description: 'Too many requests for this address or from this client; see Retry-After' })
  async requestReset(@Body() dto: RequestPasswordResetDto, @Req() request: FastifyRequest): Promise<PasswordResetRequestedDto> {
    await this.setup.requestReset(dto.email, request.ip);
    const minutes = Math.round(this.config.RESET_TTL_SECONDS / 60);
    return { message: `If an active account uses this address, an e-mail with a reset token is on its way. The token is valid for ${minutes} minutes.` };
  }

  @Post('password-setup/confirm')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Set the password with a setup or reset token (spends it; ends the account’s sessions)' })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'INVALID_SETUP_TOKEN (unknown, used or expired), VALIDATION_FAILED' })
  confirm(@Body() dto: ConfirmPasswordSetupDto): Promise<void> {
    return this.setup.confirm(dto.token, dto.newPassword);
  }
}
