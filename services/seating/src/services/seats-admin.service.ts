import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { conflict, notFound } from '@etsr/platform';
import { SeatDto, mapSeat } from '../dtos/seat.dto';
import { SeatsRepository } from '../repositories/seats.repository';

/** Blocking seats for maintenance and putting them back on sale. */
@Injectable()
export class SeatsAdminService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly seats: SeatsRepository,
  ) {}

  async block(seatId: number): Promise<SeatDto> {
    // The change and its note in seat_plan_changes (which refreshes the seat map) commit together.
    if (!(await this.db.transaction((tx) => this.seats.block(tx, seatId)))) {
      const seat = await this.require(seatId);
      if (seat.status !== 'BLOCKED') throw conflict(`Seat ${seatId} is ${seat.status.toLowerCase()} and cannot be blocked`, 'SEAT_NOT_BLOCKABLE');
    }
    return mapSeat(await this.require(seatId));
  }

  async unblock(seatId: number): Promise<SeatDto> {
    if (!(await this.db.transaction((tx) => this.seats.unblock(tx, seatId)))) {
      const seat = await this.require(seatId);
      if (seat.status !== 'AVAILABLE') throw conflict(`Seat ${seatId} is ${seat.status.toLowerCase()}, not blocked`, 'SEAT_NOT_BLOCKED');
    }
    return mapSeat(await this.require(seatId));
  }

  private async require(seatId: number) {
    const seat = await this.seats.findById(seatId);
    if (!seat) throw notFound(`Seat ${seatId} not found`, 'SEAT_NOT_FOUND');
    return seat;
  }
}
