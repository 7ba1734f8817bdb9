import { Injectable } from '@nestjs/common';
import { JsonLogger, badRequest, conflict, notFound } from '@etsr/platform';
import { CreateEventDto, EventPageDto, EventResponseDto, SearchEventsQuery, UpdateEventDto, mapEvent } from '../dtos/event.dto';
import { parseDateTime } from '../dtos/validation';
import { EventChanges, EventWriteProblem, EventsRepository } from '../repositories/events.repository';
import { toEventSearch } from './event-search';
import { allowedPredecessors, invalidTransition } from './event-status';

const eventNotFound = (id: number) => notFound(`Event ${id} not found`, 'EVENT_NOT_FOUND');
const venueNotFound = (id: number | undefined) => notFound(`Venue ${id} not found`, 'VENUE_NOT_FOUND');
const badDates = () => badRequest('end_date must be after start_date', 'INVALID_DATE_RANGE');

/** Events: anyone browses and searches them, admins write them. */
@Injectable()
export class EventsService {
  private readonly log;

  constructor(
    private readonly events: EventsRepository,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(EventsService.name);
  }

  /** available_seats starts equal to total_seats; an unknown venue is 404 VENUE_NOT_FOUND. */
  async create(dto: CreateEventDto): Promise<EventResponseDto> {
    const startDate = parseDateTime(dto.start_date)!;
    const endDate = parseDateTime(dto.end_date)!;
    if (endDate <= startDate) throw badDates();
    const created = await this.events.insert({
      venueId: dto.venue_id,
      name: dto.name,
      description: dto.description ?? null,
      eventType: dto.event_type,
      startDate,
      endDate,
      status: dto.status ?? 'UPCOMING',
      totalSeats: dto.total_seats,
      basePrice: dto.base_price,
    });
    if (typeof created === 'string') throw this.writeError(created, dto.venue_id);
    this.log.info('Event created', { eventId: created.id, venueId: created.venueId });
    return mapEvent(created);
  }

  async get(id: number): Promise<EventResponseDto> {
    const event = await this.events.findById(id);
    if (!event) throw eventNotFound(id);
    return mapEvent(event);
  }

  async search(query: SearchEventsQuery): Promise<EventPageDto> {
    const { search, filtersApplied } = toEventSearch(query);
    const { events, total } = await this.events.search(search);
    return { events: events.map(mapEvent), total_count: total, filters_applied: filtersApplied, page: query.page, limit: query.limit };
  }

  /**
   * Partial update in one conditional statement. The dates are checked against each other as they
   * will be after the update (by the table's CHECK, so concurrent updates cannot break the rule either).
   */
  async update(id: number, dto: UpdateEventDto): Promise<EventResponseDto> {
    const changes: EventChanges = {};
    if (dto.venue_id !== undefined) changes.venueId = dto.venue_id;
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.description !== undefined) changes.description = dto.description;
    if (dto.event_type !== undefined) changes.eventType = dto.event_type;
    if (dto.start_date !== undefined) changes.startDate = parseDateTime(dto.start_date)!;
    if (dto.end_date !== undefined) changes.endDate = parseDateTime(dto.end_date)!;
    if (dto.total_seats !== undefined) changes.totalSeats = dto.total_seats;
    if (dto.base_price !== undefined) changes.basePrice = dto.base_price;
    if (changes.startDate && changes.endDate && changes.endDate <= changes.startDate) throw badDates();
    const status = dto.status ? { to: dto.status, from: allowedPredecessors(dto.status) } : undefined;

    const updated = await this.events.update(id, changes, status);
    if (typeof updated !== 'string') {
      this.log.info('Event updated', { eventId: id, fields: Object.keys(dto) });
      return mapEvent(updated);
    }
    if (updated !== 'not-found' || !status) throw this.writeError(updated, dto.venue_id, id);
    // No row matched: either there is no such event, or its status does not allow the change.
    const current = await this.events.findStatus(id);
    if (!current) throw eventNotFound(id);
    throw invalidTransition(current, status.to);
  }

  /**
   * Allowed only while no seat is sold as far as catalog knows (available_seats = total_seats);
   * otherwise 409 EVENT_HAS_SALES: cancel the event (status CANCELLED) instead.
   */
  async delete(id: number): Promise<void> {
    const result = await this.events.deleteUnsold(id);
    if (result === 'not-found') throw eventNotFound(id);
    if (result !== 'deleted') {
      throw conflict(
        `Event ${id} has sold or held seats (${result.availableSeats} of ${result.totalSeats} available); set its status to CANCELLED instead`,
        'EVENT_HAS_SALES',
        { total_seats: result.totalSeats, available_seats: result.availableSeats },
      );
    }
    this.log.info('Event deleted', { eventId: id });
  }

  private writeError(problem: EventWriteProblem, venueId: number | undefined, eventId?: number) {
    switch (problem) {
      case 'venue-missing':
        return venueNotFound(venueId);
      case 'dates':
        return badDates();
      case 'not-found':
        return eventNotFound(eventId ?? 0);
    }
  }
}
