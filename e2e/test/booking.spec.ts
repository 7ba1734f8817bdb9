import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { signPayload } from '@etsr/platform';
import { client } from '@etsr/platform/testing';
import { Stack, loadDemoData, startStack } from '../src/stack';
import { checkInvariants, waitFor } from '../src/journeys';

describe('booking saga: all six services as processes', () => {
  let stack: Stack;
  let buyer: string;
  let admin: string;
  let api: Record<string, ReturnType<typeof client>>;
  let nextSeat = 200;
  before(async () => {
    stack = await startStack({ env: { order: { RECONCILE_INTERVAL_MS: '500', RECONCILE_AFTER_SECONDS: '2', OUTBOX_POLL_INTERVAL_MS: '200' } } });
    const demo = await loadDemoData(stack);
    buyer = demo.tokens.buyer;
    admin = demo.tokens.admin;
    api = Object.fromEntries(Object.entries(stack.urls).map(([name, url]) => [name, client(url)]));
  });
  after(() => stack?.stop());
  // After every journey, nobody is charged without a ticket and no seat is sold twice (docs/architecture.md).
  afterEach(() => checkInvariants(stack));

  /** Holds `count` seats of event 1 for Alice and orders them; returns the order. */
  async function orderSeats(count = 2) {
    const seatIds = Array.from({ length: count }, () => nextSeat++);
    const hold = await api.seating.post('/v1/seats/reserve', { token: buyer, body: { eventId: 1, seatIds } });
    assert.equal(hold.status, 201, hold.text);
    const order = await api.order.post('/v1/orders', {
      token: buyer,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { user_id: 5, event_id: 1, reservation_id: hold.body.reservationId, seats: seatIds },
    });
    assert.equal(order.status, 201, order.text);
    return { order: order.body, seatIds, hold: hold.body };
  }

  const charge = (order: { orderId: string; totalCents: number }, method = 'UPI', key = randomUUID()) =>
    api.payment.post('/v1/charge', {
      headers: { 'Idempotency-Key': key },
      body: { merchant_order_id: order.orderId, amount_cents: order.totalCents, currency: 'INR', payment_method: method },
    });

  const orderStatus = async (id: string) => (await api.order.get(`/v1/orders/${id}`, { token: buyer })).body.status;

  it('the booking walkthrough: reserve, order, pay, CONFIRMED with one ticket per seat, seats ALLOCATED, mail sent', async () => {
    const { order, seatIds } = await orderSeats(3);
    assert.equal(order.status, 'PENDING');
    assert.equal(order.subtotalCents, 30000);
    assert.equal(order.taxCents, 3000);
    assert.equal(order.totalCents, 33000);
    const paid = await charge(order);
    assert.equal(paid.status, 201, paid.text);
    assert.equal(paid.body.status, 'SUCCESS');
    await waitFor(async () => (await orderStatus(order.orderId)) === 'CONFIRMED', 'order CONFIRMED');
    const tickets = await api.order.get(`/v1/orders/${order.orderId}/tickets`, { token: buyer });
    assert.deepEqual(tickets.body.tickets.map((t: { seatId: number }) => t.seatId), seatIds);
    for (const t of tickets.body.tickets) {
      assert.match(t.ticketCode, /^TCK-[0-9A-Z]{20}$/);
      assert.match(t.qrCode, /^data:image\/png;base64,/);
    }
    for (const seatId of seatIds) assert.equal((await api.seating.get(`/v1/seats/${seatId}`)).body.status, 'ALLOCATED');
    await waitFor(async () => {
      const res = await api.notification.get(`/v1/notifications?orderId=${order.orderId}`, { token: buyer });
      return res.status === 200 && res.body.notifications.some((n: { channel: string; status: string }) => n.channel === 'EMAIL' && n.status === 'SENT');
    }, 'confirmation e-mail SENT');
    const check = await api.order.get(`/v1/tickets/${tickets.body.tickets[0].ticketCode}`);
    assert.equal(check.body.valid, true);
  });

  it('the same Idempotency-Key gives the same order and the same charge; another body is 422', async () => {
    const seatIds = [nextSeat++];
    const hold = await api.seating.post('/v1/seats/reserve', { token: buyer, body: { eventId: 1, seatIds } });
    const key = randomUUID();
    const body = { userId: 5, eventId: 1, reservationId: hold.body.reservationId };
    const first = await api.order.post('/v1/orders', { token: buyer, headers: { 'Idempotency-Key': key }, body });
    const again = await api.order.post('/v1/orders', { token: buyer, headers: { 'Idempotency-Key': key }, body });
    assert.equal(again.status, 201);
    assert.equal(again.text, first.text);
    assert.equal((await api.order.post('/v1/orders', { token: buyer, headers: { 'Idempotency-Key': key }, body: { ...body, eventId: 2 } })).status, 422);
    assert.equal((await api.order.post('/v1/orders', { token: buyer, body })).status, 400);
    const payKey = randomUUID();
    const charges = await Promise.all(Array.from({ length: 20 }, () => charge(first.body, 'UPI', payKey)));
    const ok = charges.filter((c) => c.status === 201);
    assert.ok(ok.length >= 1);
    assert.ok(charges.every((c) => c.status === 201 || c.status === 409), charges.map((c) => c.status).join());
    assert.equal(new Set(ok.map((c) => c.text)).size, 1, 'every answer is the first one, byte for byte');
    await waitFor(async () => (await orderStatus(first.body.orderId)) === 'CONFIRMED', 'order CONFIRMED');
  });

  it('a declined payment leaves the order FAILED with nothing allocated; paying again succeeds', async () => {
    const { order, seatIds } = await orderSeats(1);
    const declined = await charge(order, 'TEST_DECLINE');
    assert.equal(declined.body.status, 'FAILED');
    await waitFor(async () => (await orderStatus(order.orderId)) === 'FAILED', 'order FAILED');
    assert.equal((await api.seating.get(`/v1/seats/${seatIds[0]}`)).body.status, 'RESERVED');
    const retry = await charge(order, 'CREDIT_CARD');
    assert.equal(retry.body.status, 'SUCCESS');
    await waitFor(async () => (await orderStatus(order.orderId)) === 'CONFIRMED', 'order CONFIRMED after the retry');
  });

  it('a refund voids the tickets and puts the seats back on sale; a buyer cannot refund at the payment service directly', async () => {
    const { order, seatIds } = await orderSeats(2);
    const paid = await charge(order);
    await waitFor(async () => (await orderStatus(order.orderId)) === 'CONFIRMED', 'order CONFIRMED');
    const direct = await api.payment.post('/v1/refund', { token: buyer, body: { payment_id: paid.body.payment_id, reason: 'Cannot attend' } });
    assert.equal(direct.status, 403, direct.text);
    assert.equal(direct.body.error, 'REFUND_VIA_ORDER');
    const refund = await api.payment.post('/v1/refund', { token: admin, body: { payment_id: paid.body.payment_id, reason: 'Cannot attend' } });
    assert.equal(refund.status, 200, refund.text);
    assert.equal(refund.body.status, 'REFUNDED');
    await waitFor(async () => (await orderStatus(order.orderId)) === 'REFUNDED', 'order REFUNDED');
    await waitFor(async () => (await api.seating.get(`/v1/seats/${seatIds[0]}`)).body.status === 'AVAILABLE', 'seats AVAILABLE');
    const tickets = await api.order.get(`/v1/orders/${order.orderId}/tickets`, { token: buyer });
    assert.ok(tickets.body.tickets.every((t: { status: string }) => t.status === 'VOID'));
    const scan = await api.order.post(`/v1/tickets/${tickets.body.tickets[0].ticketCode}/check-in`, { token: admin });
    assert.equal(scan.status, 409);
    assert.equal(scan.body.error, 'TICKET_VOID');
  });

  it('the box office refunds the unused tickets only: the payment service refunds their price, the used ticket stays valid', async () => {
    const { order } = await orderSeats(2);
    const paid = await charge(order);
    await waitFor(async () => (await orderStatus(order.orderId)) === 'CONFIRMED', 'order CONFIRMED');
    const { tickets } = (await api.order.get(`/v1/orders/${order.orderId}/tickets`, { token: buyer })).body;
    assert.equal((await api.order.post(`/v1/tickets/${tickets[0].ticketCode}/check-in`, { token: admin })).status, 200);
    const res = await api.order.post(`/v1/orders/${order.orderId}/refund-unused`, { token: admin, body: { reason: 'One of the party could not come' } });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.order.status, 'PARTIALLY_REFUNDED');
    assert.deepEqual(res.body.voidedTickets, [tickets[1].ticketCode]);
    assert.ok(res.body.refundCents > 0 && res.body.refundCents < order.totalCents, String(res.body.refundCents));
    await waitFor(async () => (await api.payment.get(`/v1/payments/${paid.body.payment_id}`, { token: admin })).body.refunded_cents === res.body.refundCents, 'the partial refund');
    const payment = (await api.payment.get(`/v1/payments/${paid.body.payment_id}`, { token: admin })).body;
    assert.equal(payment.status, 'SUCCESS');
    const after = (await api.order.get(`/v1/orders/${order.orderId}/tickets`, { token: buyer })).body.tickets;
    assert.deepEqual(after.map((t: { status: string }) => t.status), ['VALID', 'VOID']);
    assert.equal(await orderStatus(order.orderId), 'PARTIALLY_REFUNDED');
  });

  it('cancel before payment: CANCELLED and the hold released; after payment: REFUNDED', async () => {
    const unpaid = await orderSeats(1);
    const cancelled = await api.order.post(`/v1/orders/${unpaid.order.orderId}/cancel`, { token: buyer });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'CANCELLED');
    await waitFor(async () => (await api.seating.get(`/v1/seats/${unpaid.seatIds[0]}`)).body.status === 'AVAILABLE', 'hold released');

    const paid = await orderSeats(1);
    await charge(paid.order);
    await waitFor(async () => (await orderStatus(paid.order.orderId)) === 'CONFIRMED', 'order CONFIRMED');
    const cancel = await api.order.post(`/v1/orders/${paid.order.orderId}/cancel`, { token: buyer });
    assert.equal(cancel.status, 202);
    await waitFor(async () => (await orderStatus(paid.order.orderId)) === 'REFUNDED', 'order REFUNDED');
  });

  it('check-in admits a ticket once', async () => {
    const { order } = await orderSeats(1);
    await charge(order);
    await waitFor(async () => (await orderStatus(order.orderId)) === 'CONFIRMED', 'order CONFIRMED');
    const code = (await api.order.get(`/v1/orders/${order.orderId}/tickets`, { token: buyer })).body.tickets[0].ticketCode;
    assert.equal((await api.order.post(`/v1/tickets/${code}/check-in`, { token: buyer })).status, 403);
    assert.equal((await api.order.post(`/v1/tickets/${code}/check-in`, { token: admin })).status, 200);
    const again = await api.order.post(`/v1/tickets/${code}/check-in`, { token: admin });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'ALREADY_CHECKED_IN');
  });

  it('forged, stale and replayed callbacks are refused or ignored', async () => {
    const { order } = await orderSeats(1);
    const body = JSON.stringify({ order_id: order.orderId, payment_id: 'pay_forged', status: 'SUCCESS', transaction_id: 'txn_x' });
    const send = (signature?: string) =>
      fetch(`${stack.urls.order}/v1/payments/callback`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}) }, body });
    assert.equal((await send()).status, 401);
    assert.equal((await send(signPayload('not-the-secret-but-long-enough', body))).status, 401);
    assert.equal((await send(signPayload(stack.secrets.CALLBACK_SECRET, body, Math.floor(Date.now() / 1000) - 301))).status, 401);
    assert.equal(await orderStatus(order.orderId), 'PENDING');
    // A genuine callback sent again (here: rebuilt and signed with the real secret) is acknowledged, not applied twice.
    const paid = await charge(order);
    await waitFor(async () => (await orderStatus(order.orderId)) === 'CONFIRMED', 'order CONFIRMED');
    const replay = JSON.stringify({ order_id: order.orderId, payment_id: paid.body.payment_id, status: 'SUCCESS', transaction_id: paid.body.transaction_id });
    const res = await fetch(`${stack.urls.order}/v1/payments/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signPayload(stack.secrets.CALLBACK_SECRET, replay) },
      body: replay,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { received: true, applied: false });
  });

  it('the hold expires before payment: the order is CANCELLED, the seats are free, a late charge is refused', async () => {
    const { order, seatIds, hold } = await orderSeats(1);
    // Time passes: both services see the hold as over (as 15 minutes later).
    const { Client } = await import('pg');
    for (const [name, sql, params] of [
      ['seating', `UPDATE reservations SET expires_at = now() - interval '1 minute' WHERE reservation_id = $1`, [hold.reservationId]],
      ['seating', `UPDATE seats SET reservation_expiry = now() - interval '1 minute' WHERE reservation_id = $1`, [hold.reservationId]],
      ['order', `UPDATE orders SET hold_expires_at = now() - interval '1 minute', updated_at = now() - interval '1 minute' WHERE id = $1`, [order.orderId]],
    ] as const) {
      const pg = new Client({ connectionString: stack.services[name].databaseUrl });
      await pg.connect();
      await pg.query(sql, [...params]);
      await pg.end();
    }
    await waitFor(async () => (await orderStatus(order.orderId)) === 'CANCELLED', 'unpaid order CANCELLED by the reconciler');
    await waitFor(async () => (await api.seating.get(`/v1/seats/${seatIds[0]}`)).body.status === 'AVAILABLE', 'seat free again');
    const late = await charge(order);
    assert.equal(late.status, 409, late.text);
  });

  it('afterwards every invariant holds', async () => {
    await checkInvariants(stack);
  });
});
