import type { NotificationBody } from '../src/saga/order-notice';
import { FakePeer, Route, errorBody } from './fake-peer';

/** A notice as POST /internal/v1/notifications of the notification service receives it: the body the order service builds. */
export type ReceivedNotice = NotificationBody;

/**
 * A stand-in for the notification service's POST /internal/v1/notifications (service credential
 * for audience "notification" only): idempotent by eventId as the real one is (a repeat is 202 and
 * stores nothing new; the same eventId with another body is 422 EVENT_ID_REUSED).
 */
export class FakeNotification extends FakePeer {
  /** One entry per distinct eventId, in arrival order. */
  readonly notices: ReceivedNotice[] = [];

  constructor() {
    super('notification');
  }

  /** The notices of one order, optionally of one type. */
  of(orderId: string, type?: string): ReceivedNotice[] {
    return this.notices.filter((n) => n.orderId === orderId && (!type || n.type === type));
  }

  protected routes(): Route[] {
    return [
      {
        name: 'notify',
        method: 'POST',
        pattern: /^\/internal\/v1\/notifications$/,
        access: 'service',
        handle: (_, body) => {
          const notice = body as unknown as ReceivedNotice;
          for (const field of ['eventId', 'type', 'orderId', 'email'] as const) {
            if (typeof notice[field] !== 'string') return errorBody(400, 'VALIDATION_FAILED', `${field} is required`);
          }
          const earlier = this.notices.find((n) => n.eventId === notice.eventId);
          if (earlier && JSON.stringify(earlier) !== JSON.stringify(notice)) return errorBody(422, 'EVENT_ID_REUSED', 'eventId received before with another body');
          if (!earlier) this.notices.push(notice);
          return [202, { eventId: notice.eventId, notifications: [] }];
        },
      },
    ];
  }
}
