import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger, notFound } from '@etsr/platform';
import { SeatingConfig } from '../config';
import { SeatChangesListener } from '../repositories/seat-changes.listener';
import { SeatsRepository } from '../repositories/seats.repository';
import { COMPRESS_MIN_BYTES, ContentEncoding, MapPlan, PreparedBody, SeatMapSnapshot, matchesEtag, pickEncoding } from './seat-map-snapshot';
import { SeatingMetrics } from './seating-metrics';

/** How often snapshots are checked for staleness (a lapsed hold, a lost listener) and idleness. */
const TICK_MS = 100;
/** Past a hold's expiry by this much, the database has surely seen it lapse too (clocks of one host, or near). */
const EXPIRY_MARGIN_MS = 20;

/** A read answered from a snapshot: a body to send, or 304. */
export interface SnapshotResponse {
  status: 200 | 304;
  etag: string;
  body?: Buffer;
  encoding?: ContentEncoding;
}

interface Entry {
  eventId: number;
  snapshot?: SeatMapSnapshot;
  /** When the snapshot's query ran (a refresh that found nothing new renews it). */
  builtAt: number;
  /** The earliest live hold expiry the last query saw (may move while the content stays the same). */
  holdExpiry: number | null;
  /** The event's seats without their statuses, read once: a refresh reads only the statuses. */
  plan?: MapPlan;
  /** The refresh in flight: everyone who needs the snapshot meanwhile waits on this one query. */
  loading?: Promise<SeatMapSnapshot>;
  /** A change was notified that the snapshot (or the query in flight) may have missed. */
  dirty: boolean;
  timer?: NodeJS.Timeout;
  lastStart: number;
  lastRead: number;
  /** Open feed streams of the event: it is kept (and refreshed) while anyone follows it. */
  followers: number;
}

/**
 * Per-event snapshots of the seat map and counts, held in memory, so a crowd of readers costs
 * the database a few queries a second an event instead of one a request.
 *
 * - A snapshot is built by one query, shared by everyone who asks meanwhile (single-flight).
 * - It is refreshed when PostgreSQL notifies a change of the event's seats (any replica's, see
 *   SeatChangesListener), after SEAT_MAP_REFRESH_DELAY_MS so a burst shares one refresh, and no
 *   sooner than SEAT_MAP_MIN_REFRESH_INTERVAL_MS after the previous one. Readers meanwhile get the
 *   current snapshot: they never wait for a refresh (staleness ~ delay + interval + query).
 * - It is also refreshed when its earliest live hold lapses (a lapsed hold counts as free before
 *   the sweeper runs), every SEAT_MAP_POLL_MS while the listener is disconnected, and every
 *   SEAT_MAP_MAX_AGE_MS regardless.
 * - Bodies are serialised (and compressed) once per snapshot version, not per request.
 * - Snapshots nobody read or followed for SEAT_MAP_IDLE_MS are dropped; at most
 *   SEAT_MAP_MAX_EVENTS are kept; at most SEAT_MAP_REFRESH_CONCURRENCY queries run at once.
 */
@Injectable()
export class SeatMapService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly entries = new Map<number, Entry>();
  private readonly changeHandlers: ((prev: SeatMapSnapshot, next: SeatMapSnapshot) => void)[] = [];
  private listening = false;
  private stopped = false;
  private tick?: NodeJS.Timeout;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly log;

  constructor(
    private readonly config: SeatingConfig,
    private readonly seats: SeatsRepository,
    listener: SeatChangesListener,
    private readonly metrics: SeatingMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SeatMapService.name);
    listener.onChange((eventId) => this.changed(eventId));
    listener.onStatus((listening) => this.listenerStatus(listening));
    metrics.listenerUp.set(0);
  }

  onApplicationBootstrap(): void {
    this.tick = setInterval(() => this.checkEntries(), TICK_MS);
    this.tick.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tick);
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    // Queries in flight finish before the pool closes under them.
    await Promise.allSettled([...this.entries.values()].map((e) => e.loading));
  }

  /** Called on every change of a snapshot's content, with the one before: the feed sends the difference. */
  onSnapshotChange(handler: (prev: SeatMapSnapshot, next: SeatMapSnapshot) => void): void {
    this.changeHandlers.push(handler);
  }

  /** The event's current snapshot; the first reader of an event waits for it to be built (once). */
  async snapshot(eventId: number): Promise<SeatMapSnapshot> {
    const entry = this.entry(eventId);
    entry.lastRead = Date.now();
    return entry.snapshot ?? entry.loading ?? this.refresh(entry);
  }

  /** The snapshot as of now, without waiting (undefined before the first one is built). */
  current(eventId: number): SeatMapSnapshot | undefined {
    return this.entries.get(eventId)?.snapshot;
  }

  /** Keeps an event's snapshot in memory and refreshed until the returned function is called. */
  follow(eventId: number): () => void {
    const entry = this.entry(eventId);
    entry.followers++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      entry.followers--;
      entry.lastRead = Date.now();
    };
  }

  async map(eventId: number, section: string | undefined, ifNoneMatch?: string, acceptEncoding?: string): Promise<SnapshotResponse> {
    const snapshot = await this.snapshot(eventId);
    return this.respond(snapshot, snapshot.mapBody(section), 'map', eventId, section, ifNoneMatch, acceptEncoding);
  }

  async availability(eventId: number, section: string | undefined, ifNoneMatch?: string, acceptEncoding?: string): Promise<SnapshotResponse> {
    const snapshot = await this.snapshot(eventId);
    return this.respond(snapshot, snapshot.availabilityBody(section), 'availability', eventId, section, ifNoneMatch, acceptEncoding);
  }

  /**
   * 304 for a current copy, decided without waiting and without a query, or undefined (no
   * snapshot yet, no such section, no match): the caller then takes the normal way. For the
   * request hook that answers revalidations before the framework's pipeline runs.
   */
  notModified(resource: 'map' | 'availability', eventId: number, section: string | undefined, ifNoneMatch: string): SnapshotResponse | undefined {
    const entry = this.entries.get(eventId);
    const snapshot = entry?.snapshot;
    if (!entry || !snapshot || !matchesEtag(ifNoneMatch, snapshot.etag)) return undefined;
    const body = resource === 'map' ? snapshot.mapBody(section) : snapshot.availabilityBody(section);
    if (!body) return undefined;
    entry.lastRead = Date.now();
    this.metrics.notModified.inc({ resource });
    return { status: 304, etag: snapshot.etag };
  }

  /** How many events are held in memory (for tests and logs). */
  get size(): number {
    return this.entries.size;
  }

  private async respond(
    snapshot: SeatMapSnapshot,
    body: PreparedBody | undefined,
    resource: 'map' | 'availability',
    eventId: number,
    section: string | undefined,
    ifNoneMatch: string | undefined,
    acceptEncoding: string | undefined,
  ): Promise<SnapshotResponse> {
    if (!body) {
      throw section !== undefined
        ? notFound(`Event ${eventId} has no section ${section}`, 'SECTION_NOT_FOUND')
        : notFound(`Event ${eventId} has no seats`, 'EVENT_NOT_FOUND');
    }
    const etag = snapshot.etag;
    if (matchesEtag(ifNoneMatch, etag)) {
      this.metrics.notModified.inc({ resource });
      return { status: 304, etag };
    }
    const encoding = body.json.length >= COMPRESS_MIN_BYTES ? pickEncoding(acceptEncoding) : undefined;
    return { status: 200, etag, encoding, body: encoding ? await body.encode(encoding) : body.json };
  }

  private entry(eventId: number): Entry {
    let entry = this.entries.get(eventId);
    if (!entry) {
      const now = Date.now();
      entry = { eventId, builtAt: 0, holdExpiry: null, dirty: false, lastStart: 0, lastRead: now, followers: 0 };
      this.entries.set(eventId, entry);
    }
    return entry;
  }

  /** A notification: refresh soon, if anyone here cares about the event. */
  private changed(eventId: number): void {
    const entry = this.entries.get(eventId);
    if (!entry) return;
    entry.dirty = true;
    this.schedule(entry, this.config.SEAT_MAP_REFRESH_DELAY_MS);
  }

  private listenerStatus(listening: boolean): void {
    this.listening = listening;
    this.metrics.listenerUp.set(listening ? 1 : 0);
    // Changes made while nobody listened were not notified: catch up on every snapshot.
    if (listening) {
      for (const entry of this.entries.values()) {
        entry.dirty = true;
        this.schedule(entry, 0);
      }
    }
  }

  /** One refresh of the entry, no sooner than the minimum interval after the last; at most one pending. */
  private schedule(entry: Entry, delayMs: number): void {
    if (this.stopped || entry.timer) return;
    if (entry.loading) {
      // The query in flight may have missed it: one more after it.
      entry.dirty = true;
      return;
    }
    const wait = Math.max(delayMs, entry.lastStart + this.config.SEAT_MAP_MIN_REFRESH_INTERVAL_MS - Date.now());
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.entries.get(entry.eventId) !== entry || this.stopped) return;
      this.refresh(entry).catch(() => undefined);
    }, wait);
  }

  private refresh(entry: Entry): Promise<SeatMapSnapshot> {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.dirty = false;
    entry.lastStart = Date.now();
    const eventId = entry.eventId;
    let failed = false;
    const loading = this.withQuerySlot(() => {
      entry.lastStart = Date.now();
      return this.readSnapshot(entry);
    }).then(
      (next) => {
        this.metrics.mapRefreshes.inc({ event_id: String(eventId) });
        return this.apply(entry, next);
      },
      (e: unknown) => {
        failed = true;
        this.log.warn('Seat map refresh failed', { eventId, error: e instanceof Error ? e.message : String(e) });
        throw e;
      },
    );
    entry.loading = loading;
    loading
      .finally(() => {
        if (entry.loading === loading) entry.loading = undefined;
        // A failed refresh is retried at the polling pace; one that missed a change, at once (rate-limited).
        if (failed && entry.snapshot) {
          entry.dirty = true;
          this.schedule(entry, this.config.SEAT_MAP_POLL_MS);
        } else if (entry.dirty) {
          this.schedule(entry, 0);
        }
      })
      .catch(() => undefined);
    return loading;
  }

  /**
   * The statuses (one short row), laid on the plan kept from before; the plan is read again when
   * the event has another number of seats than it had (a plan added), and then the statuses
   * once more, so that both describe the same seats.
   */
  private async readSnapshot(entry: Entry): Promise<SeatMapSnapshot> {
    for (let attempt = 1; ; attempt++) {
      const states = await this.seats.seatStates(entry.eventId);
      const snapshot = entry.plan && SeatMapSnapshot.of(entry.eventId, entry.plan, states.codes, states.earliestHoldExpiry);
      if (snapshot) return snapshot;
      if (attempt === 3) throw new Error(`The seats of event ${entry.eventId} kept changing while they were read`);
      entry.plan = new MapPlan(await this.seats.mapPlan(entry.eventId), entry.eventId);
    }
  }

  private apply(entry: Entry, next: SeatMapSnapshot): SeatMapSnapshot {
    const prev = entry.snapshot;
    entry.builtAt = Date.now();
    entry.holdExpiry = next.earliestHoldExpiry;
    // Same content: keep the old snapshot, with the bodies it has already serialised and compressed.
    if (prev && prev.version === next.version) return prev;
    entry.snapshot = next;
    if (prev) {
      for (const handler of this.changeHandlers) {
        try {
          handler(prev, next);
        } catch (e) {
          this.log.error('Seat map change handler failed', e instanceof Error ? e : { error: String(e) });
        }
      }
    }
    return next;
  }

  /** Staleness, expiry and eviction, checked on a short tick rather than one timer per snapshot. */
  private checkEntries(): void {
    const now = Date.now();
    for (const entry of this.entries.values()) {
      if (!entry.followers && !entry.loading && now - entry.lastRead > this.config.SEAT_MAP_IDLE_MS) {
        this.evict(entry);
        continue;
      }
      if (!entry.snapshot || entry.timer || entry.loading) continue;
      const age = now - entry.builtAt;
      const lapsed = entry.holdExpiry !== null && now >= entry.holdExpiry + EXPIRY_MARGIN_MS;
      if (lapsed || age >= this.config.SEAT_MAP_MAX_AGE_MS || (!this.listening && age >= this.config.SEAT_MAP_POLL_MS)) this.schedule(entry, 0);
    }
    if (this.entries.size > this.config.SEAT_MAP_MAX_EVENTS) {
      const idle = [...this.entries.values()].filter((e) => !e.followers && !e.loading).sort((a, b) => a.lastRead - b.lastRead);
      for (const entry of idle.slice(0, this.entries.size - this.config.SEAT_MAP_MAX_EVENTS)) this.evict(entry);
    }
  }

  private evict(entry: Entry): void {
    clearTimeout(entry.timer);
    this.entries.delete(entry.eventId);
  }

  /** At most SEAT_MAP_REFRESH_CONCURRENCY snapshot queries at once; a finishing one hands its slot to the next. */
  private async withQuerySlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.config.SEAT_MAP_REFRESH_CONCURRENCY) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
