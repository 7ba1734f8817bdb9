import { RevocationFeedConfig, SERVICE_URL } from '@etsr/platform';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsUrl, Max, Min } from 'class-validator';

export class SeatingConfig extends RevocationFeedConfig {
  /** How long a hold lasts (default 900 s, the documented 15 minutes). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86400)
  RESERVATION_TTL_SECONDS = 900;

  /** Seats one user may hold at once in one event, over all their live reservations. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  MAX_SEATS_PER_USER_PER_EVENT = 10;

  /** How much longer than its first expiry a hold may be kept while its order is being paid. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86400)
  RESERVATION_MAX_EXTENSION_SECONDS = 900;

  /** How often expired holds are returned to inventory; also the largest lag of doing so. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  SWEEP_INTERVAL_MS = 5000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  SWEEP_BATCH_SIZE = 2000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_SEATS_PER_EVENT = 100_000;

  /** Best-available requests of one event placed together in one transaction, at most. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2000)
  BEST_AVAILABLE_BATCH_SIZE = 200;

  /** Best-available requests of one event waiting on one replica beyond which new ones get 503 BUSY (Retry-After). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  BEST_AVAILABLE_QUEUE_LIMIT = 10_000;

  /** Seat maps: how long a change notification waits for others to share one refresh with. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(5000)
  SEAT_MAP_REFRESH_DELAY_MS = 20;

  /**
   * Seat maps: least time between two refreshes of one event (250 ms = at most 4 map queries a second an
   * event). Each refresh reads and serialises the whole map, so under a sale this sets seating's CPU
   * spent on maps (measured: 100 ms made it the largest part of seating's work in a 10,000-seat sale).
   */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60_000)
  SEAT_MAP_MIN_REFRESH_INTERVAL_MS = 250;

  /** Seat maps: while the change listener is disconnected, snapshots older than this are refreshed (polling). */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(60_000)
  SEAT_MAP_POLL_MS = 500;

  /** Seat maps: a snapshot is refreshed at least this often even without a notification (a safety net). */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  SEAT_MAP_MAX_AGE_MS = 30_000;

  /** Seat maps: a snapshot nobody read (and nobody follows) for this long is dropped. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  SEAT_MAP_IDLE_MS = 60_000;

  /** Seat maps: most events held in memory at once (least recently read ones go first). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  SEAT_MAP_MAX_EVENTS = 200;

  /** Seat maps: most snapshot queries running at once (of all events), so refreshes never crowd out holds in the pool. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  SEAT_MAP_REFRESH_CONCURRENCY = 2;

  /** Live seat feed: most open streams per replica; beyond it, 503 FEED_FULL. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  SEAT_FEED_MAX_SUBSCRIBERS = 2000;

  /** Live seat feed: a comment line this often keeps proxies from closing a quiet stream. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(300_000)
  SEAT_FEED_HEARTBEAT_MS = 15_000;

  /** Waiting room: how often an event's admissions are decided (by one replica at a time) and long-polls are checked. */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(10_000)
  QUEUE_TICK_MS = 250;

  /**
   * Waiting room: the latency objective of a buyer's hold, from hold to paid. Admission grows while
   * holds are paid within it and is cut to what the measured throughput serves within it when they
   * take longer (README "Waiting room"). One service level for every sale: nothing to tune per sale.
   */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.1)
  @Max(3600)
  QUEUE_TARGET_SECONDS = 2;

  /** Waiting room: how long an admission pass is good for (reserve with it within this time). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(3600)
  QUEUE_PASS_TTL_SECONDS = 600;

  /** Waiting room: an admitted buyer counts as active (taking a place in the window) this long before they hold. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  QUEUE_ADMISSION_GRACE_SECONDS = 60;

  /** The catalog service; when set, seat plans are only created for events it knows. */
  @IsOptional()
  @IsUrl(SERVICE_URL)
  CATALOG_URL?: string;
}

/** At most this many seats in one reservation request (issue: "at most 10 seats a request"). */
export const MAX_SEATS_PER_REQUEST = 10;
