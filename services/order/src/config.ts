import { RevocationFeedConfig, SERVICE_URL } from '@etsr/platform';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

/** Development-only values, refused in production. */
export const DEV_CALLBACK_SECRET = 'dev-only-callback-secret-do-not-use-in-production';
/** A fixed Ed25519 seed for development tickets (hex); production must set TICKET_SIGNING_KEY. */
export const DEV_TICKET_SIGNING_KEY = 'dev-only-ed25519-seed-0000000000000000000000000000000000000000000000';

export class OrderConfig extends RevocationFeedConfig {
  @IsUrl(SERVICE_URL)
  SEATING_URL: string;

  @IsUrl(SERVICE_URL)
  PAYMENT_URL: string;

  /** The catalog, for the event's name in the buyer's e-mails; optional. */
  @IsOptional()
  @IsUrl(SERVICE_URL)
  CATALOG_URL?: string;

  /** When unset, notifications are not sent (logged instead). */
  @IsOptional()
  @IsUrl(SERVICE_URL)
  NOTIFICATION_URL?: string;

  /** HMAC secret of payment callbacks; the payment service signs with the same one. */
  @IsString()
  @MinLength(16)
  CALLBACK_SECRET = DEV_CALLBACK_SECRET;

  /**
   * Ticket signing key: an Ed25519 private key as PKCS#8 PEM, or a 64-hex-digit seed. Scanners
   * verify tickets offline with the public key published at /v1/tickets/public-key.
   */
  @IsString()
  @MinLength(32)
  TICKET_SIGNING_KEY = DEV_TICKET_SIGNING_KEY;

  /** Tax is TAX_PERCENT of the seats' price (default 10), as the README documents. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100)
  TAX_PERCENT = 10;

  @IsString()
  @Matches(/^[A-Z]{3}$/)
  CURRENCY = 'INR';

  /**
   * Orders placed at once on this replica; later ones wait in line, and beyond the queue limit get
   * 503 BUSY with Retry-After. In an on-sale, hundreds of buyers order in the same second: placed
   * all at once they starve the work that finishes bookings (payment callbacks, allocations).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  ORDER_CREATE_CONCURRENCY = 16;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000)
  ORDER_CREATE_QUEUE_LIMIT = 2000;

  /**
   * The lease on an order's Idempotency-Key while it is being placed, renewed every third of it by
   * the request placing it: a retry after that request's process died takes the key over once the
   * lease lapses (a live one is answered 409 REQUEST_IN_PROGRESS with Retry-After).
   */
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(120)
  IDEMPOTENCY_LEASE_SECONDS = 5;

  /** How long the seats stay held for an order from its creation, at least (capped by seating). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3600)
  ORDER_HOLD_SECONDS = 600;

  /** The reconciler settles orders left unpaid or unconfirmed: how often, and after how long. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  RECONCILE_INTERVAL_MS = 10_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RECONCILE_AFTER_SECONDS = 30;

  @Type(() => Number)
  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS = 1000;
}
