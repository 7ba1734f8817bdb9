import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { JsonLogger, OutboxWorker, UpstreamError } from '@etsr/platform';
import { PaymentView, ServiceClients } from '../clients/service-clients';
import { Order, OrdersRepository } from '../repositories/orders.repository';
import { PaymentStatus, SagaEvent, Transition, transition } from '../saga/order-transitions';
import { AllocatePayload, enqueueCommands, handleOrderTopics } from '../saga/outbox-topics';
import { OrderMetrics } from './order-metrics';
import { SagaDeliveries } from './saga-deliveries.service';
import { TicketsService } from './tickets.service';

/** What the payment service reported (a signed callback, or what the reconciler read back). */
export interface PaymentOutcome {
  orderId: string;
  paymentId: string;
  status: PaymentStatus;
  failureReason?: string | null;
}

/**
 * The booking saga after the order exists. The rules are order-transitions.ts; this applies them:
 * in one transaction with the order row locked, the row's change, its tickets, and the outbox
 * messages that must follow the commit (delivered afterwards with retries; every handler can run
 * twice safely). The one step with a decision of its own is allocate: seating's answer is the event.
 */
@Injectable()
export class SagaService {
  private readonly log;
  readonly outbox: OutboxWorker;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly clients: ServiceClients,
    private readonly tickets: TicketsService,
    private readonly metrics: OrderMetrics,
    deliveries: SagaDeliveries,
    outbox: OutboxWorker,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SagaService.name);
    this.outbox = handleOrderTopics(outbox, {
      'order.allocate': (p) => this.allocate(p),
      'order.refund': (p) => deliveries.refund(p),
      'order.release': (p) => deliveries.release(p),
      'order.notify': (p) => deliveries.notify(p),
    });
  }

  /** Applies a payment outcome once per payment id and status; false when it had been applied already. */
  async applyPayment(outcome: PaymentOutcome): Promise<{ applied: boolean; order: Order | null }> {
    const { orderId, paymentId, status, failureReason } = outcome;
    const result = await this.db.transaction(async (tx) => {
      const order = await this.orders.findForUpdate(tx, orderId);
      if (!order) return { applied: false, order: null };
      if (!(await this.orders.markCallback(tx, `${paymentId}:${status}`, order.id))) return { applied: false, order };
      // Recorded even when the order is past it (a late FAILED): a repeat is then a duplicate too.
      await this.apply(tx, order, { kind: 'payment', paymentId, status, failureReason });
      return { applied: true, order };
    });
    this.metrics.callbacks.inc({ status, outcome: result.order ? (result.applied ? 'applied' : 'duplicate') : 'unknown_order' });
    if (result.applied) this.outbox.nudge();
    return result;
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

  /**
   * The one way an unpaid order (PENDING or FAILED, locked in `tx`) is cancelled, by its buyer or
   * by the reconciler once its hold is over: CANCELLED with the reason, the hold released, the
   * buyer told. False when the order is not unpaid. The caller nudges the outbox after its commit.
   */
  async cancelUnpaid(tx: EntityManager, order: Order, reason: string): Promise<boolean> {
    return (await this.apply(tx, order, { kind: 'cancel-unpaid', reason })).ok;
  }

  /** Outbox: sell the held seats, then issue the tickets; or, if the seats are gone, give the money back. */
  private async allocate({ orderId }: AllocatePayload): Promise<void> {
    const order = await this.orders.find(orderId);
    if (!order || order.status !== 'ALLOCATING') return;
    try {
      await this.clients.allocate(order.reservationId, order.id);
    } catch (e) {
      // Seating down, busy, or refusing our credential (a configuration fault, e.g. SERVICE_SECRET
      // differs): not the buyer's problem, so try again later rather than refund a paid order. The
      // outbox backlog alert tells the operator. Any other refusal means the seats are gone.
      if (!(e instanceof UpstreamError) || e.status >= 500 || [401, 403, 429].includes(e.status)) throw e;
      const reason = `Seats could no longer be allocated (${e.code ?? e.status}); the payment is refunded`;
      this.log.warn('Paid order cannot get its seats; refunding', { orderId, seatingAnswer: e.body });
      await this.inTransaction(orderId, (tx, current) => this.apply(tx, current, { kind: 'seats-unavailable', reason }));
      this.outbox.nudge();
      return;
    }
    const confirmed = await this.inTransaction(orderId, (tx, current) => this.apply(tx, current, { kind: 'seats-allocated', tickets: this.tickets.mint(current) }));
    if (confirmed?.ok) {
      this.metrics.confirmed.inc({ event_id: String(order.eventId) });
      this.metrics.revenueCents.inc({ event_id: String(order.eventId), currency: order.currency }, order.totalCents);
      this.metrics.ticketsIssued.inc(order.items.length);
      this.log.info('Order confirmed, tickets issued', { orderId, tickets: order.items.length });
      this.outbox.nudge();
    }
  }

  /** `work` with the order locked in a transaction; undefined when there is no such order. */
  private inTransaction<T>(orderId: string, work: (tx: EntityManager, order: Order) => Promise<T>): Promise<T | undefined> {
    return this.db.transaction(async (tx) => {
      const order = await this.orders.findForUpdate(tx, orderId);
      return order ? work(tx, order) : undefined;
    });
  }

  /** Decides what `event` does to `order` (locked in `tx`) and writes it there. */
  private async apply(tx: EntityManager, order: Order, event: SagaEvent): Promise<Transition> {
    const decided = transition(order, event);
    if (!decided.ok) {
      this.log.debug('Saga event changes nothing', { orderId: order.id, event: event.kind, reason: decided.reason });
      return decided;
    }
    if (decided.change) {
      const { status, ...columns } = decided.change;
      await this.orders.setStatus(tx, order.id, status, columns);
    }
    if (decided.issueTickets) await this.tickets.issue(tx, decided.issueTickets);
    if (decided.voidTickets) await this.orders.voidTickets(tx, order.id);
    await enqueueCommands(tx, decided.commands);
    if (decided.status === 'REFUNDED' && order.status !== 'REFUNDED') {
      this.metrics.refunded.inc({ reason: order.failureReason ? 'seats_unavailable' : 'requested' });
    }
    return decided;
  }
}
