import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AppError, FastifyReply, JsonLogger, currentTrace, mapError, notFound } from '@etsr/platform';
import { SeatingConfig } from '../config';
import { SeatMapSnapshot, diffSnapshots } from './seat-map-snapshot';
import { SeatMapService } from './seat-map.service';
import { SeatingMetrics } from './seating-metrics';

/** A subscriber whose socket has this much unsent is too slow to follow: it is cut off (it reconnects and reloads). */
const MAX_BUFFERED_BYTES = 1 << 20;
/** How long an EventSource waits before reconnecting (sent in the stream). */
const RETRY_MS = 3000;

interface Subscriber {
  eventId: number;
  res: ServerResponse;
  unfollow: () => void;
  closed: boolean;
}

/**
 * The live seat feed: Server-Sent Events per event, fed by the seat map snapshots (which follow
 * PostgreSQL notifications, so a change made through any replica reaches every replica's
 * subscribers). Each change is diffed and serialised once and the same bytes are written to every
 * subscriber: no per-subscriber work but the write, no database work at all per subscriber.
 *
 * Stream: first message `{version, map, reload}` (`reload`: the client's Last-Event-ID is not the
 * current version, so it must fetch the map at `map`); then on every refresh that changed
 * something `{version, previous, changes:[[seatId, status], ...]}` with `id: version`; a comment
 * line as a heartbeat. Changes are states, not events: two changes of one seat within one refresh
 * arrive as its latest status.
 */
@Injectable()
export class SeatFeedService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly subscribers = new Map<number, Set<Subscriber>>();
  private count = 0;
  private closing = false;
  private heartbeat?: NodeJS.Timeout;
  private readonly log;

  constructor(
    private readonly config: SeatingConfig,
    private readonly maps: SeatMapService,
    private readonly metrics: SeatingMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SeatFeedService.name);
    maps.onSnapshotChange((prev, next) => this.publish(prev, next));
    metrics.feedSubscribers.set(0);
  }

  onApplicationBootstrap(): void {
    const beat = Buffer.from(': heartbeat\n\n');
    this.heartbeat = setInterval(() => {
      for (const set of this.subscribers.values()) for (const s of set) this.write(s, beat);
    }, this.config.SEAT_FEED_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Ends every open stream first thing on shutdown, or the HTTP server would wait for them forever. */
  onModuleDestroy(): void {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const set of this.subscribers.values()) for (const s of set) s.res.end();
  }

  /** How many streams are open on this replica. */
  get subscriberCount(): number {
    return this.count;
  }

  /** Opens a stream on `reply` (which it takes over from Fastify), or throws a 404/503 before anything is sent. */
  async subscribe(eventId: number, lastEventId: string | undefined, reply: FastifyReply): Promise<void> {
    if (this.unavailable(reply)) return;
    await this.maps.snapshot(eventId);
    // The latest snapshot, taken in the same tick as registering: no change can fall in between.
    const snapshot = this.maps.current(eventId);
    if (!snapshot?.exists) throw notFound(`Event ${eventId} has no seats`, 'EVENT_NOT_FOUND');
    if (this.unavailable(reply)) return;

    // Taken over from Fastify: no serialiser, no onSend hooks (so no compression buffering), no reply timeout.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const subscriber: Subscriber = { eventId, res, unfollow: this.maps.follow(eventId), closed: false };
    let set = this.subscribers.get(eventId);
    if (!set) this.subscribers.set(eventId, (set = new Set()));
    set.add(subscriber);
    this.count++;
    this.metrics.feedSubscribers.set(this.count);
    res.on('close', () => this.drop(subscriber));
    res.on('error', () => this.drop(subscriber));

    const first = { version: snapshot.version, map: `/v1/seats?eventId=${eventId}`, reload: lastEventId !== snapshot.version };
    this.write(subscriber, Buffer.from(`retry: ${RETRY_MS}\nid: ${snapshot.version}\ndata: ${JSON.stringify(first)}\n\n`));
  }

  /**
   * Answers 503 (the one error body, with Retry-After) when full or shutting down. Sent here rather
   * than thrown: a crowd refused at the cap is expected load, not thousands of error logs with stacks.
   */
  private unavailable(reply: FastifyReply): boolean {
    let error: AppError | undefined;
    if (this.closing) {
      error = new AppError(503, 'SHUTTING_DOWN', 'This server is shutting down; reconnect', undefined, { 'Retry-After': '1' });
    } else if (this.count >= this.config.SEAT_FEED_MAX_SUBSCRIBERS) {
      error = new AppError(503, 'FEED_FULL', 'Too many live seat feed subscribers on this server; poll the seat map or retry later', { maxSubscribers: this.config.SEAT_FEED_MAX_SUBSCRIBERS }, { 'Retry-After': '5' });
    }
    if (!error) return false;
    this.metrics.feedRefused.inc({ reason: error.code });
    const mapped = mapError(error, { traceId: currentTrace()?.traceId, path: '/v1/seats/stream' });
    for (const [name, value] of Object.entries(mapped.headers)) reply.header(name, value);
    reply.status(503).type('application/json; charset=utf-8').send(mapped.body);
    return true;
  }

  /** One diff and one serialisation per change, the same bytes written to every subscriber of the event. */
  private publish(prev: SeatMapSnapshot, next: SeatMapSnapshot): void {
    const set = this.subscribers.get(next.eventId);
    if (!set?.size) return;
    const { changes, reload } = diffSnapshots(prev, next);
    const data = { version: next.version, previous: prev.version, changes, ...(reload ? { reload } : {}) };
    const message = Buffer.from(`id: ${next.version}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const s of set) this.write(s, message);
  }

  private write(s: Subscriber, message: Buffer): void {
    if (s.closed) return;
    if (s.res.writableLength > MAX_BUFFERED_BYTES) {
      this.log.warn('Seat feed subscriber too slow; disconnected', { eventId: s.eventId, bufferedBytes: s.res.writableLength });
      s.res.destroy();
      return;
    }
    s.res.write(message);
  }

  private drop(s: Subscriber): void {
    if (s.closed) return;
    s.closed = true;
    const set = this.subscribers.get(s.eventId);
    set?.delete(s);
    if (set && !set.size) this.subscribers.delete(s.eventId);
    this.count--;
    this.metrics.feedSubscribers.set(this.count);
    s.unfollow();
  }
}
