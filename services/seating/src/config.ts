import { BaseConfig, SERVICE_URL } from '@etsr/platform';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';

export class SeatingConfig extends BaseConfig {
  /** How long a hold lasts (CONTRACT: default 900 s). */
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

  /** The catalog service; when set, seat plans are only created for events it knows. */
  @IsOptional()
  @IsUrl(SERVICE_URL)
  CATALOG_URL?: string;
}

/** At most this many seats in one reservation request (issue: "at most 10 seats a request"). */
export const MAX_SEATS_PER_REQUEST = 10;
