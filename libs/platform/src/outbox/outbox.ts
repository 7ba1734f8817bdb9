import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql';
import { ContextLogger, JsonLogger } from '../logging/json-logger';
import { PeriodicTask } from '../tasks/periodic-task';
import { MetricsService } from '../metrics/metrics.service';
import { Counter } from 'prom-client';
import { PeerRefusedError } from '../client/peer-refusal';

export interface OutboxMessage<T = Record<string, unknown>> {
  id: number;
  topic: string;
  payload: T;
  attempts: number;
  createdAt: Date;
}

/**
 * Delivers one message. Resolve when the receiver has it (it must be idempotent: a message may
 * arrive twice); throw to try again later; throw a PermanentFailure to give up at once. A
 * PeerRefusedError (our credential refused) is always tried again, however often: see peer-refusal.ts.
 */
export type OutboxHandler = (message: OutboxMessage) => Promise<void>;

/** A delivery that can never succeed (the receiver refused it for good): the message goes DEAD. */
export class PermanentFailure extends Error {}

export interface OutboxOptions {
  pollIntervalMs?: number;
  /** Deliveries in flight at once (each claim takes as many as there are free places). */
  batchSize?: number;
  /** How long a delivery may take before another worker may try the message again. */
  leaseSeconds?: number;
  /** Retry delays grow from this ... */
  baseDelayMs?: number;
  /** ... to this, with jitter. */
  maxDelayMs?: number;
  /**
   * After this many attempts a message is DEAD (kept for an operator), not retried forever; unless
   * the last attempt was refused (PeerRefusedError): that waits for the operator's fix instead.
   */
  maxAttempts?: number;
}

/** Writes a message in the caller's transaction. With a dedupe key, a second write of the same key is ignored. */
export async function enqueue(tx: EntityManager, topic: string, payload: unknown, dedupeKey?: string): Promise<void> {
  await tx.query(
    `INSERT INTO outbox (topic, payload, dedupe_key) VALUES ($1, $2, $3) ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`,
    [topic, JSON.stringify(payload), dedupeKey ?? null],
  );
}

/**
 * Writes a message in the caller's transaction already leased to this process, for delivery right
 * after the commit with OutboxWorker.deliverNow: no claim statement (and commit) before the
 * delivery. Should the process die first, the lease runs out and a poll delivers it. null when
 * the dedupe key was enqueued before (that message is delivered on its own).
 */
export async function enqueueLeased(tx: EntityManager, topic: string, payload: unknown, dedupeKey: string | undefined, leaseSeconds: number): Promise<OutboxMessage | null> {
  const [row] = await sqlRows<Record<string, unknown>>(
    tx,
    `INSERT INTO outbox (topic, payload, dedupe_key, attempts, lease_until) VALUES ($1, $2, $3, 1, now() + make_interval(secs => $4))
     ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
     RETURNING id, topic, payload, attempts, created_at`,
    [topic, JSON.stringify(payload), dedupeKey ?? null, leaseSeconds],
  );
  return row ? toMessage(row) : null;
}

const toMessage = (r: Record<string, unknown>): OutboxMessage => ({
  id: Number(r.id),
  topic: r.topic as string,
  payload: r.payload as Record<string, unknown>,
  attempts: Number(r.attempts),
  createdAt: r.created_at as Date,
});

/**
 * The stored outbox's delivery loop: claims due messages with a lease (FOR UPDATE SKIP LOCKED, so
 * replicas share the work), hands each to its topic's handler, marks it SENT, or schedules the
 * next attempt with exponential backoff and jitter. A worker that dies mid-delivery loses its
 * lease and the message is delivered again: at least once, handlers are idempotent.
 * Written here rather than taken from a queue library because the messages must live in the
 * service's own PostgreSQL, in the transaction of the change they follow.
 */
export class OutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly handlers = new Map<string, OutboxHandler>();
  private readonly options: Required<OutboxOptions>;
  private readonly log: ContextLogger;
  private readonly deliveries: Counter<'topic' | 'outcome'>;
  private readonly task: PeriodicTask;
  /** Deliveries started by deliverNow, awaited on shutdown (the pool closes after). */
  private readonly direct = new Set<Promise<void>>();
  private stopped = false;
  /** Counts nudge() calls, so a pass in progress knows to claim again. */
  private nudges = 0;
  /** Wakes a pass in progress that waits for its deliveries. */
  private wake?: () => void;

  constructor(
    private readonly db: DataSource,
    logger: JsonLogger,
    metrics: MetricsService,
    options: OutboxOptions = {},
  ) {
    this.options = { pollIntervalMs: 1000, batchSize: 20, leaseSeconds: 30, baseDelayMs: 500, maxDelayMs: 60_000, maxAttempts: 1000, ...options };
    this.log = logger.forContext('Outbox');
    this.task = new PeriodicTask('Outbox delivery', this.options.pollIntervalMs, () => this.drain(), this.log);
    this.deliveries = metrics.counter({ name: 'outbox_deliveries_total', help: 'Outbox delivery attempts by topic and outcome', labelNames: ['topic', 'outcome'] });
    metrics.gauge({
      name: 'outbox_pending_messages',
      help: 'Messages waiting to be delivered',
      labelNames: ['topic'],
      collect: async function (this: import('prom-client').Gauge<'topic'>) {
        try {
          const rows = await sqlRows<{ topic: string; n: string }>(db, `SELECT topic, count(*) AS n FROM outbox WHERE status = 'PENDING' GROUP BY topic`);
          this.reset();
          for (const r of rows) this.set({ topic: r.topic }, Number(r.n));
        } catch {
          /* database down: health reports it */
        }
      },
    });
    metrics.gauge({
      name: 'outbox_oldest_pending_seconds',
      help: 'Age of the oldest undelivered message (0 when none)',
      collect: async function (this: import('prom-client').Gauge) {
        try {
          const [row] = await sqlRows<{ age: string | null }>(db, `SELECT EXTRACT(EPOCH FROM now() - min(created_at)) AS age FROM outbox WHERE status = 'PENDING'`);
          this.set(Number(row.age ?? 0));
        } catch {
          /* database down */
        }
      },
    });
  }

  handle(topic: string, handler: OutboxHandler): this {
    this.handlers.set(topic, handler);
    return this;
  }

  onApplicationBootstrap(): void {
    this.task.start(true);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
    await Promise.all([...this.direct]);
  }

  /** The lease to give enqueueLeased: the same as a claim's. */
  get leaseSeconds(): number {
    return this.options.leaseSeconds;
  }

  /**
   * Delivers messages written with enqueueLeased, once their transaction has committed (call it
   * after the commit, never inside). Does not wait; a failed delivery is scheduled for retry as
   * any other. Once stopping, they are left to their lease and the next poll.
   */
  deliverNow(messages: (OutboxMessage | null | undefined)[]): void {
    for (const message of messages) {
      if (!message || this.stopped || !this.handlers.has(message.topic)) continue;
      this.startDelivery(message, this.direct);
    }
  }

  /** Deliver now rather than at the next poll (call after committing a transaction that enqueued). */
  nudge(): void {
    this.nudges++;
    this.wake?.();
    this.task.trigger();
  }

  /**
   * One pass: deliver due messages until none are left (or the worker stops), with up to
   * `batchSize` deliveries in flight, claiming more as each one ends. Waiting for a whole batch
   * before claiming the next let one slow delivery hold back every message behind it (measured in
   * a sale: seat allocations queued behind slow notices, 34 s from payment to CONFIRMED at p50).
   */
  async drain(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    // Whether more may be due: the last claim filled every free place, or a nudge came since.
    let more = true;
    let nudgesSeen = this.nudges;
    try {
      while (!this.stopped) {
        if (this.nudges !== nudgesSeen) more = true;
        const room = this.options.batchSize - inFlight.size;
        if (more && room > 0) {
          nudgesSeen = this.nudges;
          const batch = await this.claim(room);
          more = batch.length === room;
          for (const message of batch) this.startDelivery(message, inFlight);
        }
        if (!inFlight.size) {
          if (more && !this.stopped) continue;
          return;
        }
        // Until a delivery ends (a free place) or a nudge says more is due.
        await Promise.race([...inFlight, new Promise<void>((resolve) => (this.wake = resolve))]);
        this.wake = undefined;
      }
    } catch (e) {
      this.log.warn('Outbox pass failed; next poll retries', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      await Promise.all(inFlight);
    }
  }

  /** Starts a delivery that never rejects, kept in `running` until it ends (so a stop can wait for it). */
  private startDelivery(message: OutboxMessage, running: Set<Promise<void>>): void {
    const delivery: Promise<void> = this.deliver(message)
      .catch((e) => this.log.warn('Outbox delivery could not be recorded; the lease runs out and a poll retries', { id: message.id, error: e instanceof Error ? e.message : String(e) }))
      .finally(() => running.delete(delivery));
    running.add(delivery);
  }

  private async claim(limit: number): Promise<OutboxMessage[]> {
    const topics = [...this.handlers.keys()];
    const rows = await sqlRows<Record<string, unknown>>(
      this.db,
      `UPDATE outbox SET lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
        WHERE id IN (SELECT id FROM outbox
                      WHERE status = 'PENDING' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
                        AND topic = ANY ($3)
                      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, topic, payload, attempts, created_at`,
      [limit, this.options.leaseSeconds, topics],
    );
    return rows.map(toMessage);
  }

  private async deliver(message: OutboxMessage): Promise<void> {
    const handler = this.handlers.get(message.topic)!;
    try {
      await handler(message);
      await this.db.query(`UPDATE outbox SET status = 'SENT', sent_at = now(), lease_until = NULL, last_error = NULL WHERE id = $1`, [message.id]);
      this.deliveries.inc({ topic: message.topic, outcome: 'sent' });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      // A refusal of our credential is a configuration fault that an operator fixes (the refusal is
      // logged as an error and counted where it happened): the message waits for the fix.
      const refused = e instanceof PeerRefusedError;
      const dead = !refused && (e instanceof PermanentFailure || message.attempts >= this.options.maxAttempts);
      const delay = retryDelayMs(message.attempts, this.options.baseDelayMs, this.options.maxDelayMs);
      await this.db.query(
        `UPDATE outbox SET status = $2, lease_until = NULL, last_error = $3, next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1`,
        [message.id, dead ? 'DEAD' : 'PENDING', error.slice(0, 2000), delay / 1000],
      );
      this.deliveries.inc({ topic: message.topic, outcome: dead ? 'dead' : refused ? 'refused' : 'retry' });
      const fields = { id: message.id, topic: message.topic, attempts: message.attempts };
      if (dead) this.log.error('Outbox message given up', e, fields);
      else this.log.warn('Outbox delivery failed; will retry', { ...fields, error, retryInMs: delay });
    }
  }
}

/** Exponential backoff with full jitter (a random delay up to the exponential ceiling), capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 20));
  return Math.max(baseMs / 2, Math.round(random() * ceiling));
}
