import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { JsonLogger, OutboxMessage, OutboxWorker, PermanentFailure, UpstreamError, enqueue } from '@etsr/platform';
import { PaymentView, ServiceClients } from '../clients/service-clients';
import { OrderConfig } from '../config';
import { Order, OrdersRepository, Ticket } from '../repositories/orders.repository';
import { OrderMetrics } from './order-metrics';
import { TicketSigner } from './ticket-signer';

export type PaymentStatus = 'SUCCESS' | 'FAILED' | 'REFUNDED';

/** What the payment service reported (a signed callback, or what the reconciler read back). */
export interface PaymentOutcome {
  orderId: string;
  paymentId: string;
  status: PaymentStatus;
  failureReason?: string | null;
}

export type NotificationType = 'ORDER_CONFIRMED' | 'PAYMENT_FAILED' | 'ORDER_REFUNDED' | 'ORDER_CANCELLED';

export const TOPICS = { allocate: 'order.allocate', refund: 'order.refund', release: 'order.release', notify: 'order.notify' } as const;

/** A stable UUID from a string: the notification of one order's event has one id, however often it is sent. */
export function stableUuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The booking saga after the order exists. Every step that must follow a commit (allocate the
 * seats, refund, release, notify) is written to the outbox in the same transaction as the state
 * change that calls for it, then delivered with retries; every handler can run twice safely.
 *
 *   SUCCESS  -> PAYMENT_PROCESSING -> allocate -> CONFIRMED + tickets + confirmation
 *                                      \-> seats gone -> refund -> REFUNDED (buyer told why)
 *   FAILED   -> FAILED (the buyer may pay again while the hold lasts)
 *   REFUNDED -> REFUNDED, tickets void, seats released, notice sent
 */
@Injectable()
export class SagaService {
  private readonly log;
  readonly outbox: OutboxWorker;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly clients: ServiceClients,
    private readonly signer: TicketSigner,
    private readonly metrics: OrderMetrics,
    private readonly config: OrderConfig,
    outbox: OutboxWorker,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SagaService.name);
    this.outbox = outbox
      .handle(TOPICS.allocate, (m) => this.allocate(m))
      .handle(TOPICS.refund, (m) => this.refund(m))
      .handle(TOPICS.release, (m) => this.release(m))
      .handle(TOPICS.notify, (m) => this.notify(m));
  }

  /** Applies a payment outcome once per payment id and status; false when it had been applied already. */
  async applyPayment(outcome: PaymentOutcome): Promise<{ applied: boolean; order: Order | null }> {
    const result = await this.db.transaction(async (tx) => {
      const order = await this.orders.findForUpdate(tx, outcome.orderId);
      if (!order) return { applied: false, order: null };
      if (!(await this.orders.markCallback(tx, `${outcome.paymentId}:${outcome.status}`, order.id))) return { applied: false, order };
      await this.transition(tx, order, outcome);
      return { applied: true, order };
    });
    this.metrics.callbacks.inc({ status: outcome.status, outcome: result.order ? (result.applied ? 'applied' : 'duplicate') : 'unknown_order' });
    if (result.applied) this.outbox.nudge();
    return result;
  }

  private async transition(tx: EntityManager, order: Order, outcome: PaymentOutcome): Promise<void> {
    const { status, paymentId } = outcome;
    if (status === 'SUCCESS') {
      if (order.status === 'PENDING' || order.status === 'FAILED') {
        await this.orders.setStatus(tx, order.id, 'PAYMENT_PROCESSING', { paymentId, failureReason: null });
        await enqueue(tx, TOPICS.allocate, { orderId: order.id }, `allocate:${order.id}`);
      } else if (order.paymentId !== paymentId) {
        // Paid after the order was cancelled or settled otherwise: the money goes back.
        await enqueue(tx, TOPICS.refund, { orderId: order.id, paymentId, reason: `Order was already ${order.status.toLowerCase()} when the payment arrived` }, `refund:${paymentId}`);
      }
    } else if (status === 'FAILED') {
      if (order.status === 'PENDING' || order.status === 'FAILED') {
        await this.orders.setStatus(tx, order.id, 'FAILED', { failureReason: outcome.failureReason ?? 'Payment declined' });
        await this.enqueueNotice(tx, order.id, 'PAYMENT_FAILED', paymentId);
      }
    } else if (status === 'REFUNDED' && order.status !== 'REFUNDED' && (order.paymentId === null || order.paymentId === paymentId)) {
      // Only the refund of the order's own payment undoes it. The refund of a second payment (the
      // one sent back above) leaves the order alone: its own payment is kept, so must its tickets be.
      await this.orders.setStatus(tx, order.id, 'REFUNDED', { paymentId });
      await this.orders.voidTickets(tx, order.id);
      await enqueue(tx, TOPICS.release, { orderId: order.id }, `release:${order.id}`);
      await this.enqueueNotice(tx, order.id, 'ORDER_REFUNDED', paymentId);
      this.metrics.refunded.inc({ reason: order.failureReason ? 'seats_unavailable' : 'requested' });
    }
  }

  /** Outbox: sell the held seats; issue the tickets; or, if the seats are gone, give the money back. */
  private async allocate(message: OutboxMessage): Promise<void> {
    const order = await this.orders.find(message.payload.orderId as string);
    if (!order || order.status !== 'PAYMENT_PROCESSING') return;
    try {
      await this.clients.allocate(order.reservationId, order.id);
    } catch (e) {
      // Seating down, busy, or refusing our credential (a PeerRefusedError, not an UpstreamError):
      // not the buyer's problem, so try again later rather than refund a paid order. Any other
      // refusal means the seats are gone.
      if (!(e instanceof UpstreamError) || e.status >= 500 || e.status === 429) throw e;
      const reason = `Seats could no longer be allocated (${e.code ?? e.status}); the payment is refunded`;
      this.log.warn('Paid order cannot get its seats; refunding', { orderId: order.id, seatingAnswer: e.body });
      await this.db.transaction(async (tx) => {
        const current = await this.orders.findForUpdate(tx, order.id);
        if (current?.status !== 'PAYMENT_PROCESSING') return;
        await this.orders.setStatus(tx, order.id, 'PAYMENT_PROCESSING', { failureReason: reason });
        await enqueue(tx, TOPICS.refund, { orderId: order.id, paymentId: current.paymentId, reason }, `refund:${current.paymentId}`);
      });
      this.outbox.nudge();
      return;
    }
    const issued = await this.db.transaction(async (tx) => {
      const current = await this.orders.findForUpdate(tx, order.id);
      if (current?.status !== 'PAYMENT_PROCESSING') return false;
      const iat = Math.floor(Date.now() / 1000);
      const tickets = current.items.map((item) => {
        const ticketCode = this.signer.newTicketCode();
        return {
          orderId: current.id,
          eventId: current.eventId,
          seatId: item.seatId,
          seatCode: item.seatCode,
          ticketCode,
          signedPayload: this.signer.sign({ v: 1, tc: ticketCode, o: current.id, e: current.eventId, s: item.seatId, sc: item.seatCode, iat }),
        };
      });
      await this.orders.insertTickets(tx, tickets);
      await this.orders.setStatus(tx, current.id, 'CONFIRMED');
      // The order and its tickets are known here (an order being paid has no tickets before these):
      // no need to read them back for the notice.
      await this.enqueueNotice(tx, current.id, 'ORDER_CONFIRMED', undefined, { order: current, tickets });
      return true;
    });
    if (issued) {
      this.metrics.confirmed.inc({ event_id: String(order.eventId) });
      this.metrics.revenueCents.inc({ event_id: String(order.eventId), currency: order.currency }, order.totalCents);
      this.metrics.ticketsIssued.inc(order.items.length);
      this.log.info('Order confirmed, tickets issued', { orderId: order.id, tickets: order.items.length });
      this.outbox.nudge();
    }
  }

  private async refund(message: OutboxMessage): Promise<void> {
    const { paymentId, reason, amountCents, refundKey } = message.payload as { paymentId: string; reason: string; amountCents?: number; refundKey?: string };
    try {
      await this.clients.refund(paymentId, reason, amountCents !== undefined && refundKey ? { amountCents, refundKey } : undefined);
    } catch (e) {
      if (e instanceof UpstreamError && e.status < 500 && e.status !== 429) throw new PermanentFailure(`payment refused the refund: ${e.message}`);
      throw e;
    }
  }

  private async release(message: OutboxMessage): Promise<void> {
    await this.clients.release(message.payload.orderId as string);
  }

  /** Outbox: hand the notice to the notification service (idempotent there by its eventId). */
  private async notify(message: OutboxMessage): Promise<void> {
    const { body } = message.payload as { body?: Record<string, unknown> };
    if (!this.clients.notification || !body) {
      this.log.info('Notification not sent (no notification service, or no e-mail address on the order)', { orderId: message.payload.orderId });
      return;
    }
    try {
      await this.clients.notification.request({ method: 'POST', path: '/internal/v1/notifications', idempotent: true, body });
    } catch (e) {
      if (e instanceof UpstreamError && e.status < 500 && e.status !== 429) throw new PermanentFailure(`notification refused: ${e.message}`);
      throw e;
    }
  }

  /**
   * Writes a notice to the outbox with its whole body, built now from the order (and its tickets)
   * as this transaction sees it: every retry then sends the same request.
   */
  async enqueueNotice(
    tx: EntityManager,
    orderId: string,
    type: NotificationType,
    paymentId?: string,
    known?: { order: Order; tickets: Pick<Ticket, 'ticketCode' | 'seatCode' | 'signedPayload'>[] },
  ): Promise<void> {
    const order = known?.order ?? (await this.orders.find(orderId, tx))!;
    const tickets = known?.tickets ?? (type === 'ORDER_CONFIRMED' ? await this.orders.tickets(orderId, tx) : []);
    const body = order.customerEmail
      ? {
          eventId: stableUuid(`${orderId}:${type}:${paymentId ?? ''}`),
          type,
          userId: order.userId,
          orderId,
          email: order.customerEmail,
          data: {
            eventId: order.eventId,
            ...(order.eventName ? { eventName: order.eventName } : {}),
            totalCents: order.totalCents,
            currency: order.currency,
            ...(order.failureReason ? { reason: order.failureReason } : {}),
            tickets: tickets.map((t) => ({ ticketCode: t.ticketCode, seatCode: t.seatCode, qrPayload: t.signedPayload })),
          },
        }
      : undefined;
    await enqueue(tx, TOPICS.notify, { orderId, type, body }, `notify:${orderId}:${type}:${paymentId ?? ''}`);
  }

  /** The reconciler's view of a payment, applied like its callback would have been. */
  async applyPaymentView(orderId: string, payment: PaymentView): Promise<void> {
    if (payment.status === 'PENDING') return;
    if (payment.status === 'REFUNDED') {
      // The SUCCESS that came first may never have been applied either; its key makes a repeat harmless.
      await this.applyPayment({ orderId, paymentId: payment.payment_id, status: 'SUCCESS' });
    }
    await this.applyPayment({ orderId, paymentId: payment.payment_id, status: payment.status, failureReason: payment.failure_reason });
  }

  get taxPercent(): number {
    return this.config.TAX_PERCENT;
  }
}
