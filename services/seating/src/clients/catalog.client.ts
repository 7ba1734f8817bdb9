import { Injectable } from '@nestjs/common';
import { JsonLogger, MetricsService, ServiceClient, TokenService, UpstreamError } from '@etsr/platform';
import { SeatingConfig } from '../config';

export interface CatalogEvent {
  eventId: number;
  venueId: number;
}

/** Reads events from the catalog service (public API). Absent when CATALOG_URL is not configured. */
@Injectable()
export class CatalogClient {
  private readonly client?: ServiceClient;

  constructor(config: SeatingConfig, tokens: TokenService, logger: JsonLogger, metrics: MetricsService) {
    if (config.CATALOG_URL) {
      this.client = new ServiceClient({
        target: 'catalog',
        baseUrl: config.CATALOG_URL,
        tokens,
        timeoutMs: config.HTTP_CLIENT_TIMEOUT_MS,
        log: logger.forContext(CatalogClient.name),
        metrics,
      });
    }
  }

  get configured(): boolean {
    return !!this.client;
  }

  /** The event, or null when the catalog does not know it. Throws a 503 AppError when the catalog is unreachable or refuses our credential. */
  async event(eventId: number): Promise<CatalogEvent | null> {
    if (!this.client) throw new Error('CATALOG_URL is not configured');
    try {
      const body = await this.client.request<{ event_id: number; venue_id: number }>({ method: 'GET', path: `/v1/events/${eventId}` });
      return { eventId: Number(body.event_id), venueId: Number(body.venue_id) };
    } catch (e) {
      if (e instanceof UpstreamError && e.status === 404) return null;
      throw e;
    }
  }
}
