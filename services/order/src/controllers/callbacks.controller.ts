import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { FastifyRequest, Public, SIGNATURE_HEADER, notFound, verifySignature } from '@etsr/platform';
import { OrderConfig } from '../config';
import { PaymentCallbackDto } from '../dtos/callback.dto';
import { SagaService } from '../services/saga.service';

/** The payment service's callback, at both documented paths (docs/api.md). Signed, not token-authenticated. */
@ApiTags('payment callback')
@Public()
@Controller('v1')
export class CallbacksController {
  constructor(
    private readonly saga: SagaService,
    private readonly config: OrderConfig,
  ) {}

  @Post(['payments/callback', 'orders/callback'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Payment result (from the payment service): HMAC-SHA256 signed, at most 300 s old; repeats are acknowledged and ignored' })
  @ApiHeader({ name: SIGNATURE_HEADER, required: true, example: 't=1763700000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd' })
  @ApiOkResponse({ schema: { example: { received: true, applied: true } }, description: 'applied: false for a repeat, acknowledged and ignored' })
  @ApiUnauthorizedResponse({ description: 'INVALID_SIGNATURE or STALE_SIGNATURE' })
  async callback(@Req() request: FastifyRequest & { rawBody?: string }, @Body() dto: PaymentCallbackDto) {
    verifySignature(this.config.CALLBACK_SECRET, request.headers[SIGNATURE_HEADER], request.rawBody ?? '');
    const { applied, order } = await this.saga.applyPayment({ orderId: dto.order_id, paymentId: dto.payment_id, status: dto.status, failureReason: dto.failure_reason });
    if (!order) throw notFound(`Order ${dto.order_id} not found`, 'ORDER_NOT_FOUND');
    return { received: true, applied };
  }
}
