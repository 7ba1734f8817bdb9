import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, badRequest, conflict, notFound, placeRows, seatCount, seatLayoutProblem } from '@etsr/platform';
import { CatalogClient } from '../clients/catalog.client';
import { SeatingConfig } from '../config';
import { BulkCreateSeatsDto, SeatPlanDto } from '../dtos/seat.dto';
import { PlanSeat, SeatsRepository } from '../repositories/seats.repository';
import { seatsOfRows } from './seat-layout';

/** Two plans are the same when every seat has the same place, price and part of its row (aisles). */
const key = (s: PlanSeat) => `${s.section}|${s.rowLabel}|${s.seatNumber}|${s.price.toFixed(2)}|${s.rowIndex}|${s.segment}`;

/** Creating an event's seats from a layout. */
@Injectable()
export class SeatPlanService {
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
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
    const total = seatCount(dto.sections);
    if (total > this.config.MAX_SEATS_PER_EVENT) {
      throw badRequest(`A seat plan may have at most ${this.config.MAX_SEATS_PER_EVENT} seats (this one has ${total})`, 'VALIDATION_FAILED');
    }
    const problem = seatLayoutProblem(dto.sections);
    if (problem) throw badRequest(problem, 'VALIDATION_FAILED');
    const rows = placeRows(dto.sections);
    const venueId = await this.venueOf(dto);
    const planned = seatsOfRows(rows);
    const existing = await this.seats.planOf(dto.eventId);
    if (existing.length) return this.repeated(dto.eventId, planned, existing);
    const created = await this.db.transaction((tx) => this.seats.insertPlan(tx, dto.eventId, venueId, planned));
    if (created) await this.seats.analyze();
    // Another request created the event's plan meanwhile: the same answer as if it had come first.
    if (created === null) return this.repeated(dto.eventId, planned, await this.seats.planOf(dto.eventId));
    this.log.info('Seat plan created', { eventId: dto.eventId, seats: created });
    return { eventId: dto.eventId, totalSeats: planned.length, created };
  }

  private repeated(eventId: number, planned: PlanSeat[], existing: PlanSeat[]): SeatPlanDto {
    const want = new Set(planned.map(key));
    const same = existing.length === planned.length && existing.every((s) => want.has(key(s)));
    if (!same) throw conflict(`Event ${eventId} already has a different seat plan`, 'SEAT_PLAN_EXISTS');
    return { eventId, totalSeats: existing.length, created: 0 };
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
