import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { IsOriginList, parseOriginList } from './cors-origins';
import { IsTrustProxy, TrustProxy, parseTrustProxy } from './trust-proxy';

/** @IsUrl options of a setting that is the http(s) address of another service (host names without a TLD). */
export const SERVICE_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * Settings every service reads. A service's own config class extends this one; `loadConfig` fills
 * it from the environment once at boot. Property names are the environment variable names, so an
 * error message can name the variable a user has to fix.
 */
export class BaseConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** Set by each service's main.ts; used in logs, metrics and service credentials. */
  @IsString()
  SERVICE_NAME: string;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number;

  @IsString()
  HOST = '0.0.0.0';

  /** postgres://user:password@host:port/database of this service's own database. */
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /** Per-statement ceiling so a stuck query cannot hold a pool connection forever. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  DB_STATEMENT_TIMEOUT_MS = 15000;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  DB_CONNECT_RETRIES = 10;

  /**
   * Parameterised statements as named prepared statements, parsed and planned once per connection
   * (database/preparing-client.ts). Turn off behind a connection pooler in transaction mode.
   */
  @Transform(({ value }) => parseBoolean(value))
  @IsBoolean()
  DB_PREPARED_STATEMENTS = true;

  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  LOG_LEVEL = 'info';

  /** Secret that signs and verifies user access tokens (HS256). */
  @IsString()
  @MinLength(16)
  JWT_SECRET = DEV_DEFAULT_SECRETS.JWT_SECRET;

  /** Secret for service-to-service credentials; different from JWT_SECRET so a user token can never pass as one. */
  @IsString()
  @MinLength(16)
  SERVICE_SECRET = DEV_DEFAULT_SECRETS.SERVICE_SECRET;

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 262144;

  /**
   * Whose X-Forwarded-For (the client address: login limits, logs) and X-Forwarded-Proto (HSTS) to
   * believe: the proxies in front, by address/CIDR list or hop count. Nobody by default, so a client
   * talking to the service directly cannot choose its own address; `true` is refused in production.
   */
  @Transform(({ value }) => parseTrustProxy(value))
  @IsTrustProxy()
  TRUST_PROXY: TrustProxy = false;

  /**
   * Web origins whose pages may call this service from a browser (CORS), e.g. a storefront on
   * another domain. None by default: same-origin callers and non-browser clients need no entry.
   */
  @Transform(({ value }) => parseOriginList(value))
  @IsOriginList()
  CORS_ORIGINS: string[] = [];

  /**
   * Connections waiting to be accepted (the kernel caps it at net.core.somaxconn). Node's default
   * of 511 overflowed when 1,000 seat-map pages and 500 buyers connected in the first second of a
   * sale: the kernel dropped their SYNs, and a quarter of the readers waited over 10 s to connect.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  LISTEN_BACKLOG = 4096;

  /**
   * Requests that may start their work in one turn of the event loop; more wait for the next
   * turns, in arrival order (see LoopTurnGate). Health and metrics never wait. 0 turns it off.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  REQUESTS_PER_LOOP_TURN = 8;

  /** How often the token revocation feed is asked for news: a revocation takes effect within about this. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(5000)
  TOKEN_REVOCATION_POLL_MS = 1000;

  /** Timeout of one call to another service, per attempt. */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  HTTP_CLIENT_TIMEOUT_MS = 5000;

  @IsOptional()
  @IsString()
  VERSION?: string;

  /**
   * The OpenAPI UI at /docs and its JSON at /docs-json. Unset: on, except with NODE_ENV=production,
   * where the API's full description is a map for an attacker and of no use to a buyer.
   */
  @IsOptional()
  @Transform(({ value }) => parseBoolean(value))
  @IsBoolean()
  DOCS_ENABLED?: boolean;

  /**
   * When set, /metrics and /actuator/prometheus are served on this port only, by a listener of
   * their own on HOST (for Prometheus inside the deployment), and PORT answers them 404. Unset:
   * they are on PORT, where docker-compose's and Kubernetes' scrape configurations look for them.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;
}

/** Whether this service serves /docs and /docs-json (DOCS_ENABLED, else off in production only). */
export const docsEnabled = (config: BaseConfig): boolean => config.DOCS_ENABLED ?? config.NODE_ENV !== 'production';

/**
 * Settings of a service that follows the user service's feed of revoked access tokens: every
 * service but the user service (which reads its own database, and so has no USER_URL to set).
 */
export class RevocationFeedConfig extends BaseConfig {
  /** The user service. Unset, revoked tokens (blocked users, logouts) are accepted until they expire. */
  @IsOptional()
  @IsUrl(SERVICE_URL)
  USER_URL?: string;
}

/**
 * Development-only defaults. `loadConfig` refuses them when NODE_ENV=production, so a deployment
 * that forgot to set a secret fails at start instead of running with a published key.
 */
export const DEV_DEFAULT_SECRETS = {
  JWT_SECRET: 'dev-only-jwt-secret-do-not-use-in-production',
  SERVICE_SECRET: 'dev-only-service-secret-do-not-use-in-production',
} as const;

/** "true"/"false" (and 1/0, yes/no, on/off) from the environment; anything else is left for @IsBoolean to refuse. */
export function parseBoolean(value: unknown): boolean | unknown {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return value;
}
