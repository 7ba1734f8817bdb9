import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { client } from '@etsr/platform/testing';
import { Stack, loadDemoData, startStack } from '../src/stack';
import { checkInvariants, waitFor } from '../src/journeys';

/**
 * Fault drills: a service dies or is unreachable at the worst moment of a booking, and the
 * booking still ends CONFIRMED with its tickets (or refunded), never charged without a ticket.
 */
describe('fault drills: services dying mid-booking', () => {
  let stack: Stack;
  let buyer: string;
  let api: Record<string, ReturnType<typeof client>>;
  let nextSeat = 400;
  before(async () => {
    stack = await startStack({
      env: {
        // A slow gateway, so the payment service can be killed while a charge is on its way.
        payment: { GATEWAY_LATENCY_MS: '1500', PAYMENT_RECOVERY_AFTER_SECONDS: '3', PAYMENT_RECOVERY_INTERVAL_MS: '500', CALLBACK_RETRY_MAX_MS: '1000', OUTBOX_POLL_INTERVAL_MS: '200' },
        order: { RECONCILE_INTERVAL_MS: '1000', RECONCILE_AFTER_SECONDS: '2', OUTBOX_POLL_INTERVAL_MS: '200' },
        notification: { NOTIFICATION_RETRY_BASE_MS: '200', NOTIFICATION_RETRY_MAX_MS: '1000' },
      },
    });
    buyer = (await loadDemoData(stack)).tokens.buyer;
    api = Object.fromEntries(Object.entries(stack.urls).map(([name, url]) => [name, client(url)]));
  });
  after(() => stack?.stop());
  // After every journey, nobody is charged without a ticket and no seat is sold twice (docs/architecture.md).
  afterEach(() => checkInvariants(stack));

  async function pendingOrder(count = 1) {
    const seatIds = Array.from({ length: count }, () => nextSeat++);
    const hold = await api.seating.post('/v1/seats/reserve', { token: buyer, body: { eventId: 1, seatIds } });
    assert.equal(hold.status, 201, hold.text);
    const order = await api.order.post('/v1/orders', { token: buyer, headers: { 'Idempotency-Key': randomUUID() }, body: { userId: 5, eventId: 1, reservationId: hold.body.reservationId } });
    assert.equal(order.status, 201, order.text);
    return { order: order.body, seatIds };
  }
  const charge = (order: { orderId: string; totalCents: number }) =>
    api.payment.post('/v1/charge', { headers: { 'Idempotency-Key': randomUUID() }, body: { merchant_order_id: order.orderId, amount_cents: order.totalCents, payment_method: 'UPI' } });
  const status = async (id: string) => (await api.order.get(`/v1/orders/${id}`, { token: buyer })).body.status;
  const confirmed = (id: string) => waitFor(async () => (await status(id)) === 'CONFIRMED', `order ${id} CONFIRMED`, 30_000);

  it('the payment service is killed between the charge and the callback: after its restart the order is CONFIRMED', async () => {
    const { order, seatIds } = await pendingOrder(2);
    const charging = charge(order).catch((e: unknown) => e); // the answer never comes: the process dies
    await new Promise((r) => setTimeout(r, 500));
    await stack.kill('payment');
    await charging;
    assert.equal(await status(order.orderId), 'PENDING');
    await stack.start('payment');
    await confirmed(order.orderId);
    for (const seatId of seatIds) assert.equal((await api.seating.get(`/v1/seats/${seatId}`)).body.status, 'ALLOCATED');
  });

  it('the order service is down when the callback is sent: delivered after its restart', async () => {
    const { order } = await pendingOrder();
    // The charge checks the order first (order up), then spends 1.5 s at the gateway: the order service dies meanwhile.
    const charging = charge(order);
    await new Promise((r) => setTimeout(r, 500));
    await stack.kill('order');
    try {
      const paid = await charging;
      assert.equal(paid.body.status, 'SUCCESS');
      await new Promise((r) => setTimeout(r, 1500)); // the payment service keeps trying meanwhile
    } finally {
      await stack.start('order');
    }
    await confirmed(order.orderId);
  });

  it('a callback lost for good: the reconciler reads the payment back and the order is CONFIRMED', async () => {
    const { order } = await pendingOrder();
    const charging = charge(order);
    await new Promise((r) => setTimeout(r, 500));
    await stack.kill('order');
    try {
      const paid = await charging;
      assert.equal(paid.body.status, 'SUCCESS');
      // The payment service gives up on the callback (here: its outbox row is marked delivered).
      const { Client } = await import('pg');
      const pg = new Client({ connectionString: stack.services.payment.databaseUrl });
      await pg.connect();
      const lost = await pg.query(`UPDATE outbox SET status = 'SENT', sent_at = now() WHERE status = 'PENDING' AND payload->'callback'->>'payment_id' = $1 RETURNING id`, [paid.body.payment_id]);
      await pg.end();
      assert.ok(lost.rowCount, 'the callback was still waiting to be delivered');
    } finally {
      await stack.start('order');
    }
    await confirmed(order.orderId);
  });

  it('seating is down at callback time: CONFIRMED once it is back, never charged without a ticket', async () => {
    const { order } = await pendingOrder();
    await stack.kill('seating');
    try {
      const paid = await charge(order);
      assert.equal(paid.body.status, 'SUCCESS');
      await waitFor(async () => (await status(order.orderId)) === 'ALLOCATING', 'payment received while seating is down');
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await stack.start('seating');
    }
    await confirmed(order.orderId);
    const tickets = await api.order.get(`/v1/orders/${order.orderId}/tickets`, { token: buyer });
    assert.equal(tickets.body.tickets.length, 1);
  });

  it('paid after the hold was lost: refunded automatically, and the buyer is told why', async () => {
    const { order, seatIds } = await pendingOrder();
    await stack.kill('seating');
    const paid = await charge(order);
    assert.equal(paid.body.status, 'SUCCESS');
    // While seating is down, its database is changed as an expired, swept and resold hold would be.
    const { Client } = await import('pg');
    const pg = new Client({ connectionString: stack.services.seating.databaseUrl });
    await pg.connect();
    await pg.query(`UPDATE reservations SET status = 'EXPIRED' WHERE $1 = ANY (seat_ids) AND status = 'RESERVED'`, [seatIds[0]]);
    await pg.query(`UPDATE seats SET status = 'BLOCKED', reservation_id = NULL, reserved_by = NULL, reservation_expiry = NULL WHERE seat_id = $1`, [seatIds[0]]);
    await pg.end();
    await stack.start('seating'); // (a failure above leaves it down; the next drills would say so)
    await waitFor(async () => (await status(order.orderId)) === 'REFUNDED', 'order REFUNDED', 30_000);
    const payment = await api.payment.get(`/v1/payments/${paid.body.payment_id}`, { token: buyer });
    assert.equal(payment.body.status, 'REFUNDED');
    const view = await api.order.get(`/v1/orders/${order.orderId}`, { token: buyer });
    assert.match(view.body.failureReason, /Seats could no longer be allocated/);
  });

  it('the SMTP server is down: the confirmation is sent once it is back', async () => {
    const { order } = await pendingOrder();
    await stack.stopMail();
    await charge(order);
    await confirmed(order.orderId);
    const mails = () => readdirSync(stack.mailDir).filter((f) => readFileSync(join(stack.mailDir, f), 'utf8').includes(order.orderId.slice(0, 8)));
    await new Promise((r) => setTimeout(r, 1500));
    const pending = await api.notification.get(`/v1/notifications?orderId=${order.orderId}`, { token: buyer });
    assert.ok(pending.body.notifications.some((n: { status: string }) => n.status !== 'SENT'), 'not sent while the server is down');
    await stack.startMail();
    await waitFor(async () => {
      const res = await api.notification.get(`/v1/notifications?orderId=${order.orderId}`, { token: buyer });
      return res.body.notifications.every((n: { status: string }) => n.status === 'SENT');
    }, 'confirmation SENT after the SMTP server is back', 30_000);
    assert.equal(mails().length, 1, 'exactly one confirmation mail');
  });

  it('afterwards every invariant holds', async () => {
    await checkInvariants(stack);
  });
});
