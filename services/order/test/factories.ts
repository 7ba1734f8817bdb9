import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { FakeReservation } from './fake-seating';
import { OrderServiceUnderTest, eventually, userToken } from './harness';

let sequence = 0;

/** An Idempotency-Key no other test uses. */
export const newKey = (tag = 'order') => `${tag}_${Date.now().toString(36)}${(sequence++).toString(36)}_${randomBytes(3).toString('hex')}`;

/** A payment id shaped as the payment service makes them (`pay_` + 22 base64url characters). */
export const newPaymentId = () => `pay_${randomBytes(16).toString('base64url')}`;

/** The snake_case body of POST /v1/orders for a held reservation. */
export function orderBody(reservation: FakeReservation, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    user_id: reservation.userId,
    event_id: reservation.eventId,
    reservation_id: reservation.reservationId,
    seats: reservation.seats.map((s) => s.seatId),
    ...overrides,
  };
}

/** The payment service's callback body for a payment of an order. */
export function callbackBody(orderId: string, paymentId: string, status: 'SUCCESS' | 'FAILED' | 'REFUNDED', extra: Record<string, unknown> = {}) {
  return {
    order_id: orderId,
    payment_id: paymentId,
    status,
    transaction_id: status === 'FAILED' ? null : `txn_upi_${randomBytes(5).toString('hex')}`,
    event_id: `${paymentId}:${status}`,
    ...(status === 'FAILED' ? { failure_reason: 'Card declined' } : {}),
    ...extra,
  };
}

/** A ticket as GET /v1/orders/{id}/tickets lists it. */
export interface TicketView {
  ticketId: string;
  seatId: number;
  seatCode: string;
  ticketCode: string;
  status: string;
  issuedAt: string;
  checkedInAt: string | null;
  qrPayload: string;
  qrCode: string;
}

export interface CreatedOrder {
  order: Record<string, any>;
  reservation: FakeReservation;
  token: string;
  key: string;
}

/** A reservation held at the fake seating service and its order, created over HTTP (201 asserted). */
export async function createOrder(
  svc: OrderServiceUnderTest,
  options: { userId?: number; seatCount?: number; price?: number; eventId?: number; token?: string } = {},
): Promise<CreatedOrder> {
  const userId = options.userId ?? 2;
  const reservation = svc.seating.addReservation({ userId, seatCount: options.seatCount ?? 2, price: options.price, eventId: options.eventId });
  const token = options.token ?? userToken(userId);
  const key = newKey();
  const res = await svc.api.post('/v1/orders', { token, body: orderBody(reservation), headers: { 'Idempotency-Key': key } });
  assert.equal(res.status, 201, res.text);
  return { order: res.body, reservation, token, key };
}

/** An order's status as its owner (or an admin) reads it. */
export async function orderStatus(svc: OrderServiceUnderTest, orderId: string, token = userToken(1, 'ADMIN')): Promise<string> {
  const res = await svc.api.get(`/v1/orders/${orderId}`, { token });
  assert.equal(res.status, 200, res.text);
  return res.body.status;
}

/** Waits until the order has `status`. */
export function waitForStatus(svc: OrderServiceUnderTest, orderId: string, status: string, timeoutMs = 10_000): Promise<true> {
  return eventually(async () => ((await orderStatus(svc, orderId)) === status ? true : undefined), timeoutMs, `order ${orderId} ${status}`);
}

/** An order paid with a SUCCESS callback and CONFIRMED with its tickets (read by its owner). */
export async function confirmedOrder(svc: OrderServiceUnderTest, options: Parameters<typeof createOrder>[1] = {}) {
  const created = await createOrder(svc, options);
  const paymentId = newPaymentId();
  const res = await svc.callback(callbackBody(created.order.orderId, paymentId, 'SUCCESS'));
  assert.equal(res.status, 200, res.text);
  await waitForStatus(svc, created.order.orderId, 'CONFIRMED');
  const tickets = await svc.api.get(`/v1/orders/${created.order.orderId}/tickets`, { token: created.token });
  assert.equal(tickets.status, 200, tickets.text);
  return { ...created, paymentId, tickets: tickets.body.tickets as TicketView[] };
}

export const unknownOrderId = () => randomUUID();
