import { ConfigError, RevocationFeedConfig, SERVICE_URL } from '@etsr/platform';
import { Type } from 'class-transformer';
import { IsInt, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';

/** The development callback secret (the order service's default is the same); refused in production. */
export const DEV_CALLBACK_SECRET = 'dev-only-callback-secret-do-not-use-in-production';

export class PaymentConfig extends RevocationFeedConfig {
  /** The order service: orders are read from it, payment results are called back to it. */
  @IsUrl(SERVICE_URL)
  ORDER_URL: string;

  /** HMAC key of the callbacks to the order service (header x-signature); the order service verifies with the same one. */
  @IsString()
  @MinLength(16)
  CALLBACK_SECRET = DEV_CALLBACK_SECRET;

  /** How long the simulated gateway takes to answer a charge. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  GATEWAY_LATENCY_MS = 50;

  /** How often payments left PENDING by a crash are looked for. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  PAYMENT_RECOVERY_INTERVAL_MS = 5000;

  /** A payment still PENDING this long after it was created is settled by asking the gateway for its status. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  PAYMENT_RECOVERY_AFTER_SECONDS = 30;

  /** How often the callback outbox is polled (deliveries also start at once after each commit). */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  /** Callback retries back off exponentially (with jitter) from this ... */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  CALLBACK_RETRY_BASE_MS = 500;

  /** ... to this. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  CALLBACK_RETRY_MAX_MS = 60_000;
}

export const PAYMENT_METHODS = ['UPI', 'CREDIT_CARD', 'DEBIT_CARD', 'WALLET', 'NETBANKING', 'TEST_DECLINE'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const MAX_AMOUNT_CENTS = 100_000_000;

/**
 * Rules between settings. Recovery asks the gateway about payments PENDING for
 * PAYMENT_RECOVERY_AFTER_SECONDS; a charge still on its way to the gateway must not be taken for
 * one that never arrived, so that age must exceed the longest gateway call (a real gateway's
 * timeout must stay below it too), with a second to spare.
 */
export function checkPaymentConfig(config: PaymentConfig): PaymentConfig {
  if (config.PAYMENT_RECOVERY_AFTER_SECONDS * 1000 < config.GATEWAY_LATENCY_MS + 1000) {
    throw new ConfigError([
      `PAYMENT_RECOVERY_AFTER_SECONDS: must be at least a second longer than a gateway call (GATEWAY_LATENCY_MS = ${config.GATEWAY_LATENCY_MS}) (got ${config.PAYMENT_RECOVERY_AFTER_SECONDS})`,
    ]);
  }
  return config;
}
