import { Counter } from 'prom-client';
import { AppError } from '../errors/app-error';
import { ContextLogger } from '../logging/json-logger';
import { MetricsService } from '../metrics/metrics.service';

/**
 * The platform's rule for a refusal from another of our services. A 401 or 403 to a call made with
 * our own credential (the service token, or a callback's signature) says nothing about the work:
 * it says the two services disagree on a secret or a setting (SERVICE_SECRET, CALLBACK_SECRET, a
 * service name), which an operator fixes. So the work is never dropped for it:
 *
 * - the refusal is logged as an error naming the peer and the likely cause, and counted in
 *   `peer_refusals_total{peer,status}` so an alert fires;
 * - an outbox delivery that meets it stays PENDING and is retried with backoff, however many
 *   attempts it takes (the outbox never marks it DEAD), and goes through once the secret is fixed;
 * - a call made while answering a user's request answers that user 503 DEPENDENCY_MISCONFIGURED:
 *   not a 500, and not a 4xx that would blame the user's request.
 *
 * ServiceClient applies it to every call (it throws PeerRefusedError); a client that does not go
 * through ServiceClient (payment's signed callbacks) calls `refusedBy` itself.
 */
export const isRefusal = (status: number): boolean => status === 401 || status === 403;

/** What an operator is told to check: the secrets and names both services must share. */
const LIKELY_CAUSE = 'the two services do not share the same SERVICE_SECRET (or CALLBACK_SECRET), or SERVICE_NAME differs from what the peer expects';

/**
 * Another of our services refused our credential. An AppError of 503 DEPENDENCY_MISCONFIGURED, so
 * a user's request that meets it gets that; deliberately not an UpstreamError, so code that gives
 * up on a peer's 4xx (a verdict on the work) never gives up on this.
 */
export class PeerRefusedError extends AppError {
  constructor(
    readonly peer: string,
    readonly peerStatus: number,
    /** The peer's error code, when it sent one (e.g. INVALID_TOKEN, SERVICE_ONLY). */
    readonly peerCode?: string,
  ) {
    super(503, 'DEPENDENCY_MISCONFIGURED', `The ${peer} service refused this service's credentials (${peerStatus}): a fault in our configuration, not in your request. Try again later.`);
    this.name = 'PeerRefusedError';
  }
}

/** Where a refusal is recorded: the caller's logger and its service's metrics. */
export interface RefusalRecording {
  log: ContextLogger;
  metrics: MetricsService;
}

const counters = new WeakMap<MetricsService, Counter<'peer' | 'status'>>();

/** The `peer_refusals_total` counter of one service's registry, made on first use. */
export function peerRefusalCounter(metrics: MetricsService): Counter<'peer' | 'status'> {
  let counter = counters.get(metrics);
  if (!counter) {
    counter = metrics.counter({
      name: 'peer_refusals_total',
      help: 'Calls another of our services refused (401/403): a configuration fault, such as SERVICE_SECRET differing between services',
      labelNames: ['peer', 'status'],
    });
    counters.set(metrics, counter);
  }
  return counter;
}

/**
 * Starts a caller's series for `peer` at 0 (401 and 403), so that the alert's query has data, and
 * a dashboard a line, before anything is ever refused.
 */
export function countRefusalsOf(peer: string, metrics: MetricsService): void {
  const counter = peerRefusalCounter(metrics);
  for (const status of ['401', '403']) counter.inc({ peer, status }, 0);
}

/** Records a refusal (error log and counter) and returns the error to throw. */
export function refusedBy(
  peer: string,
  status: number,
  peerCode: string | undefined,
  recording: RefusalRecording,
  fields: Record<string, unknown> = {},
): PeerRefusedError {
  peerRefusalCounter(recording.metrics).inc({ peer, status: String(status) });
  const error = new PeerRefusedError(peer, status, peerCode);
  recording.log.error(
    `The ${peer} service refused our credentials; the work is kept and retried, or the user gets 503`,
    `${peer} answered ${status}${peerCode ? ` ${peerCode}` : ''}`,
    { peer, status, code: peerCode, likelyCause: LIKELY_CAUSE, ...fields },
  );
  return error;
}
