import { Body, Controller, Delete, Get, Headers, HttpCode, Post, Put, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, FastifyReply, IdParam, Public, Roles, UserPrincipal, badRequest, preferredWait } from '@etsr/platform';
import { PutSaleQueueDto, QueuePlaceDto, SaleQueueDto } from '../dtos/queue.dto';
import { WaitingRoomService } from '../services/waiting-room.service';

/** Dates a sale may open at: from the year 2000 on, within a few years (anything else is a typo). */
const EARLIEST_ON_SALE = Date.UTC(2000, 0, 1);
const LATEST_ON_SALE_YEARS = 10;

@ApiTags('queue')
@Controller('v1/seats/queues')
export class QueueController {
  constructor(private readonly room: WaitingRoomService) {}

  @Put(':eventId')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Sell an event through a waiting room opening at onSaleAt (admin); again to move onSaleAt',
    description: 'From then on POST /v1/seats/reserve of the event needs an admission pass (X-Queue-Pass) from buyers; admins and platform services are not queued.',
  })
  @ApiCreatedResponse({ type: SaleQueueDto, description: 'The queue was created' })
  @ApiOkResponse({ type: SaleQueueDto, description: 'onSaleAt of the existing queue was changed' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: onSaleAt is not an ISO 8601 date and time, or not between 2000 and ten years from now' })
  async put(@IdParam('eventId') eventId: number, @Body() dto: PutSaleQueueDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<SaleQueueDto> {
    const onSaleAt = new Date(dto.onSaleAt);
    const latest = new Date();
    latest.setUTCFullYear(latest.getUTCFullYear() + LATEST_ON_SALE_YEARS);
    if (!(onSaleAt.getTime() >= EARLIEST_ON_SALE && onSaleAt <= latest)) {
      throw badRequest(`onSaleAt must be between 2000 and ${LATEST_ON_SALE_YEARS} years from now`, 'VALIDATION_FAILED');
    }
    const { created, queue } = await this.room.put(eventId, onSaleAt);
    reply.status(created ? 201 : 200);
    return queue;
  }

  @Delete(':eventId')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the waiting room of an event (admin): its sale is open to everyone, places are dropped' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'QUEUE_NOT_FOUND' })
  async remove(@IdParam('eventId') eventId: number): Promise<void> {
    await this.room.remove(eventId);
  }

  @Get(':eventId')
  @Public()
  @ApiOperation({ summary: 'The waiting room of an event: open or not, sold out, how many wait, how fast buyers are let in' })
  @ApiOkResponse({ type: SaleQueueDto, description: 'As of the last tick on this replica (a few hundred ms at most)' })
  @ApiNotFoundResponse({ description: 'QUEUE_NOT_FOUND: the event sells without a waiting room' })
  summary(@IdParam('eventId') eventId: number): SaleQueueDto {
    return this.room.summary(eventId);
  }

  @Post(':eventId/join')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Take a place in line (a buyer); calling again returns the same place',
    description:
      'First come, first served: places are admitted in the order they were taken, nobody overtakes. One place per account: ' +
      'joining again, from any device or replica, answers the place you have. Once your turn is over (your hold was paid, ' +
      'released or expired, or your pass lapsed unused) joining again takes a new place at the back. Follow it with ' +
      'GET /v1/seats/queues/{eventId}/me and `Prefer: wait=N`.',
  })
  @ApiCreatedResponse({ type: QueuePlaceDto, description: 'A new place' })
  @ApiOkResponse({ type: QueuePlaceDto, description: 'The place you had' })
  @ApiNotFoundResponse({ description: 'QUEUE_NOT_FOUND: the event sells without a waiting room (reserve directly)' })
  @ApiServiceUnavailableResponse({ description: 'BUSY: more buyers are joining on this replica than it queues (Retry-After)' })
  async join(@CurrentUser() actor: UserPrincipal, @IdParam('eventId') eventId: number, @Res({ passthrough: true }) reply: FastifyReply): Promise<QueuePlaceDto> {
    const { created, place } = await this.room.join(actor, eventId);
    reply.status(created ? 201 : 200);
    return place;
  }

  @Get(':eventId/me')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Your place: status, buyers ahead, estimated wait, and once ADMITTED the pass; can wait for a change',
    description:
      'With `Prefer: wait=N` (at most 25 seconds) a WAITING, NOT_OPEN_YET or SOLD_OUT place is answered as soon as its status ' +
      'changes (ADMITTED, SOLD_OUT, back to WAITING) or, unchanged, after 80-100 % of N seconds (spread at random), with ' +
      '`Preference-Applied`. ADMITTED answers at once.',
  })
  @ApiHeader({ name: 'Prefer', required: false, example: 'wait=20', description: 'wait=N: hold the answer up to N seconds (at most 25) until the status changes' })
  @ApiOkResponse({ type: QueuePlaceDto, headers: { 'Preference-Applied': { description: 'wait=N when the request waited', schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ description: 'QUEUE_NOT_FOUND; QUEUE_PLACE_NOT_FOUND: you have no place (join first; your turn may be over)' })
  @ApiServiceUnavailableResponse({ description: 'BUSY: more buyers are asking for their place on this replica than it queues (Retry-After)' })
  async me(
    @CurrentUser() actor: UserPrincipal,
    @IdParam('eventId') eventId: number,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<QueuePlaceDto> {
    const waitSeconds = preferredWait(prefer);
    const place = await this.room.me(actor, eventId, waitSeconds * 1000);
    if (waitSeconds) reply.header('Preference-Applied', `wait=${waitSeconds}`);
    return place;
  }
}
