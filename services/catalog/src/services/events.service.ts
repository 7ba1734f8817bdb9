import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, badRequest, conflict, notFound, seatCount, seatLayoutProblem } from '@etsr/platform';
import { CreateEventDto, EventPageDto, EventResponseDto, SearchEventsQuery, UpdateEventDto, mapEvent } from '../dtos/event.dto';
import { MAX_SEATS, parseDateTime } from '../dtos/validation';
import { EventChanges, EventWriteProblem, EventsRepository } from '../repositories/events.repository';
import { toEventSearch } from './event-search';
import { allowedPredecessors, invalidTransition } from './event-status';
import { SeatPlanHandoff } from './seat-plan-handoff';

const eventNotFound = (id: number) => notFound(`Event ${id} not found`, 'EVENT_NOT_FOUND');
const venueNotFound = (id: number | undefined) => notFound(`Venue ${id} not found`, 'VENUE_NOT_FOUND');
const badDates = () => badRequest('end_date must be after start_date', 'INVALID_DATE_RANGE');

/** Events: anyone browses and searches them, admins write them. */
@Injectable()
export class EventsService {
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsRepository,
    private readonly seatPlans: SeatPlanHandoff,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(EventsService.name);
  }

  /**
   * available_seats starts equal to total_seats; an unknown venue is 404 VENUE_NOT_FOUND. A new
   * event starts in the future (its status then follows its dates, EventStatusByDate). With a
   * seat_layout, the layout goes to seating through the outbox, committed with the event.
   */
  async create(dto: CreateEventDto): Promise<EventResponseDto> {
    const startDate = parseDateTime(dto.start_date)!;
    const endDate = parseDateTime(dto.end_date)!;
    if (endDate <= startDate) throw badDates();
    if (startDate.getTime() <= Date.now()) {
      throw badRequest(
        `start_date ${startDate.toISOString()} is in the past: a new event must start in the future (now is ${new Date().toISOString()}). Past events are loaded with the catalog import instead`,
        'EVENT_IN_PAST',
      );
    }
    const totalSeats = this.totalSeats(dto);
    const event = {
      venueId: dto.venue_id,
      name: dto.name,
      description: dto.description ?? null,
      eventType: dto.event_type,
      startDate,
      endDate,
      status: dto.status ?? 'UPCOMING',
      totalSeats,
      basePrice: dto.base_price,
    };
    const layout = dto.seat_layout;
    const { created, handoff } = await this.db.transaction(async (tx) => {
      const row = await this.events.insert(event, tx);
      if (typeof row === 'string') return { created: row, handoff: null };
      return { created: row, handoff: layout ? await this.seatPlans.enqueue(tx, row.id, layout) : null };
    });
    if (typeof created === 'string') throw this.writeError(created, dto.venue_id);
    this.seatPlans.deliverNow(handoff);
    this.log.info('Event created', { eventId: created.id, venueId: created.venueId, seatLayout: layout !== undefined });
    return mapEvent(created);
  }

  /** total_seats as given, or the layout's seats; both given, they must agree. */
  private totalSeats(dto: CreateEventDto): number {
    if (!dto.seat_layout) return dto.total_seats!;
    if (!this.seatPlans.available) {
      throw badRequest(
        'This catalog has no seating service configured (SEATING_URL), so it cannot create seats: leave seat_layout out and post the layout to the seating service\'s POST /v1/seats/bulk',
        'SEATING_NOT_CONFIGURED',
      );
    }
    const problem = seatLayoutProblem(dto.seat_layout);
    if (problem) throw badRequest(`seat_layout: ${problem}`, 'VALIDATION_FAILED');
    const seats = seatCount(dto.seat_layout);
    if (seats > MAX_SEATS) throw badRequest(`seat_layout has ${seats} seats; an event has at most ${MAX_SEATS}`, 'VALIDATION_FAILED');
    if (dto.total_seats !== undefined && dto.total_seats !== seats) {
      throw badRequest(`total_seats is ${dto.total_seats} but seat_layout has ${seats} seats: leave total_seats out, or make them agree`, 'SEAT_COUNT_MISMATCH', {
        total_seats: dto.total_seats,
        layout_seats: seats,
      });
    }
    return seats;
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
