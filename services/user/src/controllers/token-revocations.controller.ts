import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServiceOnly } from '@etsr/platform';
import { TokenRevocationFeedQuery, TokenRevocationPageDto } from '../dtos/token-revocation.dto';
import { TokenRevocationsService } from '../services/token-revocations.service';

/** The feed of revoked access tokens that every other service follows (libs/platform/README.md); never routed by the ingress. */
@ApiTags('internal')
@ApiBearerAuth()
@ServiceOnly()
@Controller('internal/v1/token-revocations')
export class TokenRevocationsController {
  constructor(private readonly revocations: TokenRevocationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Revoked access tokens after a cursor (platform services only)',
    description: 'Without `after`: every revocation still in force. Entries are numbered in commit order, so a reader that follows `cursor` misses none.',
  })
  @ApiOkResponse({ type: TokenRevocationPageDto })
  @ApiForbiddenResponse({ description: 'SERVICE_ONLY: a user token' })
  page(@Query() query: TokenRevocationFeedQuery): Promise<TokenRevocationPageDto> {
    return this.revocations.page(query.after);
  }
}
