import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, JsonLogger, MetricsService, busy, conflict, notFound, pooledRandomBytes } from '@etsr/platform';
import { Histogram } from 'prom-client';
import { SeatingConfig } from '../config';
import { HoldBatchRepository, PlannedHold, TakenHold } from '../repositories/hold-batch.repository';
import { SeatsRepository } from '../repositories/seats.repository';
import { SeatBlockPlanner } from './best-available';
import { withDeadlockRetry } from './deadlock-retry';
import { EventLayout } from './event-layout';

/** A batch whose seats an exact-seat hold keeps taking is planned again this often before the buyer hears SEATS_TAKEN. */
const REPLANS = 3;
/** Seat plans of this many events are kept in memory per replica, the least recently used dropped first. */
const LAYOUTS_KEPT = 32;

export const newReservationId = () => `res_${pooledRandomBytes(12).toString('base64url')}`;

interface Placed {
  held: Map<string, TakenHold>;
  refused: Map<Pending, AppError>;
  /** Plans that lost a seat to an exact-seat hold between reading and taking: placed again. */
  lost: number;
}

interface Pending {
  reservationId: string;
  userId: number;
  quantity: number;
  section?: string;
  replans: number;
  resolve(hold: TakenHold): void;
  reject(error: unknown): void;
}

/**
 * Best-available holds, placed in batches: one allocator per event and per replica.
 *
 * Concurrent requests for one event queue here instead of each computing the same "best" block
 * and fighting over its row locks. One batch at a time per event (an advisory lock makes that true
 * across replicas) reads the event's free runs once, hands the requests their blocks in arrival
 * order (SeatBlockPlanner: each block is gone before the next request is placed), and takes all
 * the seats and records all the reservations in one statement, in one short transaction. While a
 * batch runs, the next one gathers. Under a crowd a batch places hundreds of buyers for the cost of
 * a handful of statements; alone, a request is a batch of one. Why not SELECT … FOR UPDATE SKIP
 * LOCKED per request: adjacent blocks need whole rows, and skipping locked rows would send the
 * losers to worse rows or wrongly to "sold out" whenever the free rows were merely busy.
 */
@Injectable()
export class BestAvailableAllocator {
  private readonly queues = new Map<number, Pending[]>();
  private readonly layouts = new Map<number, EventLayout>();
  private readonly batchSize: Histogram;
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: SeatingConfig,
    private readonly batches: HoldBatchRepository,
    private readonly seats: SeatsRepository,
    metrics: MetricsService,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(BestAvailableAllocator.name);
    this.batchSize = metrics.histogram({
      name: 'best_available_batch_size',
      help: 'Best-available requests placed by one batch (one transaction)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    });
  }

  /** Holds the best `quantity` adjacent seats for `userId`; rejects with SOLD_OUT, SEATS_TAKEN, HOLD_LIMIT_REACHED or a 404. */
  hold(eventId: number, userId: number, quantity: number, section?: string): Promise<TakenHold> {
    let queue = this.queues.get(eventId);
    if (queue && queue.length >= this.config.BEST_AVAILABLE_QUEUE_LIMIT) {
      return Promise.reject(busy('Too many buyers are being placed right now; try again in a second'));
    }
    return new Promise<TakenHold>((resolve, reject) => {
      const request = { reservationId: newReservationId(), userId, quantity, section, replans: 0, resolve, reject };
      if (queue) return void queue.push(request);
      this.queues.set(eventId, (queue = [request]));
      void this.drain(eventId, queue);
    });
  }

  /** Runs batches for one event until its queue is empty; requests arriving meanwhile join the next batch. */
  private async drain(eventId: number, queue: Pending[]): Promise<void> {
    while (queue.length) {
      const batch = queue.splice(0, this.config.BEST_AVAILABLE_BATCH_SIZE);
      try {
        const replan = await this.place(eventId, batch);
        queue.unshift(...replan); // still first in line
      } catch (e) {
        this.log.error('Best-available batch failed', { eventId, requests: batch.length, error: String(e) });
        for (const request of batch) request.reject(e);
      }
    }
    this.queues.delete(eventId);
  }

  /** One batch, in one transaction; settles every request in it once committed, except those to plan again (returned). */
  private async place(eventId: number, batch: Pending[]): Promise<Pending[]> {
    const layout = await this.layoutOf(eventId);
    if (!layout) {
      for (const r of batch) r.reject(notFound(`Event ${eventId} has no seats`, 'EVENT_NOT_FOUND'));
      return [];
    }
    this.batchSize.observe(batch.length);
    const result = await withDeadlockRetry(() => this.db.transaction((tx) => this.placeIn(tx, eventId, batch, layout)), this.log);
    const replan: Pending[] = [];
    for (const request of batch) {
      const hold = result.held.get(request.reservationId);
      const refusal = result.refused.get(request);
      if (hold) request.resolve(hold);
      else if (refusal) request.reject(refusal);
      else if (++request.replans < REPLANS) {
        request.reservationId = newReservationId();
        replan.push(request);
      } else request.reject(seatsTaken());
    }
    if (result.lost) this.log.info('Best-available seats taken by exact-seat holds meanwhile; placing again', { eventId, requests: result.lost });
    return replan;
  }

  /** Plans every request of the batch on one reading of the free seats, then takes them all. */
  private async placeIn(tx: EntityManager, eventId: number, batch: Pending[], layout: EventLayout): Promise<Placed> {
    const userIds = batch.map((r) => r.userId);
    await this.batches.lock(tx, eventId, userIds);
    const held = await this.batches.heldByUsers(tx, eventId, userIds);
    const free = await this.seats.freeSeatIds(eventId, tx);
    if (!layout.covers(free)) layout = (await this.layoutOf(eventId, true))!;
    const sections = layout.sections;
    const planner = new SeatBlockPlanner(layout.runs(new Set(free)), sections);
    const refused = new Map<Pending, AppError>();
    const plans: PlannedHold[] = [];
    const max = this.config.MAX_SEATS_PER_USER_PER_EVENT;
    for (const request of batch) {
      const { quantity, section, userId } = request;
      const already = held.get(userId) ?? 0;
      if (section !== undefined && !sections.includes(section)) {
        refused.set(request, notFound(`Event ${eventId} has no section ${section}`, 'SECTION_NOT_FOUND'));
      } else if (already + quantity > max) {
        refused.set(request, conflict(`At most ${max} seats may be held per event; you hold ${already}`, 'HOLD_LIMIT_REACHED', { limit: max, alreadyHeld: already }));
      } else {
        const choice = planner.take(quantity, section);
        if (!choice) {
          refused.set(request, soldOut(quantity, section, planner.leftover(section)));
          continue;
        }
        held.set(userId, already + quantity);
        plans.push({ reservationId: request.reservationId, userId, seatIds: choice.seatIds });
      }
    }
    if (!plans.length) return { held: new Map(), refused, lost: 0 };
    const taken = await this.batches.take(tx, eventId, plans, this.config.RESERVATION_TTL_SECONDS);
    if (taken.incomplete.length) await this.batches.undo(tx, taken.incomplete);
    return { held: new Map(taken.held.map((h) => [h.reservationId, h])), refused, lost: taken.incomplete.length };
  }

  /** An event's plan never changes once it has seats, so it is read once per replica (again only if seats were imported since). */
  private async layoutOf(eventId: number, reread = false): Promise<EventLayout | undefined> {
    const known = this.layouts.get(eventId);
    this.layouts.delete(eventId); // (re)inserted last: the Map's order is least recently used first
    if (known && !reread) {
      this.layouts.set(eventId, known);
      return known;
    }
    const seats = await this.seats.layoutOf(eventId);
    if (!seats.length) return undefined;
    const layout = new EventLayout(seats);
    this.layouts.set(eventId, layout);
    // A 10,000-seat plan is about 2 MB here: keep the events on sale now, not every event ever asked for.
    if (this.layouts.size > LAYOUTS_KEPT) this.layouts.delete(this.layouts.keys().next().value!);
    return layout;
  }
}

function soldOut(quantity: number, section: string | undefined, left: ReturnType<SeatBlockPlanner['leftover']>): AppError {
  const where = section ? `in section ${section}` : 'in this event';
  const message = left.availableSeats
    ? `No ${quantity} adjacent seats are left ${where}: at most ${left.largestBlock} together (${left.availableSeats} free). Ask for fewer seats${section ? ' or another section' : ''}.`
    : `Sold out ${where}${section ? '; other sections may still have seats' : ''}.`;
  return conflict(message, 'SOLD_OUT', { ...left });
}

function seatsTaken(): AppError {
  return new AppError(409, 'SEATS_TAKEN', 'The seats chosen for you were just taken by another buyer; try again', undefined, { 'Retry-After': '1' });
}
