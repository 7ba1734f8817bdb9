import { RevocationFeedConfig, SERVICE_URL } from '@etsr/platform';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';

export class CatalogConfig extends RevocationFeedConfig {
  /**
   * Base URL of the seating service (http://seating:8082). The availability sync pulls seat counts
   * from it; unset (or empty) switches the sync off, and available_seats then only changes when an
   * admin changes total_seats.
   */
  @Transform(({ value }) => (typeof value === 'string' && value.trim() === '' ? undefined : value))
  @IsOptional()
  @IsUrl(SERVICE_URL)
  SEATING_URL?: string;

  /** Pause between two availability sync cycles; the lag of available_seats is about this long. */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  AVAILABILITY_SYNC_INTERVAL_MS = 2000;

  /** Every this many cycles the sync asks for every event (no changedSince): a full resync. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  AVAILABILITY_FULL_SYNC_EVERY = 30;

  /** How often seat layouts of new events still undelivered to seating are retried (delivery is at once after the commit). */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  /**
   * How often events move on by their dates: UPCOMING → ONGOING at start_date, → COMPLETED at
   * end_date. One idempotent UPDATE, so every replica may run it.
   */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  EVENT_STATUS_INTERVAL_MS = 60_000;
}
