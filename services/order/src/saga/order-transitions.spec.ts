import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Order, OrderStatus } from '../repositories/orders.repository';
import { stableUuid } from '../stable-uuid';
import { MintedTicket, SagaEvent, Transition, transition } from './order-transitions';

const ORDER_ID = '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9';
const OWN = 'pay_own';
const OTHER = 'pay_other';

const STATUSES: OrderStatus[] = ['PENDING', 'ALLOCATING', 'CONFIRMED', 'FAILED', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED'];
/** Statuses an order reaches only through its payment's SUCCESS: it has that payment's id. */
const PAID: OrderStatus[] = ['ALLOCATING', 'CONFIRMED', 'REFUNDED', 'PARTIALLY_REFUNDED'];

function order(status: OrderStatus, overrides: Partial<Order> = {}): Order {
  return {
    id: ORDER_ID,
    userId: 2,
    customerEmail: 'buyer@example.com',
    eventId: 1,
    eventName: 'Concert',
    reservationId: 'res_1',
    subtotalCents: 10000,
    taxCents: 1800,
    totalCents: 11800,
    currency: 'INR',
    status,
    paymentId: PAID.includes(status) ? OWN : null,
    holdExpiresAt: new Date('2026-12-05T12:00:00Z'),
    failureReason: null,
    createdAt: new Date('2026-12-05T11:00:00Z'),
    updatedAt: new Date('2026-12-05T11:00:00Z'),
    items: [
      { seatId: 101, seatCode: 'A-1-1', priceCents: 5000 },
      { seatId: 102, seatCode: 'A-1-2', priceCents: 5000 },
    ],
    ...overrides,
  };
}

const tickets: MintedTicket[] = [
  { orderId: ORDER_ID, eventId: 1, seatId: 101, seatCode: 'A-1-1', ticketCode: 'TCK-1', signedPayload: 'p1.s1' },
  { orderId: ORDER_ID, eventId: 1, seatId: 102, seatCode: 'A-1-2', ticketCode: 'TCK-2', signedPayload: 'p2.s2' },
];

const EVENTS: Record<string, SagaEvent> = {
  'SUCCESS of a new payment': { kind: 'payment', paymentId: OTHER, status: 'SUCCESS' },
  "SUCCESS of the order's payment again": { kind: 'payment', paymentId: OWN, status: 'SUCCESS' },
  'FAILED': { kind: 'payment', paymentId: OTHER, status: 'FAILED', failureReason: 'Card declined' },
  "REFUNDED of the order's payment": { kind: 'payment', paymentId: OWN, status: 'REFUNDED' },
  'REFUNDED of another payment': { kind: 'payment', paymentId: OTHER, status: 'REFUNDED' },
  'seats allocated': { kind: 'seats-allocated', tickets },
  'seats unavailable': { kind: 'seats-unavailable', reason: 'Seats could no longer be allocated (RESERVATION_EXPIRED); the payment is refunded' },
  'cancel unpaid': { kind: 'cancel-unpaid', reason: 'Cancelled by the buyer' },
};

/** A transition in one line: the status after it (and whether the row is written), its messages, its tickets. */
function summary(t: Transition): string {
  if (!t.ok) return 'refused';
  const row = t.change ? t.status : `${t.status} (row untouched)`;
  const tickets = t.issueTickets ? ' +tickets' : t.voidTickets ? ' -tickets' : '';
  return `${row}:${t.commands.map((c) => ` ${c.topic}`).join('')}${tickets}`;
}

// Every status × every event, as the saga handles it. Cells per event, in the order of STATUSES.
const EXPECTED: Record<string, Record<OrderStatus, string>> = {
  'SUCCESS of a new payment': {
    PENDING: 'ALLOCATING: order.allocate',
    ALLOCATING: 'ALLOCATING (row untouched): order.refund',
    CONFIRMED: 'CONFIRMED (row untouched): order.refund',
    FAILED: 'ALLOCATING: order.allocate',
    CANCELLED: 'CANCELLED (row untouched): order.refund',
    REFUNDED: 'REFUNDED (row untouched): order.refund',
    PARTIALLY_REFUNDED: 'PARTIALLY_REFUNDED (row untouched): order.refund',
  },
  // Unpaid orders have no payment of their own: for them this is the first SUCCESS of OWN.
  "SUCCESS of the order's payment again": {
    PENDING: 'ALLOCATING: order.allocate',
    ALLOCATING: 'refused',
    CONFIRMED: 'refused',
    FAILED: 'ALLOCATING: order.allocate',
    CANCELLED: 'CANCELLED (row untouched): order.refund',
    REFUNDED: 'refused',
    PARTIALLY_REFUNDED: 'refused',
  },
  'FAILED': {
    PENDING: 'FAILED: order.notify',
    ALLOCATING: 'refused',
    CONFIRMED: 'refused',
    FAILED: 'FAILED: order.notify',
    CANCELLED: 'refused',
    REFUNDED: 'refused',
    PARTIALLY_REFUNDED: 'refused',
  },
  "REFUNDED of the order's payment": {
    PENDING: 'REFUNDED: order.release order.notify -tickets',
    ALLOCATING: 'REFUNDED: order.release order.notify -tickets',
    CONFIRMED: 'REFUNDED: order.release order.notify -tickets',
    FAILED: 'REFUNDED: order.release order.notify -tickets',
    CANCELLED: 'REFUNDED: order.release order.notify -tickets',
    REFUNDED: 'refused',
    PARTIALLY_REFUNDED: 'REFUNDED: order.release order.notify -tickets',
  },
  // An order without a payment of its own takes any refund as its own.
  'REFUNDED of another payment': {
    PENDING: 'REFUNDED: order.release order.notify -tickets',
    ALLOCATING: 'refused',
    CONFIRMED: 'refused',
    FAILED: 'REFUNDED: order.release order.notify -tickets',
    CANCELLED: 'REFUNDED: order.release order.notify -tickets',
    REFUNDED: 'refused',
    PARTIALLY_REFUNDED: 'refused',
  },
  'seats allocated': {
    PENDING: 'refused',
    ALLOCATING: 'CONFIRMED: order.notify +tickets',
    CONFIRMED: 'refused',
    FAILED: 'refused',
    CANCELLED: 'refused',
    REFUNDED: 'refused',
    PARTIALLY_REFUNDED: 'refused',
  },
  'seats unavailable': {
    PENDING: 'refused',
    ALLOCATING: 'ALLOCATING: order.refund',
    CONFIRMED: 'refused',
    FAILED: 'refused',
    CANCELLED: 'refused',
    REFUNDED: 'refused',
    PARTIALLY_REFUNDED: 'refused',
  },
  'cancel unpaid': {
    PENDING: 'CANCELLED: order.release order.notify',
    ALLOCATING: 'refused',
    CONFIRMED: 'refused',
    FAILED: 'CANCELLED: order.release order.notify',
    CANCELLED: 'refused',
    REFUNDED: 'refused',
    PARTIALLY_REFUNDED: 'refused',
  },
};

describe('order transitions: every status × every event', () => {
  for (const [name, event] of Object.entries(EVENTS)) {
    for (const status of STATUSES) {
      it(`${status} + ${name} → ${EXPECTED[name][status]}`, () => {
        assert.equal(summary(transition(order(status), event)), EXPECTED[name][status]);
      });
    }
  }
});

describe('order transitions: what is written and sent', () => {
  it('a SUCCESS on an unpaid order records the payment, clears the last failure and asks for the seats once', () => {
    const t = transition(order('FAILED', { failureReason: 'Card declined' }), { kind: 'payment', paymentId: OWN, status: 'SUCCESS' });
    assert.ok(t.ok);
    assert.deepEqual(t.change, { status: 'ALLOCATING', paymentId: OWN, failureReason: null });
    assert.deepEqual(t.commands, [{ topic: 'order.allocate', payload: { orderId: ORDER_ID }, dedupeKey: `allocate:${ORDER_ID}` }]);
  });

  it('a late SUCCESS (the order was cancelled or paid otherwise) refunds that payment and says why, the order untouched', () => {
    for (const [status, said] of [['CANCELLED', 'cancelled'], ['CONFIRMED', 'confirmed'], ['ALLOCATING', 'allocating']] as const) {
      const t = transition(order(status), { kind: 'payment', paymentId: OTHER, status: 'SUCCESS' });
      assert.ok(t.ok);
      assert.equal(t.change, null);
      assert.deepEqual(t.commands, [
        {
          topic: 'order.refund',
          payload: { orderId: ORDER_ID, paymentId: OTHER, reason: `Order was already ${said} when the payment arrived` },
          dedupeKey: `refund:${OTHER}`,
        },
      ]);
    }
  });

  it('a duplicate SUCCESS of the payment being allocated or already confirmed is refused, not refunded', () => {
    for (const status of ['ALLOCATING', 'CONFIRMED'] as const) {
      const t = transition(order(status), { kind: 'payment', paymentId: OWN, status: 'SUCCESS' });
      assert.equal(t.ok, false);
      assert.match((t as { reason: string }).reason, /already applied/);
    }
  });

  it('a FAILED payment keeps its reason (or "Payment declined") and the buyer is told it, keyed by the payment', () => {
    const t = transition(order('PENDING'), { kind: 'payment', paymentId: OTHER, status: 'FAILED', failureReason: 'Insufficient funds' });
    assert.ok(t.ok);
    assert.deepEqual(t.change, { status: 'FAILED', failureReason: 'Insufficient funds' });
    const [notice] = t.commands;
    assert.equal(notice.dedupeKey, `notify:${ORDER_ID}:PAYMENT_FAILED:${OTHER}`);
    assert.deepEqual(notice.payload, {
      orderId: ORDER_ID,
      type: 'PAYMENT_FAILED',
      body: {
        eventId: stableUuid(`${ORDER_ID}:PAYMENT_FAILED:${OTHER}`),
        type: 'PAYMENT_FAILED',
        userId: 2,
        orderId: ORDER_ID,
        email: 'buyer@example.com',
        data: { eventId: 1, eventName: 'Concert', totalCents: 11800, currency: 'INR', reason: 'Insufficient funds', tickets: [] },
      },
    });
    const declined = transition(order('PENDING'), { kind: 'payment', paymentId: OTHER, status: 'FAILED' });
    assert.ok(declined.ok);
    assert.equal(declined.change?.failureReason, 'Payment declined');
  });

  it('a late FAILED (after the order was paid) changes nothing', () => {
    const t = transition(order('CONFIRMED'), { kind: 'payment', paymentId: OTHER, status: 'FAILED' });
    assert.deepEqual(t, { ok: false, reason: 'a failed payment arrived for a CONFIRMED order' });
  });

  it('the refund of the order’s payment (after confirm) voids the tickets, releases the seats and tells the buyer, keeping the failure reason', () => {
    const t = transition(order('CONFIRMED', { failureReason: null }), { kind: 'payment', paymentId: OWN, status: 'REFUNDED' });
    assert.ok(t.ok);
    assert.deepEqual(t.change, { status: 'REFUNDED', paymentId: OWN });
    assert.equal(t.voidTickets, true);
    assert.deepEqual(
      t.commands.map((c) => c.dedupeKey),
      [`release:${ORDER_ID}`, `notify:${ORDER_ID}:ORDER_REFUNDED:${OWN}`],
    );
    const seatsGone = transition(order('ALLOCATING', { failureReason: 'Seats could no longer be allocated' }), { kind: 'payment', paymentId: OWN, status: 'REFUNDED' });
    assert.ok(seatsGone.ok);
    const body = (seatsGone.commands[1].payload as { body: { data: { reason?: string } } }).body;
    assert.equal(body.data.reason, 'Seats could no longer be allocated', 'the buyer is told why');
  });

  it('the refund of a second payment leaves an order paid by another as it is (its tickets stay valid)', () => {
    assert.equal(transition(order('CONFIRMED'), { kind: 'payment', paymentId: OTHER, status: 'REFUNDED' }).ok, false);
  });

  it('seats allocated: CONFIRMED, the tickets issued, and the confirmation carries them', () => {
    const t = transition(order('ALLOCATING'), { kind: 'seats-allocated', tickets });
    assert.ok(t.ok);
    assert.deepEqual(t.change, { status: 'CONFIRMED' });
    assert.equal(t.issueTickets, tickets);
    const [notice] = t.commands;
    assert.equal(notice.dedupeKey, `notify:${ORDER_ID}:ORDER_CONFIRMED:`);
    const body = (notice.payload as { body: { eventId: string; data: { tickets: unknown[] } } }).body;
    assert.equal(body.eventId, stableUuid(`${ORDER_ID}:ORDER_CONFIRMED:`));
    assert.deepEqual(body.data.tickets, [
      { ticketCode: 'TCK-1', seatCode: 'A-1-1', qrPayload: 'p1.s1' },
      { ticketCode: 'TCK-2', seatCode: 'A-1-2', qrPayload: 'p2.s2' },
    ]);
  });

  it('seats unavailable: the order stays ALLOCATING with the reason, and its own payment is refunded once', () => {
    const reason = 'Seats could no longer be allocated (RESERVATION_EXPIRED); the payment is refunded';
    const t = transition(order('ALLOCATING'), { kind: 'seats-unavailable', reason });
    assert.ok(t.ok);
    assert.deepEqual(t.change, { status: 'ALLOCATING', failureReason: reason });
    assert.deepEqual(t.commands, [{ topic: 'order.refund', payload: { orderId: ORDER_ID, paymentId: OWN, reason }, dedupeKey: `refund:${OWN}` }]);
  });

  it('cancel unpaid: CANCELLED with the reason, the hold released, the buyer told (the notice carries the reason)', () => {
    const t = transition(order('PENDING'), { kind: 'cancel-unpaid', reason: 'Not paid before the seats were released' });
    assert.ok(t.ok);
    assert.deepEqual(t.change, { status: 'CANCELLED', failureReason: 'Not paid before the seats were released' });
    assert.deepEqual(
      t.commands.map((c) => c.dedupeKey),
      [`release:${ORDER_ID}`, `notify:${ORDER_ID}:ORDER_CANCELLED:`],
    );
    const body = (t.commands[1].payload as { body: { data: { reason?: string } } }).body;
    assert.equal(body.data.reason, 'Not paid before the seats were released');
  });

  it('an order without an e-mail address gets its notice message with no body (nothing to send, but the step is recorded)', () => {
    const t = transition(order('PENDING', { customerEmail: null }), { kind: 'cancel-unpaid', reason: 'Cancelled by the buyer' });
    assert.ok(t.ok);
    assert.deepEqual(t.commands[1].payload, { orderId: ORDER_ID, type: 'ORDER_CANCELLED', body: undefined });
  });

  it('leaves the order it is given unchanged (no I/O, no mutation)', () => {
    const before = order('PENDING');
    const copy = structuredClone(before);
    transition(before, { kind: 'payment', paymentId: OWN, status: 'SUCCESS' });
    transition(before, { kind: 'cancel-unpaid', reason: 'x' });
    assert.deepEqual(before, copy);
  });
});
