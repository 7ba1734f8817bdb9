import { Body, Controller, Get, Headers, HttpCode, Injectable, Param, PipeTransform, Post, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AllowService, CurrentPrincipal, FastifyReply, Principal, Public, Roles, badRequest } from '@etsr/platform';
import {
  ChargeDto,
  ChargeResponseDto,
  ListPaymentsQuery,
  PaymentPageDto,
  PaymentResponseDto,
  RefundDto,
  RefundResponseDto,
} from '../dtos/payment.dto';
import { PAYMENT_ID_PATTERN } from '../dtos/validation';
import { ChargeService } from '../services/charge.service';
import { PaymentsService } from '../services/payments.service';
import { RefundsService } from '../services/refunds.service';
import { OptionalPrincipal, OptionalTokenGuard } from './optional-token.guard';

@Injectable()
export class PaymentIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !PAYMENT_ID_PATTERN.test(value)) throw badRequest(`"${String(value).slice(0, 40)}" is not a payment id`, 'INVALID_ID');
    return value;
  }
}

@ApiTags('payments')
@ApiBearerAuth()
@Controller('v1')
export class PaymentsController {
  constructor(
    private readonly charges: ChargeService,
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
  ) {}

  @Post(['charge', 'payments/charge'])
  @Public()
  @UseGuards(OptionalTokenGuard)
  @ApiOperation({
    summary: 'Pay an order (idempotent)',
    description:
      'No token needed: the order id is the capability to pay it. A token, when sent, must be valid and be the order owner\'s (or an admin\'s). ' +
      'A repeat with the same Idempotency-Key and body gets the first answer byte for byte (header Idempotent-Replayed: true) and charges nothing. ' +
      'A declined payment is also 201, with status FAILED.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, example: 'order_abc123_payment_001', description: 'Up to 255 printable ASCII characters' })
  @ApiCreatedResponse({ type: ChargeResponseDto })
  @ApiBadRequestResponse({ description: 'IDEMPOTENCY_KEY_REQUIRED, IDEMPOTENCY_KEY_INVALID, VALIDATION_FAILED, AMOUNT_MISMATCH, CURRENCY_MISMATCH' })
  @ApiUnauthorizedResponse({ description: 'INVALID_TOKEN, TOKEN_REVOKED: a token was sent and is not valid (none is needed; when sent, it must be)' })
  @ApiForbiddenResponse({ description: "The token is not the order owner's" })
  @ApiNotFoundResponse({ description: 'ORDER_NOT_FOUND' })
  @ApiConflictResponse({ description: 'ORDER_ALREADY_PAID, PAYMENT_IN_PROGRESS, ORDER_NOT_PAYABLE, REQUEST_IN_PROGRESS (a repeat while the first still runs)' })
  @ApiUnprocessableEntityResponse({ description: 'IDEMPOTENCY_KEY_REUSED: the key was used with another body' })
  @ApiServiceUnavailableResponse({ description: 'The order service or the gateway cannot be reached' })
  async charge(
    @OptionalPrincipal() actor: Principal | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() dto: ChargeDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const stored = await this.charges.charge(actor, idempotencyKey, dto);
    if (stored.replayed) reply.header('Idempotent-Replayed', 'true');
    reply.type('application/json').status(stored.status).send(stored.body);
  }

  @Get('payments/:id')
  @AllowService()
  @ApiOperation({ summary: 'A payment (its owner, an admin or a platform service)' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiBadRequestResponse({ description: 'INVALID_ID: not a pay_... id' })
  @ApiNotFoundResponse({ description: 'PAYMENT_NOT_FOUND' })
  get(@CurrentPrincipal() actor: Principal, @Param('id', PaymentIdPipe) id: string): Promise<PaymentResponseDto> {
    return this.payments.get(actor, id);
  }

  @Get('payments')
  @Roles('ADMIN')
  @ApiOperation({ summary: 'All payments, newest first (admin)' })
  @ApiOkResponse({ type: PaymentPageDto })
  list(@Query() query: ListPaymentsQuery): Promise<PaymentPageDto> {
    return this.payments.list(query);
  }

  @Post('refund')
  @HttpCode(200)
  @AllowService()
  @ApiOperation({
    summary: 'Refund a successful payment, whole or partly (an admin or a platform service; not the buyer)',
    description:
      'Without amount_cents: all that is left, and the payment becomes REFUNDED. With amount_cents and refund_key: that much, at most what is left. ' +
      'The same refund_key again answers the same (idempotent); refunding a refunded payment whole answers the same again. A buyer cancels through the order service instead ' +
      '(POST /v1/orders/{orderId}/cancel), which voids the tickets and refuses once a ticket was used: a buyer\'s token here is 403 REFUND_VIA_ORDER.',
  })
  @ApiOkResponse({ type: RefundResponseDto })
  @ApiForbiddenResponse({ description: "REFUND_VIA_ORDER: a buyer's token; refunds of an order go through the order service's cancel route" })
  @ApiNotFoundResponse({ description: 'PAYMENT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'NOT_REFUNDABLE: the payment is PENDING or FAILED; REFUND_EXCEEDS_PAYMENT: more than is left to refund' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED; REFUND_KEY_REQUIRED: amount_cents without refund_key' })
  @ApiUnprocessableEntityResponse({ description: 'REFUND_KEY_REUSED: the refund_key was used for another amount' })
  refund(@CurrentPrincipal() actor: Principal, @Body() dto: RefundDto): Promise<RefundResponseDto> {
    return this.refunds.refund(actor, dto);
  }
}
