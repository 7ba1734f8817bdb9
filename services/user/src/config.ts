import { BaseConfig, SERVICE_URL } from '@etsr/platform';
import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

/** The demo administrator's password; refused in production. */
export const DEV_ADMIN_PASSWORD = 'Admin123!';

export class UserConfig extends BaseConfig {
  /** Access tokens expire in 3600 s by default (docs/api.md#tokens). */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS = 3600;

  @Type(() => Number)
  @IsInt()
  @Min(300)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

  /** bcrypt work factor (issue: cost 10). */
  @Type(() => Number)
  @IsInt()
  @Min(4)
  @Max(15)
  BCRYPT_COST = 10;

  /**
   * bcrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which
   * also serves file, DNS and compression work: new passwords (sign-ups, resets, changes) are
   * hashed BCRYPT_HASH_CONCURRENCY at a time, password checks (logins) BCRYPT_VERIFY_CONCURRENCY
   * at a time, each in its own line, so a crowd signing up does not delay logins.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(16)
  BCRYPT_HASH_CONCURRENCY = 1;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(16)
  BCRYPT_VERIFY_CONCURRENCY = 2;

  /** Password hashings waiting in each line beyond which a request gets 503 BUSY (Retry-After: 1). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  BCRYPT_QUEUE_LIMIT = 1000;

  /**
   * Login attempts for one username from one client address per window before 429 (a success
   * resets it). Per address, so that guessing from one place cannot lock the owner out everywhere.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_MAX_ATTEMPTS_PER_USERNAME = 5;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_USERNAME_WINDOW_SECONDS = 300;

  /**
   * Login attempts for one username from all addresses together per window: the slower limit
   * against guessing spread over many addresses. Locking an owner out through it takes this many
   * attempts an hour from as many addresses as the per-address limit demands.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT = 100;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_ACCOUNT_WINDOW_SECONDS = 3600;

  /** Registrations from one client address per window before 429. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  REGISTRATIONS_PER_IP = 20;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  REGISTRATION_WINDOW_SECONDS = 600;

  /** Login attempts one client address may make per window, whatever the username. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_MAX_ATTEMPTS_PER_IP = 30;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_IP_WINDOW_SECONDS = 60;

  /** The notification service, which e-mails password setup and reset tokens. When unset, no e-mail is sent (logged instead). */
  @IsOptional()
  @IsUrl(SERVICE_URL)
  NOTIFICATION_URL?: string;

  /** Where buyers reach this service (the ingress, in a cluster): the e-mails point there to set a password. */
  @IsUrl(SERVICE_URL)
  PUBLIC_URL = 'http://localhost:8081';

  /** How long a password reset token lasts; short, since it is sent on request to whoever owns the e-mail. */
  @Type(() => Number)
  @IsInt()
  @Min(300)
  @Max(86400)
  RESET_TTL_SECONDS = 3600;

  /** Reset requests one e-mail address may make per window (each sends an e-mail, so it is kept low). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RESET_MAX_PER_EMAIL = 3;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  RESET_WINDOW_SECONDS = 3600;

  /** How often the outbox is checked for e-mails to hand to the notification service. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  /** When ADMIN_PASSWORD is set, an ADMIN account with these credentials is created at start if missing. */
  @IsString()
  @Matches(/^[A-Za-z0-9_]{3,50}$/)
  ADMIN_USERNAME = 'admin';

  @IsEmail()
  ADMIN_EMAIL = 'admin@example.com';

  @IsOptional()
  @IsString()
  @MinLength(8)
  ADMIN_PASSWORD?: string;
}
