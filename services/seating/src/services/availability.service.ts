import { Injectable } from '@nestjs/common';
import { notFound } from '@etsr/platform';
import { AvailabilityChangesDto, SeatDto, mapSeat } from '../dtos/seat.dto';
import { SeatsRepository } from '../repositories/seats.repository';

/** Read side: seat details and the change feed the catalog pulls (seat maps and counts: SeatMapService). */
@Injectable()
export class AvailabilityService {
  constructor(private readonly seats: SeatsRepository) {}

  async seat(seatId: number): Promise<SeatDto> {
    const seat = await this.seats.findById(seatId);
    if (!seat) throw notFound(`Seat ${seatId} not found`, 'SEAT_NOT_FOUND');
    return mapSeat(seat);
  }

  /**
   * Absolute counts for events whose seats changed since `since` (all events without it). Taken
   * with the time it was read, so the caller can ask again from there; counts, not deltas, so
   * reading a change twice is harmless.
   */
  async changes(since?: Date): Promise<AvailabilityChangesDto> {
    // The database's clock, the one updated_at was written with.
    const asOf = await this.seats.now();
    const ids = since ? await this.seats.eventsChangedSince(since) : null;
    const counts = ids && !ids.length ? [] : await this.seats.countsForEvents(ids);
    return {
      asOf: asOf.toISOString(),
      events: counts.map((c) => ({
        eventId: c.eventId,
        totalSeats: c.total,
        availableSeats: c.available,
        reservedSeats: c.reserved,
        allocatedSeats: c.allocated,
        blockedSeats: c.blocked,
      })),
    };
  }
}
