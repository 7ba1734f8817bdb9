import { Order, OrderStatus } from '../repositories/orders.repository';
import { NoticeTicket, NotificationType, noticeBody } from './order-notice';
import { OutboxCommand, commands } from './outbox-topics';

/**
 * The booking saga's rules, without I/O: given an order (as locked in the caller's transaction)
 * and something that happened to it, what the order becomes and which outbox messages follow.
 * SagaService applies the answer (one transaction: the row, the tickets, the messages).
 *
 *   PENDING/FAILED --SUCCESS--> ALLOCATING --seats allocated--> CONFIRMED + tickets + confirmation
 *                                          \--seats gone--> refund asked (REFUNDED when it is done)
 *   PENDING/FAILED --FAILED--> FAILED (the buyer may pay again while the hold lasts)
 *   PENDING/FAILED --cancel unpaid--> CANCELLED, hold released, buyer told
 *   any but REFUNDED --REFUNDED of the order's payment--> REFUNDED, tickets void, seats released, buyer told
 */

export type PaymentStatus = 'SUCCESS' | 'FAILED' | 'REFUNDED';

/** A ticket as minted for an order (TicketsService.mint), not yet stored. */
export interface MintedTicket extends NoticeTicket {
  orderId: string;
  eventId: number;
  seatId: number;
}

export type SagaEvent =
  /** What the payment service reported (a signed callback, or what the reconciler read back). */
  | { kind: 'payment'; paymentId: string; status: PaymentStatus; failureReason?: string | null }
  /** Seating sold the held seats to the order; these tickets are ready to be issued. */
  | { kind: 'seats-allocated'; tickets: MintedTicket[] }
  /** Seating refused to sell the seats for good (the hold ran out and they were sold). */
  | { kind: 'seats-unavailable'; reason: string }
  /** The buyer cancelled an order not paid yet, or its hold ran out unpaid. */
  | { kind: 'cancel-unpaid'; reason: string };

/** The columns written to the order row. paymentId only ever fills in; failureReason null clears it. */
export interface OrderChange {
  status: OrderStatus;
  paymentId?: string;
  failureReason?: string | null;
}

export interface Accepted {
  ok: true;
  /** The order's status after the event (unchanged when only messages follow). */
  status: OrderStatus;
  /** What is written to the order row; null: the row is left as it is. */
  change: OrderChange | null;
  issueTickets?: MintedTicket[];
  voidTickets?: true;
  commands: OutboxCommand[];
}

/** The event changes nothing: said why, for the log and the tests. */
export interface Refused {
  ok: false;
  reason: string;
}

export type Transition = Accepted | Refused;

const UNPAID: OrderStatus[] = ['PENDING', 'FAILED'];

export function transition(order: Order, event: SagaEvent): Transition {
  switch (event.kind) {
    case 'payment':
      return onPayment(order, event);
    case 'seats-allocated':
      if (order.status !== 'ALLOCATING') return refused(`seats allocated to a ${order.status} order`);
      return accepted(order, { status: 'CONFIRMED' }, (after) => [notice(after, 'ORDER_CONFIRMED', undefined, event.tickets)], { issueTickets: event.tickets });
    case 'seats-unavailable':
      // The order stays ALLOCATING, with the reason, until the refund's callback makes it REFUNDED.
      if (order.status !== 'ALLOCATING') return refused(`seats unavailable for a ${order.status} order`);
      return accepted(order, { status: 'ALLOCATING', failureReason: event.reason }, () => [
        commands.refund({ orderId: order.id, paymentId: order.paymentId, reason: event.reason }),
      ]);
    case 'cancel-unpaid':
      if (!UNPAID.includes(order.status)) return refused(`a ${order.status} order is not unpaid`);
      return accepted(order, { status: 'CANCELLED', failureReason: event.reason }, (after) => [
        commands.release(order.id),
        notice(after, 'ORDER_CANCELLED', undefined, []),
      ]);
  }
}

function onPayment(order: Order, event: Extract<SagaEvent, { kind: 'payment' }>): Transition {
  const { paymentId } = event;
  switch (event.status) {
    case 'SUCCESS':
      if (UNPAID.includes(order.status)) {
        return accepted(order, { status: 'ALLOCATING', paymentId, failureReason: null }, () => [commands.allocate(order.id)]);
      }
      if (order.paymentId === paymentId) return refused(`the order's own payment, already applied (${order.status})`);
      // Paid after the order was cancelled or paid otherwise: the money goes back; the order stays as it is.
      return accepted(order, null, () => [
        commands.refund({ orderId: order.id, paymentId, reason: `Order was already ${order.status.toLowerCase()} when the payment arrived` }),
      ]);
    case 'FAILED':
      if (!UNPAID.includes(order.status)) return refused(`a failed payment arrived for a ${order.status} order`);
      return accepted(order, { status: 'FAILED', failureReason: event.failureReason ?? 'Payment declined' }, (after) => [
        notice(after, 'PAYMENT_FAILED', paymentId, []),
      ]);
    case 'REFUNDED':
      if (order.status === 'REFUNDED') return refused('the order is refunded already');
      // Only the refund of the order's own payment undoes it. The refund of a second payment (sent
      // back above) leaves the order alone: its own payment is kept, so must its tickets be.
      if (order.paymentId !== null && order.paymentId !== paymentId) return refused('the refund of another payment than the order\'s');
      return accepted(order, { status: 'REFUNDED', paymentId }, (after) => [commands.release(order.id), notice(after, 'ORDER_REFUNDED', paymentId, [])], {
        voidTickets: true,
      });
  }
}

/** The order as the change leaves it (what the notice is built from), and the messages that follow. */
function accepted(
  order: Order,
  change: OrderChange | null,
  follow: (after: Order) => OutboxCommand[],
  tickets: Pick<Accepted, 'issueTickets' | 'voidTickets'> = {},
): Accepted {
  const after: Order = change
    ? {
        ...order,
        status: change.status,
        paymentId: change.paymentId ?? order.paymentId,
        failureReason: change.failureReason !== undefined ? change.failureReason : order.failureReason,
      }
    : order;
  return { ok: true, status: after.status, change, ...tickets, commands: follow(after) };
}

function refused(reason: string): Refused {
  return { ok: false, reason };
}

function notice(order: Order, type: NotificationType, paymentId: string | undefined, tickets: NoticeTicket[]): OutboxCommand {
  return commands.notify(order.id, type, paymentId, noticeBody(order, type, paymentId, tickets));
}
