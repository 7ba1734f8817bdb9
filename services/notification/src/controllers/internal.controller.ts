import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ServiceOnly } from '@etsr/platform';
import { ReceiveAccountEventDto, ReceiveEventDto, ReceivedEventDto } from '../dtos/notification.dto';
import { NotificationsService } from '../services/notifications.service';

/** Service-to-service endpoints; never routed by the ingress. */
@ApiTags('internal')
@ApiBearerAuth()
@ServiceOnly()
@Controller('internal/v1')
export class InternalController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post('notifications')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Notify a buyer of an order event (platform services only)',
    description:
      'Stores the event with an e-mail (and an SMS when phone is given) in one write and answers; the messages are rendered and sent in the background, retrying until delivered. ' +
      'Idempotent by eventId: a repeat answers 202 with the same notifications and sends nothing new.',
  })
  @ApiAcceptedResponse({ type: ReceivedEventDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: the body names each invalid field' })
  @ApiUnauthorizedResponse({ description: 'No service credential' })
  @ApiForbiddenResponse({ description: 'A user token (only platform services may call this)' })
  @ApiUnprocessableEntityResponse({ description: 'EVENT_ID_REUSED: this eventId was received before with another body' })
  receive(@Body() dto: ReceiveEventDto): Promise<ReceivedEventDto> {
    return this.notifications.receive(dto);
  }

  @Post('account-notifications')
  @HttpCode(202)
  @ApiOperation({
    summary: 'E-mail the owner of an account a one-time token to set a password (platform services only)',
    description:
      'ACCOUNT_SETUP (an admin invited the owner of an account without a password) or PASSWORD_RESET (the owner asked). ' +
      'Stores the event with one e-mail in one write and answers; the e-mail (the token, its expiry, the confirm URL and the JSON to post there) is rendered and sent in the background, retrying until delivered. ' +
      'E-mail only. Idempotent by eventId, as POST /internal/v1/notifications. The token is never part of an answer or a listing.',
  })
  @ApiAcceptedResponse({ type: ReceivedEventDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: the body names each invalid field' })
  @ApiUnauthorizedResponse({ description: 'No service credential' })
  @ApiForbiddenResponse({ description: 'A user token (only platform services may call this)' })
  @ApiUnprocessableEntityResponse({ description: 'EVENT_ID_REUSED: this eventId was received before with another body' })
  receiveAccount(@Body() dto: ReceiveAccountEventDto): Promise<ReceivedEventDto> {
    return this.notifications.receiveAccount(dto);
  }
}
