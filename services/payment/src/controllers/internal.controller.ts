import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServiceOnly } from '@etsr/platform';
import { OrderPaymentsDto, OrderPaymentsQuery } from '../dtos/payment.dto';
import { PaymentsService } from '../services/payments.service';

/** Service-to-service endpoints; never routed by the ingress. */
@ApiTags('internal')
@ApiBearerAuth()
@ServiceOnly()
@Controller('internal/v1')
export class InternalController {
  constructor(private readonly payments: PaymentsService) {}

  @Get('payments')
  @ApiOperation({ summary: "Every payment of an order, newest first (the order service's reconciler reads this)" })
  @ApiOkResponse({ type: OrderPaymentsDto })
  forOrder(@Query() query: OrderPaymentsQuery): Promise<OrderPaymentsDto> {
    return this.payments.forOrder(query.merchant_order_id);
  }
}
