import { Injectable } from '@nestjs/common';
import { AppError, JsonLogger, MetricsService, ServiceClient, TokenService, UpstreamError } from '@etsr/platform';
import { PaymentConfig } from '../config';

/** An order as GET /internal/v1/orders/{id} of the order service answers it (the fields used here). */
export interface OrderView {
  orderId: string;
  userId: number;
  status: string;
  totalCents: number;
  currency: string;
}

/**
 * Statuses in which an order may be paid (again, after a declined payment). ALLOCATING passes too:
 * its payment is live, so the charge is answered ORDER_ALREADY_PAID (or its key's answer). The
 * order service called ALLOCATING PAYMENT_PROCESSING before its migration 1766100000000; the old
 * name is kept while an order service not yet upgraded may answer with it.
 */
export const PAYABLE_ORDER_STATUSES = ['PENDING', 'ALLOCATING', 'PAYMENT_PROCESSING', 'FAILED'];

/** Reads orders from the order service with a service credential (timeouts, retries, circuit breaker: ServiceClient). */
@Injectable()
export class OrderClient {
  private readonly client: ServiceClient;

  constructor(config: PaymentConfig, tokens: TokenService, logger: JsonLogger, metrics: MetricsService) {
    this.client = new ServiceClient({
      target: 'order',
      baseUrl: config.ORDER_URL,
      tokens,
      timeoutMs: config.HTTP_CLIENT_TIMEOUT_MS,
      log: logger.forContext(OrderClient.name),
      metrics,
    });
  }

  /**
   * The order, or null when the order service does not know it. 503 AppError when it cannot be
   * reached or answers otherwise; 503 DEPENDENCY_MISCONFIGURED (PeerRefusedError) when it refuses our credential.
   */
  async order(orderId: string): Promise<OrderView | null> {
    let body: unknown;
    try {
      body = await this.client.request({ method: 'GET', path: `/internal/v1/orders/${encodeURIComponent(orderId)}` });
    } catch (e) {
      if (e instanceof UpstreamError && e.status === 404) return null;
      // Its other answers mean we asked wrongly, or it failed: not the client's fault.
      if (e instanceof UpstreamError) throw new AppError(503, 'DEPENDENCY_UNAVAILABLE', `The order service could not answer (${e.status})`);
      throw e;
    }
    return parseOrder(body, orderId);
  }
}

/** Checks the shape of the order service's answer: a payment must never be based on a guess. */
export function parseOrder(body: unknown, orderId: string): OrderView {
  const o = (body ?? {}) as Record<string, unknown>;
  const userId = Number(o.userId);
  const totalCents = Number(o.totalCents);
  if (
    typeof o.orderId !== 'string' ||
    o.orderId.toLowerCase() !== orderId.toLowerCase() ||
    !Number.isSafeInteger(userId) ||
    userId <= 0 ||
    !Number.isSafeInteger(totalCents) ||
    typeof o.status !== 'string' ||
    typeof o.currency !== 'string'
  ) {
    throw new AppError(503, 'DEPENDENCY_UNAVAILABLE', 'The order service answered with an order the payment service cannot read');
  }
  return { orderId: o.orderId.toLowerCase(), userId, status: o.status, totalCents, currency: o.currency };
}
