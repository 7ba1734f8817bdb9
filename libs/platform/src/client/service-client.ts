import { AxiosInstance } from 'axios';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitBreakerPolicy,
  CircuitState,
  ExponentialBackoff,
  IPolicy,
  SamplingBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  timeout,
  wrap,
} from 'cockatiel';
import { TokenService } from '../auth/token-service';
import { AppError } from '../errors/app-error';
import { ContextLogger } from '../logging/json-logger';
import { outgoingTraceparent } from '../logging/trace-context';
import { MetricsService } from '../metrics/metrics.service';
import { peerHttp } from './peer-http';
import { countRefusalsOf, isRefusal, refusedBy } from './peer-refusal';

/**
 * Services start side by side and a peer may answer a few seconds after its callers: a background
 * task that has never reached its peer treats failures within this long of its start as "not up
 * yet" (one info line), not as an outage worth a warning.
 */
export const PEER_STARTUP_GRACE_MS = 30_000;

export interface ServiceClientOptions {
  /** The callee's service name: the audience of the credential we send. */
  target: string;
  baseUrl: string;
  tokens: TokenService;
  timeoutMs: number;
  /** Attempts for idempotent calls, the first included. */
  maxAttempts?: number;
  /**
   * The longest Retry-After (on a 429 or 503) a retry waits for; a callee asking for longer is not
   * retried, its answer goes back to the caller at once. Default 2,000 ms.
   */
  maxRetryAfterMs?: number;
  /**
   * The circuit opens when at least this share of calls failed (5xx, 429, no answer) over the last
   * `breakerWindowMs`, once at least `breakerMinimumRps` calls a second were made; it lets a trial
   * call through after `halfOpenAfterMs`. Defaults: half of the calls over 10 s, 2 calls a second, 5 s.
   */
  breakerFailureRate?: number;
  breakerWindowMs?: number;
  breakerMinimumRps?: number;
  halfOpenAfterMs?: number;
  /**
   * Calls in flight to this callee at once (also its keep-alive connections); later calls wait
   * their turn in order, up to `maxQueued` of them, and beyond that are refused at once (503).
   * Defaults: 32 and 2,000.
   */
  maxConcurrent?: number;
  maxQueued?: number;
  /** Where failures are logged; a refusal (401/403) is logged as an error here. */
  log: ContextLogger;
  /** Where a refusal is counted (peer_refusals_total): required, so that no client can miss the alert. */
  metrics: MetricsService;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Safe to send again: GET/PUT/DELETE are, and so is a call carrying an Idempotency-Key header;
   * another POST only when the callee deduplicates it (an operation keyed by its own ids, such as
   * allocate-by-reservation) and the caller says so here.
   */
  idempotent?: boolean;
  /** Send a user's bearer token instead of the service credential (acting on the user's behalf). */
  bearer?: string;
}

/**
 * The callee answered with an error status; a 4xx is the callee's verdict on the request and is
 * not retried. Never a 401/403 to our own credential: that is a PeerRefusedError (peer-refusal.ts).
 */
export class UpstreamError extends Error {
  constructor(
    readonly target: string,
    readonly status: number,
    readonly body: unknown,
    /** The callee's Retry-After, in milliseconds, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`${target} answered ${status}: ${typeof body === 'object' ? JSON.stringify(body) : String(body)}`);
    this.name = 'UpstreamError';
  }
  get code(): string | undefined {
    return (this.body as { error?: string } | undefined)?.error;
  }
}

/** Transport failures and 5xx/429 answers: worth another try. */
const isTransient = (e: unknown) =>
  !(e instanceof UpstreamError) || e.status >= 500 || e.status === 429;

/**
 * What the circuit breaker counts: transient failures, except a 429 or 503 with Retry-After. That
 * callee is up and answering at once, shedding load on purpose and saying when to come back; cutting
 * it off for everyone would turn a busy moment into an outage. A dead or hanging callee still opens it.
 */
const failsCallee = (e: unknown) =>
  isTransient(e) && !(e instanceof UpstreamError && e.retryAfterMs !== undefined && (e.status === 503 || e.status === 429));

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Calls another service over axios: a bounded number of calls in flight (the rest wait in order),
 * a per-attempt timeout, retries for idempotent calls (exponential backoff, or the callee's
 * Retry-After up to `maxRetryAfterMs`, with jitter), a circuit breaker
 * per callee so a dead service fails fast instead of tying up requests, W3C traceparent and the
 * service credential on every call. Policies come from cockatiel.
 */
export class ServiceClient {
  /** One attempt: a place among the calls in flight, then the circuit breaker around a per-attempt timeout. */
  private readonly attempt: IPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly backoff: ExponentialBackoff<unknown>;
  private readonly http: AxiosInstance;

  constructor(private readonly options: ServiceClientOptions) {
    const maxConcurrent = options.maxConcurrent ?? 32;
    this.http = peerHttp(options.baseUrl, maxConcurrent);
    countRefusalsOf(options.target, options.metrics);
    // A failure rate over a window, not N failures in a row: under a flash sale a callee that is
    // merely busy answers a few calls late among hundreds, and N in a row would cut it off for
    // everyone (measured: a breaker of 5 in a row turned a busy seating service into 773 refused orders).
    this.breaker = circuitBreaker(handleWhen(failsCallee), {
      halfOpenAfter: options.halfOpenAfterMs ?? 5000,
      breaker: new SamplingBreaker({
        threshold: options.breakerFailureRate ?? 0.5,
        duration: options.breakerWindowMs ?? 10_000,
        minimumRps: options.breakerMinimumRps ?? 2,
      }),
    });
    // The bulkhead comes first: in a sale, hundreds of requests reach the caller at once, and sent
    // all together to a busy callee they would each wait behind the others past the timeout, open
    // the circuit and fail everyone (measured: 1,219 charges answered 503 in one benchmark run).
    // In line, each call's timeout starts when it is sent, and the callee works at its own pace.
    this.attempt = wrap(bulkhead(maxConcurrent, options.maxQueued ?? 2000), this.breaker, timeout(options.timeoutMs, {
      strategy: TimeoutStrategy.Aggressive,
      // Aborting a call that has already answered only costs a DOMException (with its stack) per call.
      abortOnReturn: false,
    }));
    this.backoff = new ExponentialBackoff({ initialDelay: 100, maxDelay: 2000 });
  }

  async request<T = unknown>(req: RequestOptions): Promise<T> {
    const idempotent =
      req.idempotent ?? (['GET', 'PUT', 'DELETE'].includes(req.method) || Object.keys(req.headers ?? {}).some((h) => h.toLowerCase() === 'idempotency-key'));
    const attempts = idempotent ? Math.max(1, this.options.maxAttempts ?? 3) : 1;
    const maxRetryAfterMs = this.options.maxRetryAfterMs ?? 2000;
    // Retries are ours rather than cockatiel's retry policy, so that every attempt passes the check
    // below. Cockatiel queues a call that meets a half-open circuit behind the trial call and then
    // runs it without its signal, on one process-wide signal that collects an abort listener per
    // queued call (MaxListenersExceededWarning under load).
    let backoff = this.backoff.next();
    for (let attempt = 1; ; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        if (this.breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
        // A signal of this call's own: without one, cockatiel's policies fall back to that shared signal.
        return (await this.attempt.execute(({ signal }) => this.send<T>(req, signal), new AbortController().signal)) as T;
      } catch (e) {
        if (attempt >= attempts || !isTransient(e) || e instanceof BrokenCircuitError) throw this.translate(e, req);
        retryAfterMs = e instanceof UpstreamError ? e.retryAfterMs : undefined;
        if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) throw this.translate(e, req);
      }
      // Never sooner than the callee asked; up to a fifth later, so that the many callers it told
      // "1 second" at the same moment do not all come back in the same instant.
      const delay = retryAfterMs === undefined ? backoff.duration : Math.max(backoff.duration, retryAfterMs * (1 + Math.random() * 0.2));
      await new Promise((resolve) => setTimeout(resolve, delay));
      backoff = backoff.next(undefined);
    }
  }

  private async send<T>(req: RequestOptions, signal: AbortSignal): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      traceparent: outgoingTraceparent(),
      authorization: `Bearer ${req.bearer ?? this.options.tokens.serviceToken(this.options.target)}`,
      ...req.headers,
    };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.http.request<string>({
      method: req.method,
      url: req.path,
      headers,
      data: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal,
    });
    const text = response.data ?? '';
    let body: unknown = text;
    if (text && String(response.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        /* keep the text */
      }
    }
    if (response.status < 200 || response.status > 299) {
      throw new UpstreamError(this.options.target, response.status, body, parseRetryAfter(response.headers['retry-after']));
    }
    return (text ? body : undefined) as T;
  }

  /**
   * Errors the caller can act on: UpstreamError for answers, PeerRefusedError (a 503 AppError) when
   * the callee refused our service credential, 503 AppError when the callee cannot be reached.
   */
  private translate(e: unknown, req: RequestOptions): Error {
    // Refusing a user's token (req.bearer) is a verdict on that user, passed on as it is.
    if (e instanceof UpstreamError && isRefusal(e.status) && !req.bearer) {
      return refusedBy(this.options.target, e.status, e.code, this.options, { method: req.method, path: req.path });
    }
    if (e instanceof UpstreamError) {
      // 5xx and 429 may count towards opening the circuit: say so, or an open circuit has no visible cause.
      if (isTransient(e)) this.options.log.warn('Call to another service failed', { target: this.options.target, method: req.method, path: req.path, status: e.status, code: e.code });
      return e;
    }
    const reason =
      e instanceof BrokenCircuitError
        ? 'circuit open after repeated failures'
        : e instanceof BulkheadRejectedError
          ? 'too many calls waiting for it'
        : e instanceof TaskCancelledError
          ? `no answer within ${this.options.timeoutMs} ms`
          : e instanceof Error
            ? e.message
            : String(e);
    this.options.log.warn('Call to another service failed', { target: this.options.target, method: req.method, path: req.path, reason });
    return new AppError(503, 'DEPENDENCY_UNAVAILABLE', `The ${this.options.target} service is unavailable (${reason})`);
  }
}
