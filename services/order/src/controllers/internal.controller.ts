import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServiceOnly, UuidParam } from '@etsr/platform';
import { OrdersService } from '../services/orders.service';

/** Service-to-service endpoints; never routed by the ingress. */
@ApiTags('internal')
@ApiBearerAuth()
@ServiceOnly()
@Controller('internal/v1')
export class InternalController {
  constructor(private readonly orders: OrdersService) {}

  @Get('orders/:id')
  @ApiOperation({ summary: 'What an order costs and its state (the payment service checks charges against it)' })
  order(@UuidParam() id: string) {
    return this.orders.internalView(id);
  }
}
