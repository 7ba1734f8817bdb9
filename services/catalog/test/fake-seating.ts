import { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, startLoopbackServer } from '@etsr/platform/testing';
import { DEV_DEFAULT_SECRETS, TokenService, bearerToken } from '@etsr/platform';

export interface SeenRequest {
  at: number;
  changedSince: string | null;
  /** The calling service named by a valid credential; undefined when the credential was refused. */
  service?: string;
  traceparent?: string;
  status: number;
}

/**
 * A stand-in for the seating service's GET /internal/v1/availability and POST /v1/seats/bulk: checks the service
 * credential as seating would (audience "seating"), lists the events whose seats changed since
 * `changedSince` (all without it), records every request.
 */
export class FakeSeating {
  readonly requests: SeenRequest[] = [];
  /** Answer 503 to everything while true. */
  down = false;
  latencyMs = 0;
  maxInFlight = 0;
  private inFlight = 0;
  private readonly seats = new Map<number, { totalSeats: number; availableSeats: number; changedAt: number }>();
  private readonly tokens = new TokenService(DEV_DEFAULT_SECRETS.JWT_SECRET, DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'seating');
  private server?: LoopbackServer;

  /** Seat plans received on POST /v1/seats/bulk, by event id, with the service that sent them. */
  readonly plans = new Map<number, { sections: unknown[]; service: string }>();
  /** Deliveries of seat plans, repeats included. */
  bulkCalls = 0;
  /** Answer POST /v1/seats/bulk with this error status while set (400: a refused layout). */
  bulkFailure?: number;
  /** Refuse every credential with this status while set, as if the catalog's SERVICE_SECRET differed. */
  refusing?: 401 | 403;

  /** Seat counts of an event, as if a reservation or allocation had just changed them. */
  set(eventId: number, availableSeats: number, totalSeats = 1000): void {
    this.seats.set(eventId, { totalSeats, availableSeats, changedAt: Date.now() });
  }

  async start(): Promise<string> {
    this.server = await startLoopbackServer((req, res) => void this.handle(req, res));
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /** Seating's POST /v1/seats/bulk as the catalog uses it: a service credential, 201 new, 200 again. */
  private async bulk(req: IncomingMessage, seen: SeenRequest, send: (status: number, body: unknown) => void): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.bulkCalls++;
    try {
      seen.service = this.tokens.verifyServiceToken(bearerToken(req.headers.authorization) ?? '').service;
    } catch {
      return send(401, { statusCode: 401, error: 'INVALID_TOKEN', message: 'Invalid service credential' });
    }
    if (this.refusing) return send(this.refusing, { statusCode: this.refusing, error: 'INVALID_TOKEN', message: 'refused for the test' });
    if (this.down) return send(503, { statusCode: 503, error: 'DEPENDENCY_UNAVAILABLE', message: 'down for the test' });
    if (this.bulkFailure) return send(this.bulkFailure, { statusCode: this.bulkFailure, error: 'VALIDATION_FAILED', message: 'refused for the test' });
    const { eventId, sections } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { eventId: number; sections: unknown[] };
    const again = this.plans.has(eventId);
    this.plans.set(eventId, { sections, service: seen.service });
    send(again ? 200 : 201, { eventId, totalSeats: 0, created: again ? 0 : 1 });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://seating');
    const seen: SeenRequest = {
      at: Date.now(),
      changedSince: url.searchParams.get('changedSince'),
      traceparent: req.headers.traceparent as string | undefined,
      status: 0,
    };
    this.requests.push(seen);
    const send = (status: number, body: unknown) => {
      seen.status = status;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/v1/seats/bulk') return this.bulk(req, seen, send);
    if (req.method !== 'GET' || url.pathname !== '/internal/v1/availability') return send(404, { statusCode: 404, error: 'NOT_FOUND' });
    try {
      seen.service = this.tokens.verifyServiceToken(bearerToken(req.headers.authorization) ?? '').service;
    } catch {
      return send(401, { statusCode: 401, error: 'INVALID_TOKEN', message: 'Invalid service credential' });
    }
    if (this.refusing) return send(this.refusing, { statusCode: this.refusing, error: 'INVALID_TOKEN', message: 'refused for the test' });
    if (this.down) return send(503, { statusCode: 503, error: 'DEPENDENCY_UNAVAILABLE', message: 'down for the test' });
    const since = seen.changedSince === null ? -Infinity : Date.parse(seen.changedSince);
    if (Number.isNaN(since)) return send(400, { statusCode: 400, error: 'VALIDATION_FAILED', message: 'changedSince must be ISO 8601' });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const asOf = new Date().toISOString();
      if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
      const events = [...this.seats]
        .filter(([, s]) => s.changedAt >= since)
        .map(([eventId, s]) => ({ eventId, totalSeats: s.totalSeats, availableSeats: s.availableSeats, reservedSeats: s.totalSeats - s.availableSeats, allocatedSeats: 0, blockedSeats: 0 }));
      send(200, { asOf, events });
    } finally {
      this.inFlight--;
    }
  }
}
