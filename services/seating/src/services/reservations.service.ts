import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, JsonLogger, Principal, assertOwnerOrAdmin, badRequest, conflict, notFound, resolveActingUser } from '@etsr/platform';
import { SeatingConfig } from '../config';
import { AllocateSeatsDto, HoldForOrderDto, ReleaseSeatsDto, ReservationDto, ReserveSeatsDto, mapReservation } from '../dtos/reservation.dto';
import { ReservationEntity } from '../entities/reservation.entity';
import { ChangeResult, ReservationsRepository, ReserveResult, RollbackWith } from '../repositories/reservations.repository';
import { SeatsRepository } from '../repositories/seats.repository';
import { BestAvailableAllocator, newReservationId } from './best-available-allocator.service';
import { withDeadlockRetry } from './deadlock-retry';
import { SeatingMetrics } from './seating-metrics';
import { WaitingRoomService } from './waiting-room.service';

const DEFAULT_ORDER_EXTENSION_SECONDS = 600;


/** Holds, their lookup and their life cycle: cancel, hold for an order, allocate, release. */
@Injectable()
export class ReservationsService {
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: SeatingConfig,
    private readonly reservations: ReservationsRepository,
    private readonly seats: SeatsRepository,
    private readonly allocator: BestAvailableAllocator,
    private readonly metrics: SeatingMetrics,
    private readonly waitingRoom: WaitingRoomService,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(ReservationsService.name);
  }

  /** `queuePass`: the X-Queue-Pass header, which a buyer of an event sold through a waiting room must send. */
  async reserve(actor: Principal, dto: ReserveSeatsDto, queuePass?: string): Promise<ReservationDto> {
    if ((dto.seatIds === undefined) === (dto.quantity === undefined)) {
      throw badRequest('Give either seatIds or quantity', 'VALIDATION_FAILED');
    }
    if (dto.section !== undefined && dto.quantity === undefined) throw badRequest('section goes with quantity', 'VALIDATION_FAILED');
    const userId = resolveActingUser(actor, dto.userId);
    const admittedEntry = await this.waitingRoom.admission(actor, dto.eventId, queuePass);
    try {
      const reservation = dto.seatIds ? await this.reserveExactly(dto.eventId, userId, dto.seatIds) : await this.reserveBest(dto.eventId, userId, dto.quantity!, dto.section);
      if (admittedEntry) await this.waitingRoom.held(admittedEntry);
      this.metrics.reservations.inc({ status: 'success' });
      return reservation;
    } catch (e) {
      if (e instanceof AppError && e.status === 409) this.metrics.reservations.inc({ status: 'failed' });
      throw e;
    }
  }

  async get(actor: Principal, id: string): Promise<ReservationDto> {
    const r = await this.require(id);
    assertOwnerOrAdmin(actor, r.userId, 'reservation');
    return this.present(r);
  }

  async cancel(actor: Principal, id: string): Promise<ReservationDto> {
    const r = await this.require(id);
    assertOwnerOrAdmin(actor, r.userId, 'reservation');
    return this.outcome(await this.change((tx) => this.reservations.cancel(tx, id)), id);
  }

  async holdForOrder(id: string, dto: HoldForOrderDto): Promise<ReservationDto> {
    const extend = Math.min(dto.extendSeconds ?? DEFAULT_ORDER_EXTENSION_SECONDS, this.config.RESERVATION_MAX_EXTENSION_SECONDS);
    return this.outcome(await this.change((tx) => this.reservations.holdForOrder(tx, id, dto.orderId, extend, this.config.RESERVATION_MAX_EXTENSION_SECONDS)), id);
  }

  async allocate(dto: AllocateSeatsDto): Promise<ReservationDto> {
    const result = await this.outcome(await this.change((tx) => this.reservations.allocate(tx, dto.reservationId, dto.orderId)), dto.reservationId);
    this.log.info('Seats allocated', { reservationId: dto.reservationId, orderId: dto.orderId });
    return result;
  }

  async release(dto: ReleaseSeatsDto): Promise<ReservationDto> {
    if ((dto.reservationId === undefined) === (dto.orderId === undefined)) throw badRequest('Give either reservationId or orderId', 'VALIDATION_FAILED');
    const result = await this.change((tx) => this.reservations.release(tx, { id: dto.reservationId, orderId: dto.orderId }));
    return this.outcome(result, dto.reservationId ?? `for order ${dto.orderId}`);
  }

  private async reserveExactly(eventId: number, userId: number, seatIds: number[]): Promise<ReservationDto> {
    const id = newReservationId();
    const result = await withDeadlockRetry(
      () => this.reservations.reserve(id, eventId, userId, seatIds, this.config.RESERVATION_TTL_SECONDS, this.config.MAX_SEATS_PER_USER_PER_EVENT),
      this.log,
    );
    return this.held(id, eventId, userId, result);
  }

  /** The best block, placed by the event's allocator together with everyone else asking now. */
  private async reserveBest(eventId: number, userId: number, quantity: number, section?: string): Promise<ReservationDto> {
    const hold = await this.allocator.hold(eventId, userId, quantity, section);
    return this.held(hold.reservationId, eventId, userId, { kind: 'held', seats: hold.seats, expiresAt: hold.expiresAt });
  }

  /** A change of one reservation in its own transaction; a RollbackWith undoes the change but still answers. */
  private async change(work: (tx: EntityManager) => Promise<ChangeResult>): Promise<ChangeResult> {
    try {
      return await this.db.transaction(work);
    } catch (e) {
      if (e instanceof RollbackWith) return e.result;
      throw e;
    }
  }

  private held(id: string, eventId: number, userId: number, result: ReserveResult): ReservationDto {
    switch (result.kind) {
      case 'held': {
        this.log.info('Seats reserved', { reservationId: id, eventId, seatIds: result.seats.map((s) => s.seatId) });
        const total = Math.round(result.seats.reduce((n, s) => n + s.price * 100, 0)) / 100;
        const reservation = Object.assign(new ReservationEntity(), {
          id,
          eventId,
          userId,
          status: 'RESERVED',
          totalAmount: total,
          expiresAt: result.expiresAt,
          orderId: null,
        });
        return mapReservation(reservation, result.seats);
      }
      case 'no-seats-for-event':
        throw notFound(`Event ${eventId} has no seats`, 'EVENT_NOT_FOUND');
      case 'seats-not-in-event':
        throw badRequest(`Seats ${result.seatIds.join(', ')} do not belong to event ${eventId}`, 'SEATS_NOT_IN_EVENT', { seatIds: result.seatIds });
      case 'over-cap':
        throw conflict(`At most ${this.config.MAX_SEATS_PER_USER_PER_EVENT} seats may be held per event; you hold ${result.alreadyHeld}`, 'HOLD_LIMIT_REACHED', {
          limit: this.config.MAX_SEATS_PER_USER_PER_EVENT,
          alreadyHeld: result.alreadyHeld,
        });
      case 'taken':
        // Not retryable as it is (these seats are someone else's now): choose others, or ask for the best available.
        throw conflict(`Seats already taken: ${result.seatIds.join(', ')}; choose others or ask for the best available`, 'SEATS_TAKEN', { seatIds: result.seatIds });
    }
  }

  private async outcome(result: ChangeResult, id: string): Promise<ReservationDto> {
    switch (result.kind) {
      case 'done':
      case 'unchanged':
        return this.present(result.reservation);
      case 'not-found':
        throw notFound(`Reservation ${id} not found`, 'RESERVATION_NOT_FOUND');
      case 'refused':
        throw refusal(result.reason, id);
    }
  }

  private async present(r: ReservationEntity): Promise<ReservationDto> {
    return mapReservation(r, await this.seats.describe(r.seatIds));
  }

  private async require(id: string): Promise<ReservationEntity> {
    const r = await this.reservations.findById(id);
    if (!r) throw notFound(`Reservation ${id} not found`, 'RESERVATION_NOT_FOUND');
    return r;
  }
}

function refusal(reason: Extract<ChangeResult, { kind: 'refused' }>['reason'], id: string): AppError {
  switch (reason) {
    case 'expired':
      // Allocating an expired reservation answers 400 "Reservation expired" (docs/architecture.md#reservation-seating-service).
      return badRequest('Reservation expired', 'RESERVATION_EXPIRED');
    case 'released':
      return conflict(`Reservation ${id} was released`, 'RESERVATION_RELEASED');
    case 'allocated':
      return conflict(`Reservation ${id} is paid for; cancel the order to release it`, 'RESERVATION_ALLOCATED');
    case 'other-order':
      return conflict(`Reservation ${id} belongs to another order`, 'RESERVATION_ORDERED');
    case 'in-checkout':
      return conflict(`Reservation ${id} is being paid for; cancel the order instead`, 'RESERVATION_IN_CHECKOUT');
  }
}
