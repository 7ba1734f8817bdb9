import { Body, Controller, Delete, Get, Headers, HttpCode, Injectable, Param, PipeTransform, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiServiceUnavailableResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowService, CurrentPrincipal, Principal, ServiceOnly, badRequest } from '@etsr/platform';
import { QUEUE_PASS_HEADER } from '../dtos/queue.dto';
import { AllocateSeatsDto, RESERVATION_ID_PATTERN, ReleaseSeatsDto, ReservationDto, ReserveSeatsDto } from '../dtos/reservation.dto';
import { ReservationsService } from '../services/reservations.service';
import { AllocateDocs, ReleaseDocs } from './allocation-docs';

@Injectable()
export class ReservationIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !RESERVATION_ID_PATTERN.test(value)) {
      throw badRequest(`"${String(value).slice(0, 40)}" is not a reservation id`, 'INVALID_ID');
    }
    return value;
  }
}

@ApiTags('reservations')
@ApiBearerAuth()
@Controller('v1/seats')
export class ReservationsController {
  constructor(private readonly reservations: ReservationsService) {}

  @Post('reserve')
  @AllowService()
  @ApiOperation({
    summary: 'Hold seats for RESERVATION_TTL_SECONDS (default 15 minutes): all of them or none',
    description: 'Either seatIds (exact seats) or quantity (+ section) for the best adjacent seats in one row.',
  })
  @ApiCreatedResponse({ type: ReservationDto })
  @ApiConflictResponse({
    description:
      'SEATS_TAKEN: exact seats someone else holds (details.seatIds; choose others), or best-available seats taken while ' +
      'placing you (Retry-After: try again). SOLD_OUT: best available found no block of `quantity` adjacent seats in the ' +
      'event (or the section); details say what is left, so ask for fewer seats or another section (largestBlock 0: nothing ' +
      'left). HOLD_LIMIT_REACHED: the per-user cap (details.limit, details.alreadyHeld). SALE_NOT_OPEN: the event sells ' +
      'through a waiting room that opens later (details.onSaleAt, details.queueUrl; Retry-After: seconds until then).',
    content: {
      'application/json': {
        examples: {
          SOLD_OUT: {
            value: {
              statusCode: 409,
              error: 'SOLD_OUT',
              message: 'No 4 adjacent seats are left in this event: at most 2 together (7 free). Ask for fewer seats.',
              details: { availableSeats: 7, largestBlock: 2, sections: [{ section: 'VIP', availableSeats: 7, largestBlock: 2 }] },
              path: '/v1/seats/reserve',
              timestamp: '2026-12-04T18:00:00.000Z',
            },
          },
          SEATS_TAKEN: {
            value: {
              statusCode: 409,
              error: 'SEATS_TAKEN',
              message: 'Seats already taken: 45; choose others or ask for the best available',
              details: { seatIds: [45] },
              path: '/v1/seats/reserve',
              timestamp: '2026-12-04T18:00:00.000Z',
            },
          },
        },
      },
    },
  })
  @ApiNotFoundResponse({ description: 'EVENT_NOT_FOUND (the event has no seats) or SECTION_NOT_FOUND' })
  @ApiServiceUnavailableResponse({ description: 'BUSY: too many best-available requests queued for this event on this replica; Retry-After says when to try again' })
  @ApiBadRequestResponse({ description: 'Invalid body, or SEATS_NOT_IN_EVENT' })
  @ApiForbiddenResponse({
    description:
      "userId is not the caller's. For an event sold through a waiting room (buyers only): QUEUE_PASS_REQUIRED, no X-Queue-Pass " +
      '(join at details.queueUrl); QUEUE_PASS_INVALID, a pass with a bad signature, expired, for another event, or whose turn is ' +
      'over (join again); QUEUE_PASS_NOT_YOURS, a pass issued to another account.',
  })
  @ApiHeader({
    name: 'X-Queue-Pass',
    required: false,
    description: 'For an event sold through a waiting room: the `pass` of your ADMITTED place (GET /v1/seats/queues/{eventId}/me). Admins and platform services need none.',
  })
  reserve(@CurrentPrincipal() actor: Principal, @Body() dto: ReserveSeatsDto, @Headers(QUEUE_PASS_HEADER) queuePass: string | undefined): Promise<ReservationDto> {
    return this.reservations.reserve(actor, dto, queuePass);
  }

  @Get('reservation/:id')
  @AllowService()
  @ApiOperation({ summary: 'A reservation (its owner, an admin or a platform service); EXPIRED as soon as its time is up, swept or not' })
  @ApiOkResponse({ type: ReservationDto })
  get(@CurrentPrincipal() actor: Principal, @Param('id', ReservationIdPipe) id: string): Promise<ReservationDto> {
    return this.reservations.get(actor, id);
  }

  @Delete('reservation/:id')
  @ApiOperation({ summary: 'Cancel a hold (its owner or an admin); the seats are free again at once' })
  @ApiOkResponse({ type: ReservationDto })
  @ApiConflictResponse({ description: 'RESERVATION_ALLOCATED or RESERVATION_IN_CHECKOUT: cancel the order instead' })
  cancel(@CurrentPrincipal() actor: Principal, @Param('id', ReservationIdPipe) id: string): Promise<ReservationDto> {
    return this.reservations.cancel(actor, id);
  }

  /** Deprecated alias of POST /internal/v1/seats/allocate (InternalController). */
  @Post('allocate')
  @HttpCode(200)
  @ServiceOnly(
    'seats are allocated by the order service once the order is paid. Create an order for your hold (POST /v1/orders) and pay it (POST /v1/charge); the seats are then ALLOCATED by themselves',
  )
  @AllocateDocs(true)
  allocate(@Body() dto: AllocateSeatsDto): Promise<ReservationDto> {
    return this.reservations.allocate(dto);
  }

  /** Deprecated alias of POST /internal/v1/seats/release (InternalController). */
  @Post('release')
  @HttpCode(200)
  @ServiceOnly('to give up a hold, DELETE /v1/seats/reservation/{id}; to give back paid seats, cancel the order (POST /v1/orders/{id}/cancel)')
  @ReleaseDocs(true)
  release(@Body() dto: ReleaseSeatsDto): Promise<ReservationDto> {
    return this.reservations.release(dto);
  }
}
