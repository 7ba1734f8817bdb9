import { Injectable } from '@nestjs/common';
import { AppError, JsonLogger, MetricsService, ServiceClient, TokenService, UpstreamError } from '@etsr/platform';
import type { NotificationBody } from '../saga/order-notice';
import { OrderConfig } from '../config';

/** A seating reservation as GET /v1/seats/reservation/{id} answers it. */
export interface Reservation {
  reservationId: string;
  eventId: number;
  userId: number;
  seats: { seatId: number; section: string; row: string; number: string; price: number }[];
  totalAmount: number;
  status: 'RESERVED' | 'ALLOCATED' | 'RELEASED' | 'EXPIRED';
  expiresAt: string;
  ttlSeconds: number;
  orderId: string | null;
}

export interface PaymentView {
  payment_id: string;
  merchant_order_id: string;
  amount_cents: number;
  currency: string;
  status: 'PENDING' | 'SUCCESS' | 'FAILED' | 'REFUNDED';
  transaction_id?: string | null;
  failure_reason?: string | null;
  refund_id?: string | null;
}

/** How long an event's name is reused, and for how many events at most. */
const EVENT_NAME_TTL_MS = 60_000;
const EVENT_NAMES_KEPT = 1000;

/** The services the order service calls, each with the platform's timeouts, retries and circuit breaker. */
@Injectable()
export class ServiceClients {
  readonly seating: ServiceClient;
  readonly payment: ServiceClient;
  private readonly notification?: ServiceClient;
  readonly catalog?: ServiceClient;
  private readonly eventNames = new Map<number, { name: string | null; until: number }>();

  constructor(config: OrderConfig, tokens: TokenService, logger: JsonLogger, metrics: MetricsService) {
    const common = { tokens, timeoutMs: config.HTTP_CLIENT_TIMEOUT_MS, log: logger.forContext('ServiceClient'), metrics };
    this.seating = new ServiceClient({ ...common, target: 'seating', baseUrl: config.SEATING_URL });
    this.payment = new ServiceClient({ ...common, target: 'payment', baseUrl: config.PAYMENT_URL });
    // One attempt per outbox delivery: the outbox retries notices with backoff and jitter, and immediate
    // client retries would only multiply the requests to a notification service that is slow because it is busy.
    if (config.NOTIFICATION_URL) this.notification = new ServiceClient({ ...common, target: 'notification', baseUrl: config.NOTIFICATION_URL, maxAttempts: 1 });
    if (config.CATALOG_URL) this.catalog = new ServiceClient({ ...common, target: 'catalog', baseUrl: config.CATALOG_URL, maxAttempts: 1 });
  }

  /** The reservation, or null when seating does not know it. */
  async reservation(id: string): Promise<Reservation | null> {
    try {
      return await this.seating.request<Reservation>({ method: 'GET', path: `/v1/seats/reservation/${encodeURIComponent(id)}` });
    } catch (e) {
      if (e instanceof UpstreamError && (e.status === 404 || e.status === 400)) return null;
      // Any other answer (a 5xx) is seating's problem, not the buyer's: 503. Rethrown as it was, an
      // UpstreamError reached the error filter as an unexpected 500. (A refused credential is a
      // PeerRefusedError, already a 503.)
      if (e instanceof UpstreamError) throw new AppError(503, 'DEPENDENCY_UNAVAILABLE', `The seating service could not answer (${e.status})`);
      throw e;
    }
  }

  /** Ties the hold to the order and keeps it while payment runs (seating caps the extension). */
  holdForOrder(reservationId: string, orderId: string, extendSeconds: number): Promise<Reservation> {
    return this.seating.request<Reservation>({
      method: 'POST',
      path: `/internal/v1/reservations/${encodeURIComponent(reservationId)}/order`,
      body: { orderId, extendSeconds },
      idempotent: true,
    });
  }

  allocate(reservationId: string, orderId: string): Promise<Reservation> {
    return this.seating.request<Reservation>({ method: 'POST', path: '/internal/v1/seats/allocate', body: { reservationId, orderId }, idempotent: true });
  }

  async release(orderId: string): Promise<void> {
    try {
      await this.seating.request({ method: 'POST', path: '/internal/v1/seats/release', body: { orderId }, idempotent: true });
    } catch (e) {
      // No reservation tied to this order: nothing is held, so there is nothing to release.
      if (e instanceof UpstreamError && e.status === 404) return;
      throw e;
    }
  }

  /** The event's name, or null: nice to have in an e-mail, never a reason to refuse an order. */
  /**
   * The event's name for the order's record and e-mails. Remembered for a minute: in a sale every
   * order is for the same event, and asking the catalog each time was one call of three per order.
   */
  async eventName(eventId: number): Promise<string | null> {
    if (!this.catalog) return null;
    const known = this.eventNames.get(eventId);
    if (known && known.until > Date.now()) return known.name;
    try {
      const name = (await this.catalog.request<{ name: string }>({ method: 'GET', path: `/v1/events/${eventId}` })).name ?? null;
      if (this.eventNames.size >= EVENT_NAMES_KEPT) this.eventNames.delete(this.eventNames.keys().next().value!);
      this.eventNames.set(eventId, { name, until: Date.now() + EVENT_NAME_TTL_MS });
      return name;
    } catch {
      return null;
    }
  }

  /** The whole of what is left of a payment, or (`part`) an amount under a refund key: a repeat with the key refunds nothing more. */
  refund(paymentId: string, reason: string, part?: { amountCents: number; refundKey: string }): Promise<unknown> {
    const body = part ? { payment_id: paymentId, reason, amount_cents: part.amountCents, refund_key: part.refundKey } : { payment_id: paymentId, reason };
    return this.payment.request({ method: 'POST', path: '/v1/refund', body, idempotent: true });
  }

  /** Whether a notification service is configured (without one, notices are not sent). */
  get notifies(): boolean {
    return this.notification !== undefined;
  }

  /** Hands a notice to the notification service (idempotent there by the body's eventId). */
  async notice(body: NotificationBody): Promise<void> {
    if (!this.notification) throw new Error('no notification service is configured');
    await this.notification.request({ method: 'POST', path: '/internal/v1/notifications', idempotent: true, body });
  }

  async paymentsOf(orderId: string): Promise<PaymentView[]> {
    const body = await this.payment.request<{ payments: PaymentView[] }>({ method: 'GET', path: `/internal/v1/payments?merchant_order_id=${orderId}` });
    return body.payments;
  }
}
