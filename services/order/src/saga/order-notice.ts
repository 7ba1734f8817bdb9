import { Order, Ticket } from '../repositories/orders.repository';
import { stableUuid } from '../stable-uuid';

export type NotificationType = 'ORDER_CONFIRMED' | 'PAYMENT_FAILED' | 'ORDER_REFUNDED' | 'ORDER_CANCELLED';

export type NoticeTicket = Pick<Ticket, 'ticketCode' | 'seatCode' | 'signedPayload'>;

/** POST /internal/v1/notifications at the notification service. */
export interface NotificationBody {
  eventId: string;
  type: NotificationType;
  userId: number;
  orderId: string;
  email: string;
  data: {
    eventId: number;
    eventName?: string;
    totalCents: number;
    currency: string;
    reason?: string;
    tickets: { ticketCode: string; seatCode: string; qrPayload: string }[];
  };
}

/**
 * The notice of one order event, built from the order as it is after the event. It is stored whole
 * in the outbox, so every retry sends the same request. Its eventId is derived from the order, the
 * type and the payment: the notification service drops a repeat by it. Undefined when the order has
 * no e-mail address (nothing to send).
 */
export function noticeBody(order: Order, type: NotificationType, paymentId: string | undefined, tickets: NoticeTicket[]): NotificationBody | undefined {
  if (!order.customerEmail) return undefined;
  return {
    eventId: stableUuid(`${order.id}:${type}:${paymentId ?? ''}`),
    type,
    userId: order.userId,
    orderId: order.id,
    email: order.customerEmail,
    data: {
      eventId: order.eventId,
      ...(order.eventName ? { eventName: order.eventName } : {}),
      totalCents: order.totalCents,
      currency: order.currency,
      ...(order.failureReason ? { reason: order.failureReason } : {}),
      tickets: tickets.map((t) => ({ ticketCode: t.ticketCode, seatCode: t.seatCode, qrPayload: t.signedPayload })),
    },
  };
}
