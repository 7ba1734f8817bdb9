import assert from 'node:assert/strict';
import { Client } from 'pg';
import { eventually } from '@etsr/platform/testing';
import { Stack } from './stack';

/** Polls until `check` is true (the saga is asynchronous: callbacks, outbox, sweepers). */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => (await check()) || undefined, timeoutMs, what, 150);
}

async function rows<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * The promises the platform makes, read from every service's database after a journey:
 * each successful payment has a CONFIRMED order with one valid ticket per seat, or a refund;
 * each valid ticket has a paid order and an ALLOCATED seat; no seat is allocated twice; nothing
 * unpaid is left PENDING past its hold.
 */
export async function checkInvariants(stack: Stack): Promise<void> {
  const db = (name: string) => stack.services[name].databaseUrl;
  const payments = await rows<{ merchant_order_id: string; status: string; payment_id: string; refunded_cents: number }>(
    db('payment'),
    `SELECT payment_id, merchant_order_id, status, refunded_cents FROM payments`,
  );
  const orders = await rows<{ id: string; status: string; payment_id: string | null; hold_expires_at: Date; seats: number; valid: number }>(
    db('order'),
    `SELECT o.id, o.status, o.payment_id, o.hold_expires_at,
            (SELECT count(*)::int FROM order_items i WHERE i.order_id = o.id) AS seats,
            (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id AND t.status = 'VALID') AS valid
       FROM orders o`,
  );
  const byId = new Map(orders.map((o) => [o.id, o]));
  for (const p of payments.filter((x) => x.status === 'SUCCESS')) {
    const order = byId.get(p.merchant_order_id);
    assert.ok(order, `payment ${p.payment_id} has no order`);
    const paidHere = (order.status === 'CONFIRMED' || order.status === 'PARTIALLY_REFUNDED') && order.payment_id === p.payment_id;
    assert.ok(paidHere, `payment ${p.payment_id} is SUCCESS but its order is ${order.status} (paid by ${order.payment_id}): charged without a ticket`);
    if (order.status === 'CONFIRMED') assert.equal(order.valid, order.seats, `order ${order.id}: one ticket per seat`);
    // The unused tickets were refunded: some are void, and part of the payment went back.
    else assert.ok(order.valid > 0 && order.valid < order.seats && p.refunded_cents > 0, `order ${order.id}: partly refunded, some tickets kept`);
  }
  for (const o of orders) {
    if (o.valid > 0) {
      assert.ok(o.status === 'CONFIRMED' || o.status === 'PARTIALLY_REFUNDED', `order ${o.id} has valid tickets but is ${o.status}`);
      assert.ok(payments.some((p) => p.payment_id === o.payment_id && p.status === 'SUCCESS'), `order ${o.id} has tickets without a payment`);
    }
    if (o.status === 'PENDING') assert.ok(new Date(o.hold_expires_at).getTime() > Date.now() - 30_000, `order ${o.id} left PENDING past its hold`);
  }
  const doubleSold = await rows(
    db('seating'),
    `SELECT seat, count(*) FROM (SELECT unnest(seat_ids) AS seat FROM reservations WHERE status = 'ALLOCATED') s GROUP BY seat HAVING count(*) > 1`,
  );
  assert.deepEqual(doubleSold, [], 'a seat allocated twice');
  const validTickets = await rows<{ seat_id: string; order_id: string }>(db('order'), `SELECT seat_id, order_id FROM tickets WHERE status = 'VALID'`);
  const allocated = new Map(
    (await rows<{ seat_id: string; order_id: string; status: string }>(
      db('seating'),
      `SELECT s.seat_id, r.order_id, s.status FROM seats s JOIN reservations r ON r.reservation_id = s.reservation_id WHERE s.status = 'ALLOCATED'`,
    )).map((r) => [String(r.seat_id), String(r.order_id)]),
  );
  for (const t of validTickets) assert.equal(allocated.get(String(t.seat_id)), t.order_id, `ticket for seat ${t.seat_id} but the seat is not allocated to its order`);
}
