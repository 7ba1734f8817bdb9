import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IdParam, Public, Roles } from '@etsr/platform';
import { CreateEventDto, EventPageDto, EventResponseDto, SearchEventsQuery, UpdateEventDto } from '../dtos/event.dto';
import { EventsService } from '../services/events.service';

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get('search')
  @Public()
  @ApiOperation({
    summary: 'Search events by city, type, status, start date range and name (no token needed)',
    description: 'Filters combine with AND; filters_applied echoes the ones given. Sorted by start_date, then event_id.',
  })
  @ApiOkResponse({ type: EventPageDto })
  @ApiBadRequestResponse({ description: 'An invalid filter, from after to, or an unknown parameter' })
  search(@Query() query: SearchEventsQuery): Promise<EventPageDto> {
    return this.events.search(query);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'All events, paginated; takes the same filters as /v1/events/search (no token needed)' })
  @ApiOkResponse({ type: EventPageDto })
  @ApiBadRequestResponse({ description: 'An invalid filter or an unknown parameter' })
  list(@Query() query: SearchEventsQuery): Promise<EventPageDto> {
    return this.events.search(query);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'An event with its venue name and city (no token needed)' })
  @ApiOkResponse({ type: EventResponseDto })
  @ApiNotFoundResponse({ description: 'EVENT_NOT_FOUND' })
  get(@IdParam() id: number): Promise<EventResponseDto> {
    return this.events.get(id);
  }

  @Post()
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Create an event (admin); available_seats starts at total_seats' })
  @ApiCreatedResponse({ type: EventResponseDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_DATE_RANGE, EVENT_IN_PAST, SEAT_COUNT_MISMATCH, SEATING_NOT_CONFIGURED, MALFORMED_JSON' })
  @ApiNotFoundResponse({ description: 'VENUE_NOT_FOUND' })
  @ApiUnauthorizedResponse()
  @ApiForbiddenResponse({ description: 'Not an admin' })
  create(@Body() dto: CreateEventDto): Promise<EventResponseDto> {
    return this.events.create(dto);
  }

  @Put(':id')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change some fields of an event (admin); status changes must be legal transitions' })
  @ApiOkResponse({ type: EventResponseDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_DATE_RANGE' })
  @ApiNotFoundResponse({ description: 'EVENT_NOT_FOUND, VENUE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'INVALID_STATUS_TRANSITION' })
  @ApiUnauthorizedResponse()
  @ApiForbiddenResponse({ description: 'Not an admin' })
  update(@IdParam() id: number, @Body() dto: UpdateEventDto): Promise<EventResponseDto> {
    return this.events.update(id, dto);
  }

  @Delete(':id')
  @Roles('ADMIN')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Delete an event with no sold seats (admin); cancel it otherwise' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'EVENT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'EVENT_HAS_SALES' })
  @ApiUnauthorizedResponse()
  @ApiForbiddenResponse({ description: 'Not an admin' })
  delete(@IdParam() id: number): Promise<void> {
    return this.events.delete(id);
  }
}
