import { EntityManager } from 'typeorm';
import { OutboxMessage, OutboxWorker, enqueue } from '@etsr/platform';
import { NotificationBody, NotificationType } from './order-notice';

/**
 * The order service's outbox: its topics, what each message carries, and its dedupe key. Every
 * message is built here, so a step is enqueued once however often its cause is applied, and the
 * keys cannot drift between the places that enqueue the same step.
 */
export const TOPICS = { allocate: 'order.allocate', refund: 'order.refund', release: 'order.release', notify: 'order.notify' } as const;

/** Sell the order's held seats, then issue its tickets. */
export interface AllocatePayload {
  orderId: string;
}

/** Refund a payment at the payment service: whole, or amountCents under refundKey. */
export interface RefundPayload {
  orderId: string;
  paymentId: string | null;
  reason: string;
  amountCents?: number;
  refundKey?: string;
}

/** Release the order's hold at seating. */
export interface ReleasePayload {
  orderId: string;
}

/** Hand a notice to the notification service; no body when the order has no e-mail address. */
export interface NotifyPayload {
  orderId: string;
  type: NotificationType;
  body?: NotificationBody;
}

interface Payloads {
  [TOPICS.allocate]: AllocatePayload;
  [TOPICS.refund]: RefundPayload;
  [TOPICS.release]: ReleasePayload;
  [TOPICS.notify]: NotifyPayload;
}

export type OrderTopic = keyof Payloads;

/** One outbox message to write in the transaction of the change that calls for it. */
export type OutboxCommand = { [T in OrderTopic]: { topic: T; payload: Payloads[T]; dedupeKey: string } }[OrderTopic];

export const commands = {
  allocate: (orderId: string): OutboxCommand => ({ topic: TOPICS.allocate, payload: { orderId }, dedupeKey: `allocate:${orderId}` }),

  /** One refund per payment, or per payment and refundKey for a partial one. */
  refund: (payload: RefundPayload): OutboxCommand => ({
    topic: TOPICS.refund,
    payload,
    dedupeKey: payload.refundKey ? `refund:${payload.paymentId}:${payload.refundKey}` : `refund:${payload.paymentId}`,
  }),

  release: (orderId: string): OutboxCommand => ({ topic: TOPICS.release, payload: { orderId }, dedupeKey: `release:${orderId}` }),

  /** One notice per order, type and payment (the same parts as the notice's eventId). */
  notify: (orderId: string, type: NotificationType, paymentId: string | undefined, body: NotificationBody | undefined): OutboxCommand => ({
    topic: TOPICS.notify,
    payload: { orderId, type, body },
    dedupeKey: `notify:${orderId}:${type}:${paymentId ?? ''}`,
  }),
};

export async function enqueueCommands(tx: EntityManager, list: OutboxCommand[]): Promise<void> {
  for (const c of list) await enqueue(tx, c.topic, c.payload, c.dedupeKey);
}

export type OrderTopicHandlers = { [T in OrderTopic]: (payload: Payloads[T], message: OutboxMessage) => Promise<void> };

/** Registers a handler for every topic (the type makes a missing one a compile error). */
export function handleOrderTopics(outbox: OutboxWorker, handlers: OrderTopicHandlers): OutboxWorker {
  for (const topic of Object.values(TOPICS)) {
    const handler = handlers[topic] as (payload: unknown, message: OutboxMessage) => Promise<void>;
    outbox.handle(topic, (message) => handler(message.payload, message));
  }
  return outbox;
}
