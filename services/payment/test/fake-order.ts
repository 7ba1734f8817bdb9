import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, eventually, startLoopbackServer } from '@etsr/platform/testing';
import { DEV_DEFAULT_SECRETS, TokenService, bearerToken, verifySignature } from '@etsr/platform';

/** An order as GET /internal/v1/orders/{id} of the order service answers it. */
export interface FakeOrder {
  orderId: string;
  userId: number;
  eventId: number;
  status: string;
  totalCents: number;
  taxCents: number;
  currency: string;
  reservationId: string;
}

/** One POST /v1/payments/callback as it arrived, and what the fake answered. */
export interface ReceivedCallback {
  at: number;
  raw: string;
  body: Record<string, unknown> | undefined;
  signature: string | undefined;
  contentType: string | undefined;
  traceparent: string | undefined;
  /** The signature verified over the exact bytes received. */
  signed: boolean;
  /** What the fake answered (0: it did not answer). */
  status: number;
}

/**
 * A stand-in for the order service: answers GET /internal/v1/orders/:id (service credential for
 * audience "order" required, as the real one would) and records POST /v1/payments/callback,
 * verifying the signature over the raw body. It can be told to fail callbacks (500) or not to
 * answer them, to test the retries.
 */
export class FakeOrderService {
  readonly orders = new Map<string, FakeOrder>();
  readonly callbacks: ReceivedCallback[] = [];
  readonly orderReads: { service?: string; status: number }[] = [];
  /** Answer this many callbacks with 500 before accepting. */
  failCallbacks = 0;
  /** Answer callbacks with this 4xx (a refusal for good) while set. */
  refuseCallbacksWith?: number;
  /** Leave callbacks unanswered while true. */
  hangCallbacks = false;
  private readonly tokens = new TokenService(DEV_DEFAULT_SECRETS.JWT_SECRET, DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'order');
  private server?: LoopbackServer;

  constructor(private readonly callbackSecret: string) {}

  /** A PENDING order of 330.00 INR of user 2 (the walkthrough's numbers), unless told otherwise. */
  addOrder(overrides: Partial<FakeOrder> = {}): FakeOrder {
    const order: FakeOrder = {
      orderId: randomUUID(),
      userId: 2,
      eventId: 1,
      status: 'PENDING',
      totalCents: 33000,
      taxCents: 3000,
      currency: 'INR',
      reservationId: `res_${randomUUID().slice(0, 12)}`,
      ...overrides,
    };
    this.orders.set(order.orderId, order);
    return order;
  }

  /** Callbacks accepted (2xx) with a valid signature, optionally of one payment. */
  delivered(paymentId?: string): ReceivedCallback[] {
    return this.callbacks.filter((c) => c.status >= 200 && c.status < 300 && c.signed && (!paymentId || c.body?.payment_id === paymentId));
  }

  /** Waits until `predicate` holds (polling), or fails after `timeoutMs`. */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    await eventually(() => predicate() || undefined, timeoutMs, () => `${what}; callbacks: ${JSON.stringify(this.callbacks.map((c) => [c.status, c.raw]))}`);
  }

  async start(): Promise<string> {
    this.server = await startLoopbackServer((req, res) => void this.handle(req, res));
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://order');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

    const orderPath = /^\/internal\/v1\/orders\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && orderPath) {
      const seen: { service?: string; status: number } = { status: 0 };
      this.orderReads.push(seen);
      try {
        seen.service = this.tokens.verifyServiceToken(bearerToken(req.headers.authorization) ?? '').service;
      } catch {
        seen.status = 401;
        return send(401, { statusCode: 401, error: 'INVALID_TOKEN', message: 'Invalid service credential' });
      }
      const order = this.orders.get(decodeURIComponent(orderPath[1]));
      seen.status = order ? 200 : 404;
      return order ? send(200, order) : send(404, { statusCode: 404, error: 'ORDER_NOT_FOUND', message: 'Order not found' });
    }

    if (req.method === 'POST' && url.pathname === '/v1/payments/callback') {
      const received: ReceivedCallback = {
        at: Date.now(),
        raw,
        body: undefined,
        signature: req.headers['x-signature'] as string | undefined,
        contentType: req.headers['content-type'],
        traceparent: req.headers.traceparent as string | undefined,
        signed: false,
        status: 0,
      };
      this.callbacks.push(received);
      try {
        received.body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        /* recorded as it came */
      }
      try {
        verifySignature(this.callbackSecret, received.signature, raw);
        received.signed = true;
      } catch {
        received.status = 401;
        return send(401, { statusCode: 401, error: 'INVALID_SIGNATURE', message: 'Signature does not match' });
      }
      if (this.hangCallbacks) return; // no answer: the caller's timeout has to end it
      if (this.refuseCallbacksWith) {
        received.status = this.refuseCallbacksWith;
        return send(received.status, { statusCode: received.status, error: 'REFUSED', message: 'refused by the test' });
      }
      if (this.failCallbacks > 0) {
        this.failCallbacks--;
        received.status = 500;
        return send(500, { statusCode: 500, error: 'INTERNAL_ERROR', message: 'failing for the test' });
      }
      received.status = 200;
      return send(200, { received: true });
    }
    send(404, { statusCode: 404, error: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` });
  }
}
