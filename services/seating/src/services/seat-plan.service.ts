import { Injectable } from '@nestjs/common';
import { JsonLogger, badRequest, conflict, notFound } from '@etsr/platform';
import { CatalogClient } from '../clients/catalog.client';
import { SeatingConfig } from '../config';
import { BulkCreateSeatsDto, SeatPlanDto } from '../dtos/seat.dto';
import { SeatsRepository } from '../repositories/seats.repository';
import { planSeats } from './seat-layout';

const key = (s: { section: string; rowLabel: string; seatNumber: number; price: number }) => `${s.section}|${s.rowLabel}|${s.seatNumber}|${s.price.toFixed(2)}`;

/** Creating an event's seats from a layout. */
@Injectable()
export class SeatPlanService {
  private readonly log;

  constructor(
    private readonly config: SeatingConfig,
    private readonly seats: SeatsRepository,
    private readonly catalog: CatalogClient,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SeatPlanService.name);
  }

  /**
   * Creates the seats of a layout. The same layout again changes nothing (created: 0); a different
   * layout for an event that has seats is refused, since seats may already be held or sold.
   */
  async create(dto: BulkCreateSeatsDto): Promise<SeatPlanDto> {
    const names = dto.sections.map((s) => s.name);
    if (new Set(names).size !== names.length) throw badRequest('Section names must be unique', 'VALIDATION_FAILED');
    const total = dto.sections.reduce((n, s) => n + s.rows * s.seatsPerRow, 0);
    if (total > this.config.MAX_SEATS_PER_EVENT) {
      throw badRequest(`A seat plan may have at most ${this.config.MAX_SEATS_PER_EVENT} seats (this one has ${total})`, 'VALIDATION_FAILED');
    }
    const venueId = await this.venueOf(dto);
    const planned = planSeats(dto.sections);
    const existing = await this.seats.planOf(dto.eventId);
    if (existing.length) {
      const want = new Set(planned.map(key));
      const same = existing.length === planned.length && existing.every((s) => want.has(key(s)));
      if (!same) throw conflict(`Event ${dto.eventId} already has a different seat plan`, 'SEAT_PLAN_EXISTS');
      return { eventId: dto.eventId, totalSeats: existing.length, created: 0 };
    }
    // Two identical requests racing: ON CONFLICT DO NOTHING lets both finish, one of them creating the seats.
    const created = await this.seats.insertPlan(dto.eventId, venueId, planned);
    this.log.info('Seat plan created', { eventId: dto.eventId, seats: created });
    return { eventId: dto.eventId, totalSeats: planned.length, created };
  }

  private async venueOf(dto: BulkCreateSeatsDto): Promise<number> {
    if (!this.catalog.configured) {
      if (!dto.venueId) throw badRequest('venueId is required (no catalog service is configured to look it up)', 'VALIDATION_FAILED');
      return dto.venueId;
    }
    const event = await this.catalog.event(dto.eventId);
    if (!event) throw notFound(`Event ${dto.eventId} does not exist in the catalog`, 'EVENT_NOT_FOUND');
    if (dto.venueId && dto.venueId !== event.venueId) {
      throw badRequest(`Event ${dto.eventId} takes place at venue ${event.venueId}, not ${dto.venueId}`, 'VENUE_MISMATCH');
    }
    return event.venueId;
  }
}
