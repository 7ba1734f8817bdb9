import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signPayload } from '@etsr/platform';
import { call } from '@etsr/platform/testing';
import { stableUuid } from '../src/stable-uuid';
import { callbackBody, confirmedOrder, createOrder, newPaymentId, unknownOrderId, waitForStatus } from './factories';
import { CALLBACK_SECRET, OrderServiceUnderTest, adminToken, emailOf, eventually, startOrderForTest, userToken } from './harness';

describe('the signed payment callback and the booking saga', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest();
  });
  after(() => svc.stop());

  const ticketsOf = (orderId: string) =>
    svc.sql<{ seat_id: string; ticket_code: string; status: string }>(`SELECT seat_id, ticket_code, status FROM tickets WHERE order_id = $1 ORDER BY seat_id`, [orderId]);
  const outboxOf = (orderId: string) =>
    svc.sql<{ topic: string; status: string; dedupe_key: string }>(`SELECT topic, status, dedupe_key FROM outbox WHERE payload->>'orderId' = $1 ORDER BY id`, [orderId]);

  describe('signature', () => {
    it('refuses a missing, malformed, wrongly keyed, stale or future signature, and a body changed after signing (401); nothing changes', async () => {
      const { order } = await createOrder(svc);
      const body = callbackBody(order.orderId, newPaymentId(), 'SUCCESS');
      const now = Math.floor(Date.now() / 1000);
      const raw = JSON.stringify(body);
      const refusals: [string, Parameters<OrderServiceUnderTest['callback']>[1], string][] = [
        ['no signature', { signature: null }, 'INVALID_SIGNATURE'],
        ['malformed', { signature: 't=abc,v1=def' }, 'INVALID_SIGNATURE'],
        ['another secret', { secret: 'not-the-callback-secret-but-long-enough' }, 'INVALID_SIGNATURE'],
        // 300 s is the window; the margin keeps a clock tick during the test from mattering.
        ['330 s old', { timestamp: now - 330 }, 'STALE_SIGNATURE'],
        ['330 s ahead', { timestamp: now + 330 }, 'STALE_SIGNATURE'],
        ['changed on the way', { sent: raw.replace('"SUCCESS"', '"REFUNDED"') }, 'INVALID_SIGNATURE'],
        ['a signature of another body', { signature: signPayload(CALLBACK_SECRET, JSON.stringify({ ...body, payment_id: newPaymentId() })) }, 'INVALID_SIGNATURE'],
      ];
      for (const [what, options, code] of refusals) {
        const res = await svc.callback(body, options);
        assert.equal(res.status, 401, `${what}: ${res.text}`);
        assert.equal(res.body.error, code, what);
      }
      // A user's token is no substitute for the signature, not even an admin's.
      const withToken = await svc.api.post('/v1/payments/callback', { token: adminToken(), body });
      assert.equal(withToken.status, 401);
      assert.equal(await svc.sql(`SELECT 1 FROM processed_callbacks WHERE order_id = $1`, [order.orderId]).then((r) => r.length), 0);
      const read = await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) });
      assert.equal(read.body.status, 'PENDING');
      assert.equal(read.body.paymentId, null);
    });

    it('accepts a genuine callback at both documented paths, with a signature of up to 300 s ago', async () => {
      for (const path of ['/v1/payments/callback', '/v1/orders/callback'] as const) {
        const { order } = await createOrder(svc);
        const res = await svc.callback(callbackBody(order.orderId, newPaymentId(), 'SUCCESS'), { path, timestamp: Math.floor(Date.now() / 1000) - 280 });
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        assert.deepEqual(res.body, { received: true, applied: true });
        await waitForStatus(svc, order.orderId, 'CONFIRMED');
      }
    });

    it('authenticates before it validates: an unsigned or wrongly signed callback with an unexpected body is 401, not 400', async () => {
      const garbage: unknown[] = [{ surprise: true }, { order_id: 'order_abc123', status: 'PAID' }, [1, 2, 3], 'hello', 42];
      for (const body of garbage) {
        const raw = JSON.stringify(body);
        for (const [what, signature] of [
          ['unsigned', null],
          ['wrongly signed', signPayload('not-the-callback-secret-but-long-enough', raw)],
          ['malformed signature', 't=abc,v1=def'],
        ] as const) {
          const res = await call('POST', new URL('/v1/payments/callback', svc.url).toString(), { raw, headers: signature === null ? {} : { 'x-signature': signature } });
          assert.equal(res.status, 401, `${what} ${raw}: ${res.text}`);
          assert.equal(res.body.error, 'INVALID_SIGNATURE', `${what} ${raw}`);
        }
        // Signed by the payment service, the same body is what it is: invalid (400).
        const signed = await call('POST', new URL('/v1/orders/callback', svc.url).toString(), { raw, headers: { 'x-signature': signPayload(CALLBACK_SECRET, raw) } });
        assert.equal(signed.status, 400, `signed ${raw}: ${signed.text}`);
        assert.equal(signed.body.error, 'VALIDATION_FAILED', `signed ${raw}`);
      }
    });

    it('a signed callback for an unknown order is 404; an invalid body is 400 even when signed', async () => {
      const unknown = await svc.callback(callbackBody(unknownOrderId(), newPaymentId(), 'SUCCESS'));
      assert.equal(unknown.status, 404, unknown.text);
      assert.equal(unknown.body.error, 'ORDER_NOT_FOUND');
      const { order } = await createOrder(svc);
      for (const body of [
        callbackBody(order.orderId, newPaymentId(), 'SUCCESS', { status: 'PAID' }),
        callbackBody('order_abc123', newPaymentId(), 'SUCCESS'),
        callbackBody(order.orderId, newPaymentId(), 'SUCCESS', { amount_cents: -1 }),
        callbackBody(order.orderId, newPaymentId(), 'SUCCESS', { surprise: true }),
        { order_id: order.orderId, status: 'SUCCESS' },
      ]) {
        const res = await svc.callback(body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.equal(res.body.error, 'VALIDATION_FAILED');
      }
      assert.equal(await svc.sql(`SELECT 1 FROM processed_callbacks WHERE order_id = $1`, [order.orderId]).then((r) => r.length), 0);
    });
  });

  describe('SUCCESS', () => {
    it('allocates the seats, issues one ticket per seat and sends the confirmation, each step from the outbox', async () => {
      const { order, reservation } = await createOrder(svc, { seatCount: 3 });
      const paymentId = newPaymentId();
      const res = await svc.callback(callbackBody(order.orderId, paymentId, 'SUCCESS'));
      assert.deepEqual(res.body, { received: true, applied: true });
      await waitForStatus(svc, order.orderId, 'CONFIRMED');
      await svc.outboxSettled();

      const confirmed = (await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body;
      assert.equal(confirmed.paymentId, paymentId);
      assert.equal(confirmed.failureReason, null);

      const allocations = svc.seating.calls('allocate', (b) => b.orderId === order.orderId);
      assert.deepEqual(allocations.map((c) => [c.status, c.service, c.body]), [[200, 'order', { reservationId: reservation.reservationId, orderId: order.orderId }]]);
      assert.equal(svc.seating.reservations.get(reservation.reservationId)!.status, 'ALLOCATED');

      const tickets = (await svc.api.get(`/v1/orders/${order.orderId}/tickets`, { token: userToken(2) })).body;
      assert.equal(tickets.status, 'CONFIRMED');
      assert.deepEqual(tickets.tickets.map((t: { seatId: number; seatCode: string; status: string }) => [t.seatId, t.seatCode, t.status]),
        order.items.map((i: { seatId: number; seatCode: string }) => [i.seatId, i.seatCode, 'VALID']));
      const codes = tickets.tickets.map((t: { ticketCode: string }) => t.ticketCode);
      assert.equal(new Set(codes).size, 3);
      for (const code of codes) assert.match(code, /^TCK-[0-9A-HJKMNP-TV-Z]{20}$/);

      const [notice] = svc.notification.of(order.orderId);
      assert.deepEqual(svc.notification.of(order.orderId).map((n) => n.type), ['ORDER_CONFIRMED']);
      assert.deepEqual(notice, {
        eventId: stableUuid(`${order.orderId}:ORDER_CONFIRMED:`),
        type: 'ORDER_CONFIRMED',
        userId: 2,
        orderId: order.orderId,
        email: emailOf(2),
        data: {
          eventId: 1,
          eventName: 'Rock Concert 2025',
          totalCents: order.totalCents,
          currency: 'INR',
          tickets: tickets.tickets.map((t: { ticketCode: string; seatCode: string; qrPayload: string }) => ({ ticketCode: t.ticketCode, seatCode: t.seatCode, qrPayload: t.qrPayload })),
        },
      });
      assert.equal(svc.notification.calls('notify', (b) => b.orderId === order.orderId)[0].service, 'order');
      assert.deepEqual(await outboxOf(order.orderId), [
        { topic: 'order.allocate', status: 'SENT', dedupe_key: `allocate:${order.orderId}` },
        { topic: 'order.notify', status: 'SENT', dedupe_key: `notify:${order.orderId}:ORDER_CONFIRMED:` },
      ]);
    });

    it('a repeat of an applied callback is acknowledged and changes nothing', async () => {
      const { order, paymentId } = await confirmedOrder(svc);
      const body = callbackBody(order.orderId, paymentId, 'SUCCESS');
      const again = await svc.callback(body);
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, { received: true, applied: false });
      await svc.outboxSettled();
      assert.equal(svc.seating.calls('allocate', (b) => b.orderId === order.orderId).length, 1);
      assert.equal((await ticketsOf(order.orderId)).length, 2);
      assert.equal(svc.notification.of(order.orderId).length, 1);
    });

    it('twenty copies of one callback fired at once: one applied, one allocation, one set of tickets, one confirmation', async () => {
      const { order, reservation } = await createOrder(svc, { seatCount: 4 });
      const body = callbackBody(order.orderId, newPaymentId(), 'SUCCESS');
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => svc.callback(body, { path: i % 2 ? '/v1/orders/callback' : '/v1/payments/callback' })),
      );
      assert.deepEqual(answers.map((a) => a.status), Array(20).fill(200), answers.map((a) => a.text).join('\n'));
      assert.equal(answers.filter((a) => a.body.applied === true).length, 1);
      await waitForStatus(svc, order.orderId, 'CONFIRMED');
      await svc.outboxSettled();
      assert.equal(svc.seating.calls('allocate', (b) => b.orderId === order.orderId).length, 1);
      assert.equal(svc.seating.allocations.filter((id) => id === reservation.reservationId).length, 1);
      const tickets = await ticketsOf(order.orderId);
      assert.deepEqual(tickets.map((t) => Number(t.seat_id)), reservation.seats.map((s) => s.seatId));
      assert.ok(tickets.every((t) => t.status === 'VALID'));
      assert.deepEqual(svc.notification.of(order.orderId).map((n) => n.type), ['ORDER_CONFIRMED']);
      assert.equal((await svc.sql(`SELECT 1 FROM processed_callbacks WHERE order_id = $1`, [order.orderId])).length, 1);
    });

    it('two different payments succeeding at once: the order is paid once, the other payment is refunded, and its refund leaves the order alone', async () => {
      const { order, reservation } = await createOrder(svc);
      const [a, b] = [newPaymentId(), newPaymentId()];
      const answers = await Promise.all([a, b].map((p) => svc.callback(callbackBody(order.orderId, p, 'SUCCESS'))));
      assert.deepEqual(answers.map((r) => r.body), [{ received: true, applied: true }, { received: true, applied: true }]);
      await waitForStatus(svc, order.orderId, 'CONFIRMED');
      await svc.outboxSettled();
      const kept = (await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body.paymentId;
      const stray = kept === a ? b : a;
      assert.ok([a, b].includes(kept));
      assert.equal(svc.seating.allocations.filter((id) => id === reservation.reservationId).length, 1);
      assert.deepEqual([...svc.payment.refunds.keys()].filter((p) => p === a || p === b), [stray]);
      assert.match(svc.payment.refunds.get(stray)!, /^Order was already (allocating|confirmed) when the payment arrived$/);
      assert.equal(svc.payment.calls('refund', (body) => body.payment_id === stray)[0].service, 'order');

      // The payment service confirms the stray payment's refund: the order paid by the other one stands.
      assert.equal((await svc.callback(callbackBody(order.orderId, stray, 'REFUNDED'))).status, 200);
      await svc.outboxSettled();
      const after = (await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body;
      assert.deepEqual([after.status, after.paymentId], ['CONFIRMED', kept]);
      assert.ok((await ticketsOf(order.orderId)).every((t) => t.status === 'VALID'), 'tickets stay valid');
      assert.equal(svc.seating.reservations.get(reservation.reservationId)!.status, 'ALLOCATED', 'seats not released');
      assert.deepEqual(svc.notification.of(order.orderId).map((n) => n.type), ['ORDER_CONFIRMED']);
    });

    it('paid after it was cancelled: the payment goes back and nothing is allocated', async () => {
      const { order, reservation, token } = await createOrder(svc);
      assert.equal((await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token })).status, 200);
      const paymentId = newPaymentId();
      assert.deepEqual((await svc.callback(callbackBody(order.orderId, paymentId, 'SUCCESS'))).body, { received: true, applied: true });
      await eventually(() => svc.payment.refunds.get(paymentId), 5000, 'the refund');
      assert.equal(svc.payment.refunds.get(paymentId), 'Order was already cancelled when the payment arrived');
      await svc.outboxSettled();
      assert.equal(svc.seating.calls('allocate', (b) => b.orderId === order.orderId).length, 0);
      assert.equal(svc.seating.reservations.get(reservation.reservationId)!.status, 'RELEASED');
      assert.equal((await ticketsOf(order.orderId)).length, 0);
      assert.notEqual((await svc.api.get(`/v1/orders/${order.orderId}`, { token })).body.status, 'CONFIRMED');
    });

    it('without an e-mail address on the order the saga completes and no notice is sent', async () => {
      const { order } = await confirmedOrder(svc, { token: userToken(2, 'USER', { email: null }) });
      await svc.outboxSettled();
      assert.deepEqual(svc.notification.of(order.orderId), []);
      assert.deepEqual((await outboxOf(order.orderId)).map((m) => [m.topic, m.status]), [['order.allocate', 'SENT'], ['order.notify', 'SENT']]);
    });
  });

  describe('FAILED and REFUNDED', () => {
    it('a decline leaves the order FAILED with its reason, nothing allocated, the buyer told; paying again confirms it', async () => {
      const { order, reservation } = await createOrder(svc);
      const declined = newPaymentId();
      assert.deepEqual((await svc.callback(callbackBody(order.orderId, declined, 'FAILED', { failure_reason: 'Insufficient funds' }))).body, { received: true, applied: true });
      await waitForStatus(svc, order.orderId, 'FAILED');
      await svc.outboxSettled();
      const failed = (await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body;
      assert.equal(failed.failureReason, 'Insufficient funds');
      assert.equal(svc.seating.calls('allocate', (b) => b.orderId === order.orderId).length, 0);
      assert.equal(svc.seating.reservations.get(reservation.reservationId)!.status, 'RESERVED', 'the hold stays for another try');
      assert.equal((await ticketsOf(order.orderId)).length, 0);
      const [notice] = svc.notification.of(order.orderId);
      assert.deepEqual([notice.type, notice.data.reason, notice.eventId], ['PAYMENT_FAILED', 'Insufficient funds', stableUuid(`${order.orderId}:PAYMENT_FAILED:${declined}`)]);

      const paid = newPaymentId();
      assert.equal((await svc.callback(callbackBody(order.orderId, paid, 'SUCCESS'))).status, 200);
      await waitForStatus(svc, order.orderId, 'CONFIRMED');
      const confirmed = (await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body;
      assert.deepEqual([confirmed.paymentId, confirmed.failureReason], [paid, null]);
      // A late repeat of the decline changes nothing now.
      assert.equal((await svc.callback(callbackBody(order.orderId, newPaymentId(), 'FAILED'))).status, 200);
      assert.equal((await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body.status, 'CONFIRMED');
    });

    it('seats gone when the payment arrives: refunded automatically, REFUNDED once the refund is confirmed, the buyer told why', async () => {
      const { order, reservation } = await createOrder(svc);
      svc.seating.reservations.get(reservation.reservationId)!.status = 'EXPIRED';
      const paymentId = newPaymentId();
      await svc.callback(callbackBody(order.orderId, paymentId, 'SUCCESS'));
      await eventually(() => svc.payment.refunds.get(paymentId), 5000, 'the refund');
      const reason = 'Seats could no longer be allocated (RESERVATION_EXPIRED); the payment is refunded';
      assert.equal(svc.payment.refunds.get(paymentId), reason);
      const waiting = (await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body;
      assert.deepEqual([waiting.status, waiting.failureReason], ['ALLOCATING', reason]);
      assert.equal((await ticketsOf(order.orderId)).length, 0, 'never a ticket for seats not had');

      assert.deepEqual((await svc.callback(callbackBody(order.orderId, paymentId, 'REFUNDED', { refund_id: 'ref_x' }))).body, { received: true, applied: true });
      await waitForStatus(svc, order.orderId, 'REFUNDED');
      await svc.outboxSettled();
      const notices = svc.notification.of(order.orderId);
      assert.deepEqual(notices.map((n) => [n.type, n.data.reason]), [['ORDER_REFUNDED', reason]]);
    });

    it('cancelling a paid order asks for the refund (202); the REFUNDED callback voids the tickets, releases the seats and tells the buyer', async () => {
      const { order, reservation, paymentId, token } = await confirmedOrder(svc);
      const res = await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token });
      assert.equal(res.status, 202, res.text);
      assert.equal(res.body.status, 'CONFIRMED', 'REFUNDED once the payment service confirms');
      await eventually(() => svc.payment.refunds.get(paymentId), 5000, 'the refund');
      assert.equal(svc.payment.refunds.get(paymentId), 'Cancelled by the buyer');

      await svc.callback(callbackBody(order.orderId, paymentId, 'REFUNDED', { refund_id: 'ref_y' }));
      await waitForStatus(svc, order.orderId, 'REFUNDED');
      await svc.outboxSettled();
      assert.ok((await ticketsOf(order.orderId)).every((t) => t.status === 'VOID'));
      assert.equal(svc.seating.reservations.get(reservation.reservationId)!.status, 'RELEASED');
      assert.deepEqual(svc.notification.of(order.orderId).map((n) => n.type), ['ORDER_CONFIRMED', 'ORDER_REFUNDED']);
      const again = await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token });
      assert.deepEqual([again.status, again.body.status], [200, 'REFUNDED']);
      await svc.outboxSettled();
      assert.equal(svc.payment.calls('refund', (b) => b.payment_id === paymentId).length, 1, 'refund asked once');
    });
  });
});
