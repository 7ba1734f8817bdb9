import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppError, JsonLogger, PeriodicTask, Principal, UserPrincipal, WorkLine, forbidden, isAdmin, notFound } from '@etsr/platform';
import { SeatingConfig } from '../config';
import { QueuePlaceDto, QueueStatus, SaleQueueDto } from '../dtos/queue.dto';
import { EntryState, QueuePlace, SaleQueue, SaleQueueRepository } from '../repositories/sale-queue.repository';
import { etaSeconds, nextAdmissionRate, pace } from './queue-pacing';
import { QueuePassSigner } from './queue-pass';
import { SeatMapService } from './seat-map.service';
import { SeatingMetrics } from './seating-metrics';

/**
 * Why a long-poll ends: `read`, its place must be read again (admitted: the pass; or the queue is
 * gone); `queue`, the change is the queue's (sold out, open), known here; `time`, nothing changed.
 */
type Wake = 'read' | 'queue' | 'time';

interface Waiter {
  eventId: number;
  /** What the long-poll saw when it started: it answers when this changes. */
  seen: string;
  wake: (why: Wake) => void;
}

const joinUrl = (eventId: number) => `/v1/seats/queues/${eventId}/join`;
/** Place reads (joins, /me) waiting for a connection beyond which new ones get 503 BUSY: a whole crowd may wait. */
const PLACE_READS_QUEUE_LIMIT = 50_000;
/**
 * A long-poll that sees no change answers after 80-100 % of the wait asked for: a crowd that joined
 * in the same second would otherwise come back all at once every N seconds.
 */
const WAIT_SPREAD = 0.2;

/**
 * The fair waiting room of flash sales: places in line, paced admission, admission passes and
 * the check POST /v1/seats/reserve makes of them (README "Waiting room").
 *
 * Every replica runs the same tick every QUEUE_TICK_MS: it re-reads the sale queues (the small
 * table behind `queues`, which the reserve check reads without a query), tries an admission tick
 * of each open queue (the database lets one replica at a time run it, see SaleQueueRepository.tick)
 * and wakes its long-polls whose place changed. Positions, states and pacing all live in the
 * database, so every replica answers the same.
 */
@Injectable()
export class WaitingRoomService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private queues = new Map<number, SaleQueue>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly passes: QueuePassSigner;
  private readonly task: PeriodicTask;
  /**
   * Joins and place reads use at most half the pool: in a crowd of thousands they queue here, in
   * memory, and the admission tick and the holds of admitted buyers always find a connection (a
   * tick that cannot get one admits nobody: measured as stalls of the whole line).
   */
  private readonly placeReads: WorkLine;
  private readonly log;

  constructor(
    private readonly config: SeatingConfig,
    private readonly repo: SaleQueueRepository,
    private readonly maps: SeatMapService,
    private readonly metrics: SeatingMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(WaitingRoomService.name);
    this.passes = new QueuePassSigner(config.SERVICE_SECRET);
    this.task = new PeriodicTask('Waiting room tick', config.QUEUE_TICK_MS, () => this.tick(), this.log);
    this.placeReads = new WorkLine(
      Math.max(1, Math.floor(config.DB_POOL_SIZE / 2)),
      PLACE_READS_QUEUE_LIMIT,
      'Too many buyers are asking for their place right now; try again in a second',
    );
  }

  /** The queues are known before the first request: reserve must never let a queued event through unchecked. */
  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
    for (const set of this.waiters.values()) for (const w of set) w.wake('time');
  }

  async put(eventId: number, onSaleAt: Date): Promise<{ created: boolean; queue: SaleQueueDto }> {
    const created = await this.repo.upsert(eventId, onSaleAt);
    await this.refresh();
    return { created, queue: this.summary(eventId) };
  }

  async remove(eventId: number): Promise<void> {
    if (!(await this.repo.remove(eventId))) throw notFound(`Event ${eventId} has no sale queue`, 'QUEUE_NOT_FOUND');
    await this.refresh();
  }

  summary(eventId: number): SaleQueueDto {
    const q = this.queues.get(eventId);
    if (!q) throw notFound(`Event ${eventId} has no sale queue`, 'QUEUE_NOT_FOUND');
    return {
      eventId,
      onSaleAt: q.onSaleAt.toISOString(),
      open: q.onSaleAt.getTime() <= Date.now(),
      soldOut: q.soldOut,
      waiting: q.waiting,
      admissionRate: q.admissionRate,
      admittedTotal: q.admittedTotal,
    };
  }

  /** A place in line for the caller, or the one they have (same position on every call). */
  async join(actor: UserPrincipal, eventId: number): Promise<{ created: boolean; place: QueuePlaceDto }> {
    const joined = await this.placeReads.run(() => this.repo.join(eventId, actor.userId));
    if (!joined) throw notFound(`Event ${eventId} has no sale queue`, 'QUEUE_NOT_FOUND');
    return { created: joined.created, place: this.present(joined.place) };
  }

  /** The caller's place; with `waitMs`, answered when its status changes (admitted, sold out) or when the time is up. */
  async me(actor: UserPrincipal, eventId: number, waitMs: number): Promise<QueuePlaceDto> {
    let place = await this.requirePlace(actor, eventId);
    // An admitted buyer has nothing to wait for; waiting, not open yet and sold out can change.
    if (waitMs > 0 && place.state === 'WAITING') {
      const admittedBefore = this.queues.get(eventId)?.admittedTotal;
      const why = await this.until(place.entryId, eventId, statusOf(place.state, place.soldOut, place.onSaleAt), waitMs * (1 - Math.random() * WAIT_SPREAD));
      // An admitted place is read at once, ahead of the crowd's reads; a sold out crowd is told from memory, all at once.
      place = why === 'read' ? await this.requirePlace(actor, eventId, false) : this.movedUp(place, admittedBefore);
    }
    return this.present(place);
  }

  /**
   * The check of POST /v1/seats/reserve on a queued event: the entry the pass admits, or
   * undefined when no pass is needed (no queue, an admin, a platform service). No query for an
   * event without a queue.
   */
  async admission(actor: Principal, eventId: number, pass: string | undefined): Promise<string | undefined> {
    if (actor.kind !== 'user' || isAdmin(actor)) return undefined;
    const queue = this.queues.get(eventId);
    if (!queue) return undefined;
    const opensIn = queue.onSaleAt.getTime() - Date.now();
    if (opensIn > 0) {
      const retryAfter = Math.ceil(opensIn / 1000);
      throw new AppError(
        409,
        'SALE_NOT_OPEN',
        `The sale of event ${eventId} opens at ${queue.onSaleAt.toISOString()}; join the queue at ${joinUrl(eventId)}`,
        { onSaleAt: queue.onSaleAt.toISOString(), queueUrl: joinUrl(eventId) },
        { 'Retry-After': String(retryAfter) },
      );
    }
    if (!pass) {
      throw forbidden(`Event ${eventId} sells through a waiting room: join at ${joinUrl(eventId)} and send your pass as X-Queue-Pass`, 'QUEUE_PASS_REQUIRED', {
        queueUrl: joinUrl(eventId),
      });
    }
    const check = this.passes.verify(pass);
    if (check.kind === 'invalid' || check.pass.eventId !== eventId) {
      throw forbidden(`The queue pass is not valid for event ${eventId} (${check.kind === 'invalid' ? check.reason : 'another event'}); join at ${joinUrl(eventId)}`, 'QUEUE_PASS_INVALID', {
        queueUrl: joinUrl(eventId),
      });
    }
    if (check.pass.userId !== actor.userId) throw forbidden('This queue pass was issued to another account', 'QUEUE_PASS_NOT_YOURS');
    const state = await this.repo.entryState(check.pass.entryId, eventId, actor.userId);
    if (state !== 'ADMITTED') {
      throw forbidden(`Your turn of event ${eventId} is over; join again at ${joinUrl(eventId)}`, 'QUEUE_PASS_INVALID', { queueUrl: joinUrl(eventId) });
    }
    return check.pass.entryId;
  }

  /** The admitted buyer now holds seats (their turn lasts as long as the hold). */
  held(entryId: string): Promise<void> {
    return this.repo.markHeld(entryId);
  }

  private async requirePlace(actor: UserPrincipal, eventId: number, inLine = true): Promise<QueuePlace> {
    const read = () => this.repo.placeOf(eventId, actor.userId);
    const place = await (inLine ? this.placeReads.run(read) : read());
    if (!place) {
      if (!this.queues.has(eventId)) throw notFound(`Event ${eventId} has no sale queue`, 'QUEUE_NOT_FOUND');
      throw notFound(`You have no place in the queue of event ${eventId}; join at ${joinUrl(eventId)}`, 'QUEUE_PLACE_NOT_FOUND');
    }
    return place;
  }

  /**
   * A place still WAITING after a long-poll, without reading it again: admission goes strictly by
   * position, so every buyer admitted meanwhile was ahead of it, and `ahead` fell by exactly as
   * many (as of this replica's last tick); sold out and the opening come from the queue.
   */
  private movedUp(place: QueuePlace, admittedBefore: number | undefined): QueuePlace {
    const queue = this.queues.get(place.eventId);
    if (!queue || admittedBefore === undefined) return place;
    return {
      ...place,
      ahead: Math.max(0, place.ahead - (queue.admittedTotal - admittedBefore)),
      admissionRate: queue.admissionRate,
      soldOut: queue.soldOut,
      onSaleAt: queue.onSaleAt,
    };
  }

  private present(place: QueuePlace): QueuePlaceDto {
    const status = statusOf(place.state, place.soldOut, place.onSaleAt);
    const dto: QueuePlaceDto = {
      eventId: place.eventId,
      status,
      position: place.position,
      ahead: place.ahead,
      etaSeconds: place.state === 'WAITING' ? etaSeconds(place.ahead, place.admissionRate) : 0,
      onSaleAt: place.onSaleAt.toISOString(),
    };
    if (place.state === 'ADMITTED' && place.passExpiresAt) {
      dto.pass = this.passes.sign({ eventId: place.eventId, userId: place.userId, entryId: place.entryId }, place.passExpiresAt);
      dto.passExpiresAt = place.passExpiresAt.toISOString();
    }
    return dto;
  }

  private until(entryId: string, eventId: number, seen: string, ms: number): Promise<Wake> {
    return new Promise((resolve) => {
      let set = this.waiters.get(entryId);
      if (!set) this.waiters.set(entryId, (set = new Set()));
      const waiter: Waiter = {
        eventId,
        seen,
        wake: (why) => {
          clearTimeout(deadline);
          this.waiters.get(entryId)?.delete(waiter);
          if (this.waiters.get(entryId)?.size === 0) this.waiters.delete(entryId);
          resolve(why);
        },
      };
      const deadline = setTimeout(() => waiter.wake('time'), ms);
      set.add(waiter);
    });
  }

  private async refresh(): Promise<void> {
    const queues = await this.repo.all();
    this.queues = new Map(queues.map((q) => [q.eventId, q]));
    this.metrics.queueWaiting.reset();
    for (const q of queues) this.metrics.queueWaiting.set({ event_id: String(q.eventId) }, q.waiting);
  }

  private async tick(): Promise<void> {
    await this.refresh();
    const now = Date.now();
    // Rooms nobody waits in and nobody is admitted from have nothing to decide (a sale long over).
    for (const q of this.queues.values()) {
      if (q.onSaleAt.getTime() > now || (q.waiting === 0 && q.admitted === 0)) continue;
      try {
        await this.admit(q.eventId);
      } catch (e) {
        this.log.warn('Admission tick failed; it runs again at the next tick', { eventId: q.eventId, error: e instanceof Error ? e.message : String(e) });
      }
    }
    await this.wakeChanged();
  }

  /** One admission tick of an event, unless another replica runs it (then nothing happens here). */
  private async admit(eventId: number): Promise<void> {
    const snapshot = await this.maps.snapshot(eventId);
    const soldOut = snapshot.exists && snapshot.availability()!.availableSeats === 0;
    const outcome = await this.repo.tick(
      eventId,
      { minIntervalMs: this.config.QUEUE_TICK_MS * 0.8, passTtlSeconds: this.config.QUEUE_PASS_TTL_SECONDS, graceSeconds: this.config.QUEUE_ADMISSION_GRACE_SECONDS },
      (state, m) => {
        const paced = pace(
          state,
          {
            elapsedSeconds: m.elapsedSeconds,
            completions: m.completions,
            allocations: m.allocations,
            meanHoldSeconds: m.meanHoldSeconds,
            active: m.admittedNotHolding + m.liveHolds,
            waiting: m.waiting,
            // An event with no seats yet has nothing to sell: nobody is admitted, nobody is told sold out.
            paused: soldOut || !snapshot.exists,
          },
          this.config.QUEUE_TARGET_SECONDS,
        );
        const admissionRate = nextAdmissionRate(state.admissionRate, paced.admit, m.elapsedSeconds);
        return { state: { ...paced.state, admissionRate }, admit: paced.admit, soldOut };
      },
    );
    if (!outcome) return;
    if (outcome.admitted) {
      this.metrics.queueAdmitted.inc({ event_id: String(eventId) }, outcome.admitted);
      for (const w of outcome.waits) this.metrics.queueWait.observe(w);
      this.log.debug('Buyers admitted', { eventId, admitted: outcome.admitted, finished: outcome.finished });
    }
    if (soldOut !== this.queues.get(eventId)?.soldOut) await this.refresh();
  }

  /**
   * Wakes the long-polls of this replica whose place changed status (any replica's tick may have
   * changed it). Sold out, open, or gone: known from the queues just read, no query. Admitted: the event's
   * admitted places (a few) are read and matched here, rather than the crowd's thousands of
   * places looked up one by one every tick.
   */
  private async wakeChanged(): Promise<void> {
    const byEvent = new Map<number, Map<string, Waiter[]>>();
    for (const [entryId, set] of this.waiters) {
      for (const w of set) {
        let entries = byEvent.get(w.eventId);
        if (!entries) byEvent.set(w.eventId, (entries = new Map()));
        entries.set(entryId, [...(entries.get(entryId) ?? []), w]);
      }
    }
    for (const [eventId, entries] of byEvent) {
      const queue = this.queues.get(eventId);
      const waiting = queue && statusOf('WAITING', queue.soldOut, queue.onSaleAt);
      for (const ws of entries.values()) for (const w of ws) if (w.seen !== waiting) w.wake(queue ? 'queue' : 'read');
      if (!queue || queue.admitted === 0) continue;
      const admitted = await this.repo.admittedPlaces(eventId);
      for (const [id, ws] of entries) if (admitted.has(id)) for (const w of ws) w.wake('read');
    }
  }
}

function statusOf(state: EntryState, soldOut: boolean, onSaleAt: Date): QueueStatus {
  if (state === 'ADMITTED') return 'ADMITTED';
  if (onSaleAt.getTime() > Date.now()) return 'NOT_OPEN_YET';
  return soldOut ? 'SOLD_OUT' : 'WAITING';
}
