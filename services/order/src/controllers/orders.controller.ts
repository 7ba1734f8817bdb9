import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentPrincipal, CurrentUser, FastifyReply, pageOffset, preferredWait, Principal, requireIdempotencyKey, Roles, UserPrincipal, UuidParam } from '@etsr/platform';
import { CancelOrderDto, CreateOrderDto, ListOrdersQuery, OrderDto, OrderPageDto, RefundUnusedDto, RefundUnusedResultDto } from '../dtos/order.dto';
import { OrderTicketsDto } from '../dtos/ticket.dto';
import { OrdersService } from '../services/orders.service';
import { TicketsService } from '../services/tickets.service';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('v1/orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly tickets: TicketsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an order for a held reservation (idempotent: Idempotency-Key header required)' })
  @ApiHeader({ name: 'Idempotency-Key', required: true, example: 'abc123' })
  @ApiCreatedResponse({ type: OrderDto })
  @ApiConflictResponse({ description: 'RESERVATION_EXPIRED, RESERVATION_ALREADY_ORDERED, or REQUEST_IN_PROGRESS' })
  @ApiUnprocessableEntityResponse({ description: 'IDEMPOTENCY_KEY_REUSED: the key was used with another body' })
  @ApiServiceUnavailableResponse({ description: 'BUSY: more orders are waiting to be placed on this replica than ORDER_CREATE_QUEUE_LIMIT; send the same request (same Idempotency-Key) again after Retry-After seconds. DEPENDENCY_UNAVAILABLE: the seating service could not answer' })
  async create(
    @CurrentUser() actor: UserPrincipal,
    @Headers('idempotency-key') key: string | undefined,
    @Body() dto: CreateOrderDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const stored = await this.orders.create(actor, requireIdempotencyKey(key), dto);
    if (stored.replayed) reply.header('Idempotent-Replayed', 'true');
    reply.status(stored.status).type('application/json; charset=utf-8').send(stored.body);
  }

  @Get()
  @ApiOperation({ summary: "A user's orders (your own; any user's for an admin)" })
  @ApiOkResponse({ type: OrderPageDto })
  list(@CurrentUser() actor: UserPrincipal, @Query() query: ListOrdersQuery): Promise<OrderPageDto> {
    return this.orders.list(actor, query.userId, pageOffset(query), query.page, query.limit);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'An order (its owner or an admin); can wait for it to change',
    description:
      'Answers with an ETag. Sent back in If-None-Match, it makes the answer 304 while the order is unchanged; with ' +
      '`Prefer: wait=N` (at most 25 seconds) the server holds the request until the order changes (a payment settles, ' +
      'the tickets are issued) or N seconds pass. A page waiting for CONFIRMED asks this way instead of polling.',
  })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of the order as you have it' })
  @ApiHeader({ name: 'Prefer', required: false, example: 'wait=10', description: 'With If-None-Match: wait up to N seconds (at most 25) for a change' })
  @ApiOkResponse({ type: OrderDto, headers: { ETag: { description: 'The order\'s version', schema: { type: 'string' } } } })
  @ApiNotModifiedResponse({ description: 'The order is still as in If-None-Match (after waiting, with Prefer: wait)' })
  async get(
    @CurrentPrincipal() actor: Principal,
    @UuidParam() id: string,
    @Headers('if-none-match') seen: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto | undefined> {
    const waitSeconds = preferredWait(prefer);
    const { order, version, changed } = await this.orders.getWhenChanged(actor, id, seen ?? '', seen ? waitSeconds * 1000 : 0);
    reply.header('ETag', version);
    if (seen && waitSeconds) reply.header('Preference-Applied', `wait=${waitSeconds}`);
    if (changed) return order;
    reply.status(304);
    return undefined;
  }

  @Get(':id/tickets')
  @ApiOperation({ summary: 'Tickets of an order, with their QR codes' })
  @ApiOkResponse({ type: OrderTicketsDto })
  ticketsOf(@CurrentPrincipal() actor: Principal, @UuidParam() id: string): Promise<OrderTicketsDto> {
    return this.tickets.ofOrder(actor, id);
  }

  @Post(':id/cancel')
  @ApiOperation({
    summary: 'Cancel: an unpaid order is CANCELLED and its hold released; a paid one is refunded (202, REFUNDED moments later)',
    description:
      'A paid order is refunded whole and its tickets are void at once (a scan is refused from then on). Once any ticket of it was used at the door, ' +
      'its owner can no longer cancel it (409 TICKETS_USED): an admin may still refund it, giving a reason.',
  })
  @ApiOkResponse({ type: OrderDto })
  @ApiAcceptedResponse({ type: OrderDto, description: 'Refund requested; the tickets are void' })
  @ApiConflictResponse({ description: 'TICKETS_USED: a ticket was checked in (the box office decides); ORDER_BUSY: the order is paid and its seats are being allocated' })
  @ApiBadRequestResponse({ description: 'REASON_REQUIRED: an admin refunding an order with used tickets must say why' })
  async cancel(
    @CurrentPrincipal() actor: Principal,
    @UuidParam() id: string,
    @Body() dto: CancelOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto> {
    const { status, order } = await this.orders.cancel(actor, id, dto.reason);
    reply.status(status);
    return order;
  }

  @Post(':id/refund-unused')
  @Roles('ADMIN')
  @ApiOperation({
    summary: 'The box office refunds the unused tickets of a confirmed order (admin, with a reason)',
    description:
      'The valid tickets not checked in are void at once and their price (with its share of the tax) is refunded; the used tickets stay valid. ' +
      'The order becomes PARTIALLY_REFUNDED. Atomic against check-in: a ticket scanned at the same moment is either kept (scanned first) or void (refunded first).',
  })
  @ApiAcceptedResponse({ type: RefundUnusedResultDto, description: 'The tickets are void; the refund is asked of the payment service' })
  @ApiBadRequestResponse({ description: 'REASON_REQUIRED' })
  @ApiConflictResponse({ description: 'ORDER_NOT_REFUNDABLE: not CONFIRMED or PARTIALLY_REFUNDED; NOTHING_TO_REFUND: every valid ticket was used' })
  async refundUnused(@UuidParam() id: string, @Body() dto: RefundUnusedDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<RefundUnusedResultDto> {
    reply.status(202);
    return this.orders.refundUnused(id, dto.reason);
  }
}
