import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JsonLogger, PEER_STARTUP_GRACE_MS } from '@etsr/platform';
import { SeatingClient } from '../clients/seating.client';
import { CatalogConfig } from '../config';
import { AvailabilityRepository } from '../repositories/availability.repository';
import { CatalogMetrics, SyncOutcome } from './catalog-metrics';

/** The next delta request starts this much before seating's asOf: changes committed late are not missed. */
export const CURSOR_OVERLAP_MS = 10_000;
/** While seating is unreachable, one warning a minute at most. */
export const WARN_EVERY_MS = 60_000;
/** Until a cycle first reaches seating, failures within this long of the start are one info line. */
export const STARTUP_GRACE_MS = PEER_STARTUP_GRACE_MS;

/**
 * Keeps events.available_seats close to the seating service's counts, without reading its database:
 * a pull. Every AVAILABILITY_SYNC_INTERVAL_MS one replica (the one that gets the advisory lock, if
 * no replica has run within the interval) asks seating for the events whose seats changed since the
 * shared cursor, and writes the absolute counts in one UPDATE. The first cycle of a process, and
 * every AVAILABILITY_FULL_SYNC_EVERY-th cycle, asks for all events (full resync). See README.md.
 */
@Injectable()
export class AvailabilitySyncService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<SyncOutcome>;
  private running = false;
  /** The first cycle this process runs is a full one. */
  private fullSyncDone = false;
  private failing = false;
  private lastWarnAt = 0;
  private suppressedWarnings = 0;
  private readonly startedAt = Date.now();
  /** A cycle of this process has reached seating. */
  private reached = false;
  /** Failed within the start-up grace, told at info level. */
  private waiting = false;
  /** The clock; tests move it. */
  now: () => number = Date.now;

  constructor(
    private readonly config: CatalogConfig,
    private readonly seating: SeatingClient,
    private readonly availability: AvailabilityRepository,
    private readonly metrics: CatalogMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(AvailabilitySyncService.name);
  }

  onApplicationBootstrap(): void {
    if (!this.seating.configured) {
      this.log.info('Availability sync is off: SEATING_URL is not set');
      return;
    }
    this.running = true;
    this.log.info('Availability sync is on', {
      seatingUrl: this.config.SEATING_URL,
      intervalMs: this.config.AVAILABILITY_SYNC_INTERVAL_MS,
      fullSyncEvery: this.config.AVAILABILITY_FULL_SYNC_EVERY,
    });
    this.schedule(0);
  }

  /** Stops before the database pool closes (onApplicationShutdown of TypeORM), letting a running cycle finish. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** One cycle; never throws. Exposed for tests. */
  async runOnce(): Promise<SyncOutcome> {
    let outcome: SyncOutcome;
    try {
      const attempt = await this.availability.withSyncLock(async (session) => {
        const state = await session.readState(this.config.AVAILABILITY_SYNC_INTERVAL_MS * 0.8);
        if (!state.due) return 'not_due' as const;
        const full = !this.fullSyncDone || state.changedSince === null || state.runsSinceFull >= this.config.AVAILABILITY_FULL_SYNC_EVERY - 1;
        const snapshot = await this.seating.availability(full ? undefined : state.changedSince!);
        const changed = await session.apply(snapshot.events, {
          changedSince: new Date(snapshot.asOf.getTime() - CURSOR_OVERLAP_MS),
          runsSinceFull: full ? 0 : state.runsSinceFull + 1,
        });
        if (full) this.fullSyncDone = true;
        if (snapshot.skipped) this.log.warn('Seating listed entries that are not seat counts; skipped them', { skipped: snapshot.skipped });
        if (changed.length) {
          this.metrics.syncUpdates.inc(changed.length);
          this.log.debug('Available seats updated', { events: changed.length, listed: snapshot.events.length, full });
        }
        return full ? ('full' as const) : ('delta' as const);
      });
      outcome = attempt.locked ? attempt.result : 'busy';
      if (outcome === 'full' || outcome === 'delta') {
        if (this.failing) {
          this.failing = false;
          this.log.info('Availability sync works again', { suppressedWarnings: this.suppressedWarnings });
          this.suppressedWarnings = 0;
        } else if (this.waiting && !this.reached) {
          this.log.info('Availability sync reached seating', { afterMs: this.now() - this.startedAt });
        }
        this.reached = true;
      }
    } catch (e) {
      outcome = 'failed';
      if (!this.reached && this.now() - this.startedAt < STARTUP_GRACE_MS) this.waitForSeating(e);
      else this.warnThrottled(e);
    }
    this.metrics.syncCycles.inc({ outcome });
    return outcome;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.runOnce();
      void this.inFlight.finally(() => {
        this.inFlight = undefined;
        this.schedule(this.config.AVAILABILITY_SYNC_INTERVAL_MS);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private waitForSeating(e: unknown): void {
    if (!this.waiting) {
      this.log.info('Seating does not answer yet (it may still be starting); the availability sync keeps trying', {
        reason: (e instanceof Error ? e.message : String(e)).slice(0, 300),
        graceMs: STARTUP_GRACE_MS,
      });
    }
    this.waiting = true;
  }

  private warnThrottled(e: unknown): void {
    this.failing = true;
    const now = this.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) {
      this.suppressedWarnings++;
      return;
    }
    this.lastWarnAt = now;
    const reason = (e instanceof Error ? e.message : String(e)).slice(0, 300);
    this.log.warn('Availability sync failed; available_seats may lag until it works again (next warning in a minute at most)', {
      reason,
      suppressedWarnings: this.suppressedWarnings,
    });
    this.suppressedWarnings = 0;
  }
}
