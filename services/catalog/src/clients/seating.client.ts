import { Injectable } from '@nestjs/common';
import { JsonLogger, MetricsService, SectionDto, ServiceClient, TokenService } from '@etsr/platform';
import { CatalogConfig } from '../config';
import type { SeatCount } from '../repositories/availability.repository';

/** The answer of seating's GET /internal/v1/availability, checked. */
export interface AvailabilitySnapshot {
  /** Seating's clock when it read the counts. */
  asOf: Date;
  events: SeatCount[];
  /** Entries that were not { eventId: positive integer, availableSeats: integer >= 0 }, skipped. */
  skipped: number;
}

const MAX_INT4 = 2_147_483_647;

/** Thrown when seating answers 2xx with a body that is not an availability document. */
export class InvalidSnapshotError extends Error {
  override name = 'InvalidSnapshotError';
}

/**
 * Calls the seating service with the platform's ServiceClient (service credential for audience
 * "seating", traceparent, timeout, circuit breaker). One attempt per call: the sync's next cycle is
 * the retry, and a dead seating service should cost one fast failure per cycle, not three slow ones.
 */
@Injectable()
export class SeatingClient {
  private readonly client?: ServiceClient;

  constructor(config: CatalogConfig, tokens: TokenService, logger: JsonLogger, metrics: MetricsService) {
    if (config.SEATING_URL) {
      this.client = new ServiceClient({
        target: 'seating',
        baseUrl: config.SEATING_URL,
        tokens,
        timeoutMs: config.HTTP_CLIENT_TIMEOUT_MS,
        maxAttempts: 1,
        log: logger.forContext(SeatingClient.name),
        metrics,
      });
    }
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  /**
   * Creates an event's seats from its layout (seating's POST /v1/seats/bulk, which a service
   * credential may call). The same layout again answers 200, so a repeated delivery is harmless.
   */
  async createSeatPlan(eventId: number, sections: SectionDto[]): Promise<SeatPlanResult> {
    if (!this.client) throw new Error('SEATING_URL is not set');
    return this.client.request<SeatPlanResult>({ method: 'POST', path: '/v1/seats/bulk', body: { eventId, sections } });
  }

  /** Seat counts of the events whose seats changed since `changedSince`; of every event without it. */
  async availability(changedSince?: Date): Promise<AvailabilitySnapshot> {
    if (!this.client) throw new Error('SEATING_URL is not set');
    const query = changedSince ? `?changedSince=${encodeURIComponent(changedSince.toISOString())}` : '';
    const body = await this.client.request<unknown>({ method: 'GET', path: `/internal/v1/availability${query}` });
    return parseSnapshot(body);
  }
}

/** What seating answered a seat plan with: created now, or the same plan existed already. */
export interface SeatPlanResult {
  eventId: number;
  totalSeats: number;
  created: number;
}

export function parseSnapshot(body: unknown): AvailabilitySnapshot {
  const doc = body as { asOf?: unknown; events?: unknown } | null;
  const asOf = typeof doc?.asOf === 'string' ? new Date(doc.asOf) : undefined;
  if (!asOf || Number.isNaN(asOf.getTime()) || !Array.isArray(doc?.events)) {
    throw new InvalidSnapshotError('seating answered something that is not an availability document ({asOf, events})');
  }
  const events: SeatCount[] = [];
  let skipped = 0;
  for (const item of doc.events as unknown[]) {
    const { eventId, availableSeats } = (item ?? {}) as { eventId?: unknown; availableSeats?: unknown };
    if (Number.isSafeInteger(eventId) && (eventId as number) > 0 && Number.isSafeInteger(availableSeats) && (availableSeats as number) >= 0) {
      events.push({ eventId: eventId as number, availableSeats: Math.min(availableSeats as number, MAX_INT4) });
    } else {
      skipped++;
    }
  }
  return { asOf, events, skipped };
}
