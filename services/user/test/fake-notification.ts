import { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, eventually, startLoopbackServer } from '@etsr/platform/testing';
import { DEV_DEFAULT_SECRETS, TokenService, bearerToken } from '@etsr/platform';

/** One POST /internal/v1/account-notifications as it arrived, and what the fake answered. */
export interface ReceivedNotice {
  /** The caller named by its service credential (undefined: refused). */
  service?: string;
  body: Record<string, any>;
  status: number;
}

/**
 * A stand-in for the notification service: records account notices, checking the service
 * credential for audience "notification" as the real one does. It can be told to fail (500) a
 * number of times, to show the outbox retries; a repeated eventId answers 202 like the real one.
 */
export class FakeNotificationService {
  readonly received: ReceivedNotice[] = [];
  /** Answer this many notices with 500 before accepting. */
  failNext = 0;
  /** Refuse this many notices with 401, as if the user service's SERVICE_SECRET differed. */
  refuseNext = 0;
  private readonly tokens = new TokenService(DEV_DEFAULT_SECRETS.JWT_SECRET, DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'notification');
  private server?: LoopbackServer;

  /** Accepted notices, one per eventId (the real service keeps one per eventId too). */
  accepted(): Record<string, any>[] {
    const byEvent = new Map<string, Record<string, any>>();
    for (const n of this.received) if (n.status === 202) byEvent.set(n.body.eventId, n.body);
    return [...byEvent.values()];
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    await eventually(() => predicate() || undefined, timeoutMs, () => `${what}; received: ${JSON.stringify(this.received.map((n) => [n.status, n.body.type]))}`);
  }

  async start(): Promise<string> {
    this.server = await startLoopbackServer((req, res) => void this.handle(req, res));
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'POST' || req.url !== '/internal/v1/account-notifications') return send(404, { statusCode: 404, error: 'NOT_FOUND' });
    const notice: ReceivedNotice = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>, status: 0 };
    this.received.push(notice);
    try {
      notice.service = this.tokens.verifyServiceToken(bearerToken(req.headers.authorization) ?? '').service;
    } catch {
      notice.status = 401;
      return send(401, { statusCode: 401, error: 'INVALID_TOKEN', message: 'Invalid service credential' });
    }
    if (this.refuseNext > 0) {
      this.refuseNext--;
      notice.status = 401;
      return send(401, { statusCode: 401, error: 'INVALID_TOKEN', message: 'refused for the test' });
    }
    if (this.failNext > 0) {
      this.failNext--;
      notice.status = 500;
      return send(500, { statusCode: 500, error: 'INTERNAL_ERROR', message: 'Injected failure' });
    }
    notice.status = 202;
    send(202, { eventId: notice.body.eventId, notifications: [] });
  }
}
