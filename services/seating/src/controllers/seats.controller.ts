import { Body, Controller, Get, Headers, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AllowService, FastifyReply, IdParam, Public, Roles } from '@etsr/platform';
import { AvailabilityDto, BulkCreateSeatsDto, EventSeatsQuery, SeatDto, SeatMapDto, SeatPlanDto, SeatStreamQuery } from '../dtos/seat.dto';
import { AvailabilityService } from '../services/availability.service';
import { SeatFeedService } from '../services/seat-feed.service';
import { SeatMapService } from '../services/seat-map.service';
import { SeatPlanService } from '../services/seat-plan.service';
import { SeatsAdminService } from '../services/seats-admin.service';
import { SEAT_MAP_CACHE_CONTROL, sendSnapshotResponse } from './snapshot-reply';

/** OpenAPI of the snapshot-served reads: ETag, Cache-Control, compression, 304. */
const SNAPSHOT_HEADERS = {
  ETag: { description: 'Version of the event\'s seat snapshot (weak); send it back as If-None-Match', schema: { type: 'string', example: 'W/"kq3Yx1VbRj2mN0pT5aZc"' } },
  'Cache-Control': { description: 'Reusable for a second, then revalidate', schema: { type: 'string', example: SEAT_MAP_CACHE_CONTROL } },
  'Content-Encoding': { description: 'br or gzip when Accept-Encoding allows and the body is over 1 KB', schema: { type: 'string', enum: ['br', 'gzip'] } },
};
const IF_NONE_MATCH = { name: 'If-None-Match', required: false, description: 'The ETag of a copy you hold: 304 with no body while it is current' };
const NOT_MODIFIED = { status: 304, description: 'The copy named by If-None-Match is current (no body)' };

@ApiTags('seats')
@Controller('v1/seats')
export class SeatsController {
  constructor(
    private readonly availability: AvailabilityService,
    private readonly maps: SeatMapService,
    private readonly feed: SeatFeedService,
    private readonly plans: SeatPlanService,
    private readonly admin: SeatsAdminService,
  ) {}

  @Get('availability')
  @Public()
  @ApiOperation({ summary: 'Seat counts of an event, by section' })
  @ApiOkResponse({ type: AvailabilityDto, headers: SNAPSHOT_HEADERS, description: 'From the event\'s in-memory snapshot: at most a few hundred ms behind' })
  @ApiResponse(NOT_MODIFIED)
  @ApiHeader(IF_NONE_MATCH)
  @ApiNotFoundResponse({ description: 'EVENT_NOT_FOUND: the event has no seats; SECTION_NOT_FOUND' })
  async getAvailability(
    @Query() query: EventSeatsQuery,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('accept-encoding') acceptEncoding: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendSnapshotResponse(reply, await this.maps.availability(query.eventId, query.section, ifNoneMatch, acceptEncoding));
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'Every seat of an event with its status, grouped for drawing a seat map' })
  @ApiOkResponse({ type: SeatMapDto, headers: SNAPSHOT_HEADERS, description: 'From the event\'s in-memory snapshot: at most a few hundred ms behind; follow /v1/seats/stream for changes' })
  @ApiResponse(NOT_MODIFIED)
  @ApiHeader(IF_NONE_MATCH)
  @ApiNotFoundResponse({ description: 'EVENT_NOT_FOUND: the event has no seats; SECTION_NOT_FOUND' })
  async list(
    @Query() query: EventSeatsQuery,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Headers('accept-encoding') acceptEncoding: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendSnapshotResponse(reply, await this.maps.map(query.eventId, query.section, ifNoneMatch, acceptEncoding));
  }

  @Get('stream')
  @Public()
  @ApiOperation({
    summary: 'Live seat changes of an event (Server-Sent Events)',
    description: [
      'A text/event-stream that a seat map page follows instead of polling. Messages (`data:` is JSON, `id:` the snapshot version):',
      '- first `{"version", "map": "/v1/seats?eventId=N", "reload"}`: `reload` is false only when Last-Event-ID is the current version;',
      '  otherwise fetch the map (its ETag is the same version);',
      '- then, on every change, `{"version", "previous", "changes": [[seatId, status], ...]}`, the seats whose status changed',
      '  since `previous` (`"reload": true` when seats were added to the plan);',
      '- a `: heartbeat` comment every 15 s.',
      'Changes made through any replica arrive (PostgreSQL notifications); a reconnecting client sends Last-Event-ID.',
    ].join('\n'),
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The last `id:` received, when reconnecting' })
  @ApiOkResponse({
    description: 'The stream',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example: 'retry: 3000\nid: kq3Yx1VbRj2mN0pT5aZc\ndata: {"version":"kq3Yx1VbRj2mN0pT5aZc","map":"/v1/seats?eventId=1","reload":true}\n\nid: 7Hc0aP2q9LwX4eRt1sUv\ndata: {"version":"7Hc0aP2q9LwX4eRt1sUv","previous":"kq3Yx1VbRj2mN0pT5aZc","changes":[[45,"RESERVED"],[46,"RESERVED"]]}\n\n',
      },
    },
  })
  @ApiNotFoundResponse({ description: 'EVENT_NOT_FOUND: the event has no seats' })
  @ApiServiceUnavailableResponse({ description: 'FEED_FULL: this replica has its most subscribers (Retry-After); SHUTTING_DOWN' })
  stream(@Query() query: SeatStreamQuery, @Headers('last-event-id') lastEventId: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    return this.feed.subscribe(query.eventId, lastEventId, reply);
  }

  @Post('bulk')
  @Roles('ADMIN')
  // The catalog, too: it hands over the layout of an event created with one (seat_layout).
  @AllowService()
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Create the seats of an event from a layout (admin); the same layout again changes nothing',
    description: 'The catalog service calls it too, with its service credential, for an event created with a seat_layout.',
  })
  @ApiCreatedResponse({ type: SeatPlanDto })
  @ApiOkResponse({ type: SeatPlanDto, description: 'The same layout existed already' })
  @ApiConflictResponse({ description: 'SEAT_PLAN_EXISTS: the event has a different plan' })
  async bulk(@Body() dto: BulkCreateSeatsDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<SeatPlanDto> {
    const plan = await this.plans.create(dto);
    reply.status(plan.created ? 201 : 200);
    return plan;
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'One seat' })
  @ApiOkResponse({ type: SeatDto })
  get(@IdParam() id: number): Promise<SeatDto> {
    return this.availability.seat(id);
  }

  @Put(':id/block')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Take a free seat out of sale (admin); a held or sold seat cannot be blocked' })
  @ApiOkResponse({ type: SeatDto })
  @ApiConflictResponse({ description: 'SEAT_NOT_BLOCKABLE' })
  block(@IdParam() id: number): Promise<SeatDto> {
    return this.admin.block(id);
  }

  @Put(':id/unblock')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Put a blocked seat back on sale (admin)' })
  @ApiOkResponse({ type: SeatDto })
  @ApiConflictResponse({ description: 'SEAT_NOT_BLOCKED: the seat is held or sold' })
  unblock(@IdParam() id: number): Promise<SeatDto> {
    return this.admin.unblock(id);
  }
}
