import { ConfigError, RevocationFeedConfig } from '@etsr/platform';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export const SMS_PROVIDERS = ['log'] as const;
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];

export class NotificationConfig extends RevocationFeedConfig {
  /**
   * The SMTP server e-mail goes through: smtp://host:port (STARTTLS when the server offers it) or
   * smtps://host:port (TLS from the start). Required: start-up fails fast without it.
   * Credentials may be in the URL (smtp://user:password@host:587) or in SMTP_USER / SMTP_PASSWORD.
   */
  @IsUrl({ protocols: ['smtp', 'smtps'], require_tld: false, require_protocol: true, require_port: false })
  SMTP_URL: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  SMTP_USER?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  SMTP_PASSWORD?: string;

  /** Sender of every e-mail: an address, or a name and an address in angle brackets. */
  @IsString()
  @MinLength(3)
  @MaxLength(200)
  @Matches(/^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, { message: 'MAIL_FROM must be an address or "Name <address>"' })
  MAIL_FROM = 'Event Tickets <tickets@example.com>';

  /**
   * The right-hand side of every e-mail's Message-ID, `<notification-{id}@{domain}>`: a domain we
   * own, so the id is unique worldwide. Defaults to the domain of MAIL_FROM.
   */
  @IsOptional()
  @Matches(/^(?=.{1,200}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/, { message: 'MAIL_MESSAGE_ID_DOMAIN must be a domain name' })
  MAIL_MESSAGE_ID_DOMAIN?: string;

  /** Where SMS go. `log`: one JSON log line per SMS (development; no real provider is wired yet). */
  @IsIn(SMS_PROVIDERS)
  SMS_PROVIDER: SmsProviderName = 'log';

  /** How often the sender looks for due notifications (it also runs at once after an event arrives). */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  NOTIFICATION_SEND_INTERVAL_MS = 1000;

  /** Attempts per notification before it is FAILED for good. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  NOTIFICATION_MAX_ATTEMPTS = 20;

  /** Retry delays grow from this (exponential backoff with full jitter) … */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  NOTIFICATION_RETRY_BASE_MS = 1000;

  /** … up to this. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  NOTIFICATION_RETRY_MAX_MS = 300_000;

  /** Notifications being sent at once; more are claimed as sends end. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  NOTIFICATION_BATCH_SIZE = 16;

  /** SMTP: the longest wait for the TCP (and TLS) connection. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  SMTP_CONNECTION_TIMEOUT_MS = 10_000;

  /** SMTP: the longest wait for the server's greeting once connected. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  SMTP_GREETING_TIMEOUT_MS = 30_000;

  /**
   * SMTP: the longest silence while waiting for any one reply, the one to the end of DATA
   * included. A server that has the whole message but answers late has usually queued it: the
   * longer we wait for that answer, the rarer a resend it did not need.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  SMTP_SOCKET_TIMEOUT_MS = 60_000;

  /**
   * The most one whole attempt may take. At this point the attempt is aborted (the SMTP connection
   * is closed) and only then counted as failed, so its retry never runs beside it.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  NOTIFICATION_SEND_TIMEOUT_MS = 120_000;

  /**
   * A claimed notification belongs to its sender for this long: longer than a whole attempt, so it
   * is only taken over from a sender that died. Then another (or the restarted one) sends it again.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  NOTIFICATION_LEASE_SECONDS = 300;

  /** The Message-ID domain in use: MAIL_MESSAGE_ID_DOMAIN, or that of MAIL_FROM. */
  get messageIdDomain(): string {
    return this.MAIL_MESSAGE_ID_DOMAIN ?? /@([^<>@\s]+?)>?$/.exec(this.MAIL_FROM)![1];
  }
}

/**
 * Checks that span several settings, and moves a password out of SMTP_URL into SMTP_PASSWORD so
 * that the URL can be logged (the start-up log describes the config; only names like *PASSWORD*
 * are masked there).
 */
export function finishNotificationConfig(config: NotificationConfig): NotificationConfig {
  const problems: string[] = [];
  if (config.NOTIFICATION_LEASE_SECONDS * 1000 < 2 * config.NOTIFICATION_SEND_TIMEOUT_MS) {
    problems.push('NOTIFICATION_LEASE_SECONDS must be at least twice NOTIFICATION_SEND_TIMEOUT_MS, or a slow send could be taken over while it runs');
  }
  for (const name of ['SMTP_CONNECTION_TIMEOUT_MS', 'SMTP_GREETING_TIMEOUT_MS', 'SMTP_SOCKET_TIMEOUT_MS'] as const) {
    if (config[name] > config.NOTIFICATION_SEND_TIMEOUT_MS) problems.push(`${name} must not exceed NOTIFICATION_SEND_TIMEOUT_MS, the whole attempt`);
  }
  if (config.NOTIFICATION_RETRY_MAX_MS < config.NOTIFICATION_RETRY_BASE_MS) {
    problems.push('NOTIFICATION_RETRY_MAX_MS must not be below NOTIFICATION_RETRY_BASE_MS');
  }
  const url = new URL(config.SMTP_URL);
  if (url.password) {
    if (config.SMTP_PASSWORD) problems.push('SMTP_URL carries a password and SMTP_PASSWORD is set too; keep one');
    config.SMTP_PASSWORD = decodeURIComponent(url.password);
    config.SMTP_USER ??= decodeURIComponent(url.username);
    url.password = '';
    url.username = '';
    config.SMTP_URL = url.toString();
  } else if (url.username) {
    config.SMTP_USER ??= decodeURIComponent(url.username);
    url.username = '';
    config.SMTP_URL = url.toString();
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}
