import { Body, Controller, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply, IdPipe, Public, Roles } from '@etsr/platform';
import { AvailabilityDto, BulkCreateSeatsDto, EventSeatsQuery, SeatDto, SeatMapDto, SeatPlanDto } from '../dtos/seat.dto';
import { AvailabilityService } from '../services/availability.service';
import { SeatPlanService } from '../services/seat-plan.service';
import { SeatsAdminService } from '../services/seats-admin.service';

@ApiTags('seats')
@Controller('v1/seats')
export class SeatsController {
  constructor(
    private readonly availability: AvailabilityService,
    private readonly plans: SeatPlanService,
    private readonly admin: SeatsAdminService,
  ) {}

  @Get('availability')
  @Public()
  @ApiOperation({ summary: 'Seat counts of an event, by section' })
  @ApiOkResponse({ type: AvailabilityDto })
  @ApiNotFoundResponse({ description: 'EVENT_NOT_FOUND: the event has no seats' })
  getAvailability(@Query() query: EventSeatsQuery): Promise<AvailabilityDto> {
    return this.availability.availability(query.eventId, query.section);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'Every seat of an event with its status, grouped for drawing a seat map' })
  @ApiOkResponse({ type: SeatMapDto })
  list(@Query() query: EventSeatsQuery): Promise<SeatMapDto> {
    return this.availability.seatMap(query.eventId, query.section);
  }

  @Post('bulk')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Create the seats of an event from a layout (admin); the same layout again changes nothing' })
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
  get(@Param('id', IdPipe) id: number): Promise<SeatDto> {
    return this.availability.seat(id);
  }

  @Put(':id/block')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Take a free seat out of sale (admin); a held or sold seat cannot be blocked' })
  @ApiOkResponse({ type: SeatDto })
  @ApiConflictResponse({ description: 'SEAT_NOT_BLOCKABLE' })
  block(@Param('id', IdPipe) id: number): Promise<SeatDto> {
    return this.admin.block(id);
  }

  @Put(':id/unblock')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Put a blocked seat back on sale (admin)' })
  @ApiOkResponse({ type: SeatDto })
  unblock(@Param('id', IdPipe) id: number): Promise<SeatDto> {
    return this.admin.unblock(id);
  }
}
