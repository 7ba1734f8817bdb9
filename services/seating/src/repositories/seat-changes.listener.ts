import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Client, Notification } from 'pg';
import { JsonLogger } from '@etsr/platform';
import { SeatingConfig } from '../config';

/** The channel the seats triggers notify on (migration SeatChangeNotify1764700000200); the payload is an event id. */
export const SEAT_CHANGES_CHANNEL = 'seat_changes';

const MAX_BACKOFF_MS = 5000;
/** A LISTEN connection can die without a word (a partition, a restarted proxy): it is pinged this often. */
const PING_INTERVAL_MS = 15_000;

/**
 * LISTENs for seat changes on one dedicated PostgreSQL connection of its own (not the pool's: a
 * LISTEN lives as long as its session). If the connection drops, it says so (`onStatus(false)`:
 * notifications may be missed until it is back) and reconnects with a growing, jittered backoff;
 * once listening again it says so too, so callers can catch up on what they missed.
 */
@Injectable()
export class SeatChangesListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private client?: Client;
  private attempt = 0;
  private retry?: NodeJS.Timeout;
  private ping?: NodeJS.Timeout;
  private stopped = false;
  private readonly changeHandlers: ((eventId: number) => void)[] = [];
  private readonly statusHandlers: ((listening: boolean) => void)[] = [];
  private readonly log;

  constructor(
    private readonly config: SeatingConfig,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SeatChangesListener.name);
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  onChange(handler: (eventId: number) => void): void {
    this.changeHandlers.push(handler);
  }

  onStatus(handler: (listening: boolean) => void): void {
    this.statusHandlers.push(handler);
  }

  onApplicationBootstrap(): void {
    void this.connect();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.config.DATABASE_URL,
      application_name: `${this.config.SERVICE_NAME}-listener`,
      keepAlive: true,
      connectionTimeoutMillis: 5000,
      query_timeout: 5000,
    });
    let lost = false;
    const onLost = (error?: unknown) => {
      if (lost) return;
      lost = true;
      this.lost(client, error);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n: Notification) => this.notified(n));
    try {
      await client.connect();
      await client.query(`LISTEN ${SEAT_CHANGES_CHANNEL}`);
    } catch (e) {
      onLost(e);
      return;
    }
    if (lost) return;
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.attempt) this.log.info('Listening for seat changes again', { attempts: this.attempt });
    this.attempt = 0;
    this.ping = setInterval(() => client.query('SELECT 1').catch(onLost), PING_INTERVAL_MS).unref();
    for (const h of this.statusHandlers) h(true);
  }

  private lost(client: Client, error?: unknown): void {
    const wasListening = this.client === client;
    if (wasListening) {
      this.client = undefined;
      clearInterval(this.ping);
      for (const h of this.statusHandlers) h(false);
    }
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = Math.round(Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.attempt) * (0.5 + Math.random() / 2));
    if (wasListening || this.attempt === 0) {
      this.log.warn('Seat change listener lost its connection; seat maps are refreshed by polling until it is back', {
        error: error instanceof Error ? error.message : error === undefined ? 'connection ended' : String(error),
        retryInMs: delay,
      });
    }
    this.attempt++;
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }

  private notified(n: Notification): void {
    if (n.channel !== SEAT_CHANGES_CHANNEL) return;
    const eventId = Number(n.payload);
    if (!Number.isSafeInteger(eventId) || eventId < 1) return;
    for (const h of this.changeHandlers) h(eventId);
  }
}
