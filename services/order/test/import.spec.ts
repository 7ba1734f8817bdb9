import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TicketSigner } from '../src/services/ticket-signer';
import { newPaymentId } from './factories';
import { OrderServiceUnderTest, TICKET_SIGNING_KEY, adminToken, serviceToken, startOrderForTest, userToken } from './harness';

let seat = 5000;
/** A past order as seedDataToDB.js sends it: CONFIRMED, two seats, unless told otherwise. */
const pastOrder = (n: number, overrides: Record<string, unknown> = {}) => ({
  orderId: randomUUID(),
  externalRef: `test:orders:${n}`,
  userId: 7,
  customerEmail: 'user7@mail.com',
  eventId: 22,
  eventName: 'Concert #291',
  status: 'CONFIRMED',
  subtotalCents: 58608,
  taxCents: 2930,
  totalCents: 61538,
  currency: 'INR',
  paymentId: newPaymentId(),
  createdAt: '2024-08-19T00:39:20Z',
  items: [
    { seatId: seat++, seatCode: 'VIP-3-12', priceCents: 29304 },
    { seatId: seat++, seatCode: 'VIP-3-13', priceCents: 29304 },
  ],
  ...overrides,
});

describe('POST /internal/v1/import/orders', () => {
  let svc: OrderServiceUnderTest;
  const admin = adminToken();
  before(async () => {
    svc = await startOrderForTest();
  });
  after(() => svc.stop());

  const load = (orders: unknown[], token = admin) => svc.api.post('/internal/v1/import/orders', { token, body: { orders } });
  const count = async (externalRefs: string[]) =>
    (await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE external_ref = ANY($1)`, [externalRefs]))[0].n;

  it('records past orders once, as they ended; a CONFIRMED one gets tickets signed here; no saga step, no notice', async () => {
    const confirmed = pastOrder(1);
    const cancelled = pastOrder(2, { status: 'CANCELLED', paymentId: undefined, failureReason: 'Payment failed' });
    const refunded = pastOrder(3, { status: 'REFUNDED' });
    const body = [confirmed, cancelled, refunded];
    const peerCalls = () => [svc.seating, svc.payment, svc.notification, svc.catalog].reduce((n, p) => n + p.requests.length, 0);
    const callsBefore = peerCalls();

    const first = await load(body);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body, {
      created: 3,
      present: 0,
      ticketsIssued: 2,
      orders: [
        { externalRef: 'test:orders:1', orderId: confirmed.orderId, created: true, ticketsIssued: 2 },
        { externalRef: 'test:orders:2', orderId: cancelled.orderId, created: true, ticketsIssued: 0 },
        { externalRef: 'test:orders:3', orderId: refunded.orderId, created: true, ticketsIssued: 0 },
      ],
    });
    const again = await load(body);
    assert.equal(again.status, 200);
    assert.deepEqual([again.body.created, again.body.present, again.body.ticketsIssued], [0, 3, 0]);
    assert.deepEqual(again.body.orders.map((o: { orderId: string }) => o.orderId), body.map((o) => o.orderId));

    const shown = await svc.api.get(`/v1/orders/${confirmed.orderId}`, { token: userToken(7) });
    assert.equal(shown.status, 200, shown.text);
    assert.deepEqual(
      { ...shown.body, holdExpiresAt: undefined },
      {
        orderId: confirmed.orderId, status: 'CONFIRMED', userId: 7, eventId: 22, reservationId: `imp_${confirmed.orderId.replace(/-/g, '')}`,
        items: confirmed.items, subtotalCents: 58608, taxCents: 2930, totalCents: 61538, currency: 'INR', paymentId: confirmed.paymentId,
        holdExpiresAt: undefined, failureReason: null, createdAt: '2024-08-19T00:39:20.000Z', updatedAt: '2024-08-19T00:39:20.000Z',
      },
    );
    assert.equal((await svc.api.get(`/v1/orders/${cancelled.orderId}`, { token: userToken(7) })).body.failureReason, 'Payment failed');

    const tickets = (await svc.api.get(`/v1/orders/${confirmed.orderId}/tickets`, { token: userToken(7) })).body.tickets;
    assert.deepEqual(tickets.map((t: { seatId: number; status: string; issuedAt: string }) => [t.seatId, t.status, t.issuedAt]),
      confirmed.items.map((i) => [i.seatId, 'VALID', '2024-08-19T00:39:20.000Z']));
    const signer = new TicketSigner(TICKET_SIGNING_KEY);
    for (const t of tickets) {
      assert.deepEqual(signer.verify(t.qrPayload), { v: 1, tc: t.ticketCode, o: confirmed.orderId, e: 22, s: t.seatId, sc: t.seatCode, iat: Date.parse('2024-08-19T00:39:20Z') / 1000 });
      assert.equal((await svc.api.get(`/v1/tickets/${t.ticketCode}`)).body.valid, true);
    }
    assert.equal((await svc.sql(`SELECT 1 FROM tickets WHERE order_id = ANY($1::uuid[])`, [[cancelled.orderId, refunded.orderId]])).length, 0);
    assert.equal(peerCalls(), callsBefore, 'no other service was called');
    assert.equal((await svc.sql(`SELECT 1 FROM outbox`)).length, 0, 'nothing for the saga');
  });

  it('the same batch fired twice at once records each order once', async () => {
    const body = Array.from({ length: 30 }, (_, i) => pastOrder(100 + i));
    const [a, b] = await Promise.all([1, 2].map(() => load(body)));
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.body.created + b.body.created, 30);
    assert.equal(a.body.ticketsIssued + b.body.ticketsIssued, 60);
    assert.equal(await count(body.map((o) => o.externalRef)), 30);
    const [{ n }] = await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE order_id = ANY($1::uuid[])`, [body.map((o) => o.orderId)]);
    assert.equal(n, 60);
  });

  it('an order id taken by another origin, or a seat that already has a valid ticket, refuses the whole batch (409)', async () => {
    const existing = pastOrder(200);
    assert.equal((await load([existing])).status, 200);

    const fresh = pastOrder(201);
    const sameId = await load([fresh, pastOrder(202, { orderId: existing.orderId })]);
    assert.equal(sameId.status, 409, sameId.text);
    assert.equal(sameId.body.error, 'ORDER_EXISTS');
    assert.equal(sameId.body.details.externalRef, 'test:orders:202');

    const sameSeat = await load([fresh, pastOrder(203, { items: [existing.items[0]] })]);
    assert.equal(sameSeat.status, 409, sameSeat.text);
    assert.equal(await count(['test:orders:201', 'test:orders:202', 'test:orders:203']), 0, 'nothing of either batch was written');

    // A seat of a refunded (void) order may be sold again.
    const refunded = pastOrder(204, { status: 'REFUNDED' });
    const resold = pastOrder(205, { items: [{ ...refunded.items[0] }] });
    assert.equal((await load([refunded, resold])).status, 200);
  });

  it('refuses open statuses, inconsistent amounts, repeated seats, unknown fields and bad values with 400; non-admins with 403', async () => {
    const refused: [string, unknown[]][] = [
      ['PENDING', [pastOrder(300, { status: 'PENDING' })]],
      ['ALLOCATING', [pastOrder(301, { status: 'ALLOCATING' })]],
      ['total is not subtotal + tax', [pastOrder(302, { totalCents: 61539 })]],
      ['a seat twice', [pastOrder(303, { items: [{ seatId: 9, seatCode: 'A-1-1', priceCents: 1 }, { seatId: 9, seatCode: 'A-1-1', priceCents: 1 }] })]],
      ['CONFIRMED without its payment', [pastOrder(304, { paymentId: undefined })]],
      ['an unknown field', [pastOrder(305, { extra: 1 })]],
      ['an unknown item field', [pastOrder(306, { items: [{ seatId: 9, seatCode: 'A-1-1', priceCents: 1, row: 'A' }] })]],
      ['no items', [pastOrder(307, { items: [] })]],
      ['a date that is not ISO 8601', [pastOrder(308, { createdAt: '19/08/2024' })]],
      ['an order id that is not a UUID', [pastOrder(309, { orderId: 'order-309' })]],
      ['a lower-case currency', [pastOrder(310, { currency: 'inr' })]],
      ['a negative price', [pastOrder(311, { items: [{ seatId: 9, seatCode: 'A-1-1', priceCents: -1 }] })]],
      ['an empty batch', []],
      ['more than 200 orders', Array.from({ length: 201 }, (_, i) => pastOrder(400 + i))],
    ];
    for (const [what, orders] of refused) {
      const res = await load(orders);
      assert.equal(res.status, 400, `${what}: ${res.text}`);
      assert.equal(res.body.error, 'VALIDATION_FAILED', what);
    }
    assert.equal(await count(Array.from({ length: 12 }, (_, i) => `test:orders:${300 + i}`)), 0);
    assert.equal((await load([pastOrder(320)], userToken(7))).status, 403);
    assert.equal((await load([pastOrder(321)], serviceToken('payment'))).status, 403);
    assert.equal((await svc.api.post('/internal/v1/import/orders', { body: { orders: [pastOrder(322)] } })).status, 401);
  });
});
