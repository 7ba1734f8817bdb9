import { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, startLoopbackServer } from '@etsr/platform/testing';
import { DEV_DEFAULT_SECRETS, Principal, TokenService, bearerToken } from '@etsr/platform';

/** Who may call a route, as the real service's guard decides. */
export type Access = 'public' | 'service' | 'service-or-user';

/** One request as the fake received it, and what it answered. */
export interface SeenRequest {
  at: number;
  method: string;
  /** The route's name (e.g. "allocate"), or "unknown". */
  route: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | undefined;
  /** The calling service named by a valid service credential. */
  service?: string;
  traceparent?: string;
  /** What the fake answered; 0 while it has not (a hang). */
  status: number;
}

export interface Route {
  name: string;
  method: string;
  pattern: RegExp;
  access: Access;
  /** The answer; it may change the fake's state (the real service's effect). */
  handle(match: RegExpExecArray, body: Record<string, unknown>, seen: SeenRequest): [number, unknown];
}

/**
 * What the next requests of a route get instead of a normal answer: `fail` answers `status`
 * without doing anything; `hang` never answers; `lose` does the work, then answers 500, and
 * `swallow` does the work and never answers (the effect happened, the answer was lost); `delay`
 * answers normally after `ms`.
 */
export type Fault = { kind: 'fail'; status: number } | { kind: 'hang' } | { kind: 'lose' } | { kind: 'swallow' } | { kind: 'delay'; ms: number };

/**
 * A stand-in for a peer service over real HTTP: checks the credential the order service sends
 * (a service credential whose audience is this service, as the real guard does), records every
 * request, and fails, hangs or loses answers on demand.
 */
export abstract class FakePeer {
  readonly requests: SeenRequest[] = [];
  private readonly tokens: TokenService;
  private readonly queued = new Map<string, Fault[]>();
  private readonly broken = new Map<string, Fault>();
  private server?: LoopbackServer;

  constructor(readonly name: string) {
    this.tokens = new TokenService(DEV_DEFAULT_SECRETS.JWT_SECRET, DEV_DEFAULT_SECRETS.SERVICE_SECRET, name);
  }

  protected abstract routes(): Route[];

  /** The next `times` requests of `route` get `fault`. */
  faultNext(route: string, fault: Fault, times = 1): void {
    this.queued.set(route, [...(this.queued.get(route) ?? []), ...Array.from({ length: times }, () => fault)]);
  }

  failNext(route: string, times = 1, status = 500): void {
    this.faultNext(route, { kind: 'fail', status }, times);
  }

  /** Every request of `route` gets `fault` until `restore`. */
  breakRoute(route: string, fault: Fault): void {
    this.broken.set(route, fault);
  }

  restore(route?: string): void {
    if (route) {
      this.broken.delete(route);
      this.queued.delete(route);
    } else {
      this.broken.clear();
      this.queued.clear();
    }
  }

  /** Requests of one route, optionally only those a predicate on the body accepts. */
  calls(route: string, where: (body: Record<string, unknown>) => boolean = () => true): SeenRequest[] {
    return this.requests.filter((r) => r.route === route && where(r.body ?? {}));
  }

  async start(): Promise<string> {
    this.server = await startLoopbackServer((req, res) => void this.receive(req, res));
    return this.url;
  }

  get url(): string {
    return this.server!.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.name}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const seen: SeenRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      route: 'unknown',
      path: url.pathname,
      query: url.searchParams,
      body: undefined,
      traceparent: req.headers.traceparent as string | undefined,
      status: 0,
    };
    this.requests.push(seen);
    const send = (status: number, body: unknown) => {
      seen.status = status;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string) => send(status, { statusCode: status, error: code, message });
    try {
      seen.body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    } catch {
      return error(400, 'MALFORMED_JSON', 'Request body is not valid JSON');
    }

    let match: RegExpExecArray | null = null;
    const route = this.routes().find((r) => r.method === seen.method && (match = r.pattern.exec(url.pathname)));
    if (!route || !match) return error(404, 'NOT_FOUND', `no route ${seen.method} ${url.pathname}`);
    seen.route = route.name;

    if (route.access !== 'public') {
      const principal = this.authenticate(req.headers.authorization);
      if (!principal) return error(401, 'INVALID_TOKEN', 'Invalid or missing credential');
      if (principal.kind === 'service') seen.service = principal.service;
      else if (route.access === 'service') return error(403, 'SERVICE_ONLY', 'This endpoint is only for platform services');
    } else {
      // A public route reads a credential when one is sent, and ignores a bad one.
      const principal = this.authenticate(req.headers.authorization);
      if (principal?.kind === 'service') seen.service = principal.service;
    }

    const fault = this.queued.get(route.name)?.shift() ?? this.broken.get(route.name);
    if (fault?.kind === 'hang') return; // never answered: the caller's timeout has to end it
    if (fault?.kind === 'fail') return error(fault.status, fault.status >= 500 ? 'INTERNAL_ERROR' : 'REFUSED', `${route.name} failing for the test`);
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    const [status, body] = route.handle(match, seen.body ?? {}, seen);
    if (fault?.kind === 'swallow') return;
    if (fault?.kind === 'lose') return error(500, 'INTERNAL_ERROR', `${route.name} done, but the answer is lost for the test`);
    send(status, body);
  }

  /** A user access token or a service credential for this service, as the platform's guard reads them; null when neither. */
  private authenticate(header: string | undefined): Principal | null {
    const token = bearerToken(header);
    if (!token) return null;
    try {
      return this.tokens.verifyAny(token);
    } catch {
      return null;
    }
  }
}

/** The platform's error body, for route handlers. */
export const errorBody = (status: number, code: string, message: string): [number, unknown] => [status, { statusCode: status, error: code, message }];
