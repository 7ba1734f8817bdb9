import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServiceOnly } from '@etsr/platform';
import { AllocateSeatsDto, HoldForOrderDto, ReleaseSeatsDto, ReservationDto } from '../dtos/reservation.dto';
import { AvailabilityChangesDto, ChangesQuery } from '../dtos/seat.dto';
import { AvailabilityService } from '../services/availability.service';
import { ReservationsService } from '../services/reservations.service';
import { AllocateDocs, ReleaseDocs } from './allocation-docs';
import { ReservationIdPipe } from './reservations.controller';

/** Service-to-service endpoints; never routed by the ingress. */
@ApiTags('internal')
@ApiBearerAuth()
@ServiceOnly()
@Controller('internal/v1')
export class InternalController {
  constructor(
    private readonly availability: AvailabilityService,
    private readonly reservations: ReservationsService,
  ) {}

  @Get('availability')
  @ApiOperation({ summary: 'Seat counts of events changed since a time (the catalog pulls this)' })
  @ApiOkResponse({ type: AvailabilityChangesDto })
  changes(@Query() query: ChangesQuery): Promise<AvailabilityChangesDto> {
    return this.availability.changes(query.changedSince ? new Date(query.changedSince) : undefined);
  }

  @Post('reservations/:id/order')
  @HttpCode(200)
  @ApiOperation({ summary: 'Tie a hold to the order paying for it and keep it while payment runs (capped)' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiConflictResponse({ description: 'RESERVATION_RELEASED, RESERVATION_ALLOCATED or RESERVATION_ORDERED (another order), or CONFLICT: the order already has another reservation' })
  @ApiBadRequestResponse({ description: 'RESERVATION_EXPIRED: the hold lapsed (by the database clock), or a seat of it was freed or taken' })
  holdForOrder(@Param('id', ReservationIdPipe) id: string, @Body() dto: HoldForOrderDto): Promise<ReservationDto> {
    return this.reservations.holdForOrder(id, dto);
  }

  @Post('seats/allocate')
  @HttpCode(200)
  @AllocateDocs()
  allocate(@Body() dto: AllocateSeatsDto): Promise<ReservationDto> {
    return this.reservations.allocate(dto);
  }

  @Post('seats/release')
  @HttpCode(200)
  @ReleaseDocs()
  release(@Body() dto: ReleaseSeatsDto): Promise<ReservationDto> {
    return this.reservations.release(dto);
  }
}
