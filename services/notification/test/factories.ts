import { randomBytes, randomUUID } from 'node:crypto';
import type { NotificationType } from '../src/entities/notification-event.entity';

let nextUser = 100;
/** A user id no other test in this process uses. */
export const newUserId = () => ++nextUser;

export interface EventOverrides {
  type?: NotificationType;
  userId?: number;
  orderId?: string;
  email?: string;
  phone?: string;
  name?: string;
  data?: Record<string, unknown>;
  tickets?: number;
}

/** A notification event as the order service sends it: the example, with fresh ids. */
export function orderEvent(overrides: EventOverrides = {}): Record<string, unknown> {
  const type = overrides.type ?? 'ORDER_CONFIRMED';
  const orderId = overrides.orderId ?? randomUUID();
  const ticketCount = overrides.tickets ?? (type === 'ORDER_CONFIRMED' ? 2 : 0);
  const tickets = Array.from({ length: ticketCount }, (_, i) => ({
    ticketCode: `TCK-20251109-${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}${i}`,
    seatCode: `PREMIUM-F-${i + 1}`,
    qrPayload: `etsr:ticket:${orderId}:${i + 1}`,
  }));
  const body: Record<string, unknown> = {
    eventId: randomUUID(),
    type,
    userId: overrides.userId ?? newUserId(),
    orderId,
    email: overrides.email ?? 'alice@example.com',
    name: overrides.name ?? 'Alice',
    data: {
      eventName: 'Rock Concert 2025',
      eventId: 1,
      totalCents: 33000,
      currency: 'INR',
      ...(type === 'ORDER_CONFIRMED' ? {} : { reason: type === 'PAYMENT_FAILED' ? 'Insufficient funds' : 'Requested by the customer' }),
      ...(tickets.length ? { tickets } : {}),
      ...overrides.data,
    },
  };
  if (overrides.phone) body.phone = overrides.phone;
  return body;
}

/** A one-time token shaped like the user service's: "pst_" and 43 base64url characters, fresh each call. */
export const setupToken = () => `pst_${randomBytes(32).toString('base64url')}`;

export interface AccountEventOverrides {
  type?: 'ACCOUNT_SETUP' | 'PASSWORD_RESET';
  userId?: number;
  email?: string;
  name?: string;
  data?: Record<string, unknown>;
}

/** An account e-mail event as the user service sends it: the interface's example, with a fresh event id and token. */
export function accountEvent(overrides: AccountEventOverrides = {}): Record<string, unknown> {
  const type = overrides.type ?? 'PASSWORD_RESET';
  return {
    eventId: randomUUID(),
    type,
    userId: overrides.userId ?? newUserId(),
    email: overrides.email ?? 'alice@example.com',
    name: overrides.name ?? 'Alice',
    data: {
      username: 'alice_johnson',
      token: setupToken(),
      expiresAt: new Date(Date.now() + (type === 'ACCOUNT_SETUP' ? 72 : 1) * 3600_000).toISOString(),
      confirmUrl: 'http://localhost:8081/v1/users/password-setup/confirm',
      ...overrides.data,
    },
  };
}
