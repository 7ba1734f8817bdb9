import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stableUuid } from '../src/stable-uuid';
import { callbackBody, createOrder, newKey, newPaymentId, orderBody, unknownOrderId, waitForStatus } from './factories';
import { OrderServiceUnderTest, adminToken, emailOf, eventually, serviceToken, startOrderForTest, userToken } from './harness';

describe('orders: create, idempotency, ownership, cancel', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest();
  });
  after(() => svc.stop());

  const post = (token: string, key: string | undefined, body: unknown) =>
    svc.api.post('/v1/orders', { token, body, headers: key === undefined ? {} : { 'Idempotency-Key': key } });
  const ordersOf = async (reservationId: string) =>
    (await svc.sql<{ id: string }>(`SELECT id FROM orders WHERE reservation_id = $1`, [reservationId])).map((r) => r.id);

  describe('POST /v1/orders', () => {
    it('creates a PENDING order priced from the hold (snake_case body), ties the hold to it and answers 201 with the documented fields', async () => {
      const reservation = svc.seating.addReservation({ seatCount: 3, price: 100 });
      const key = newKey('abc123');
      const res = await post(userToken(2), key, orderBody(reservation));
      assert.equal(res.status, 201, res.text);
      assert.equal(res.headers.get('idempotent-replayed'), null);
      const order = res.body;
      // The documented fields, in order.
      assert.deepEqual(Object.keys(order), [
        'orderId', 'status', 'userId', 'eventId', 'reservationId', 'items', 'subtotalCents', 'taxCents', 'totalCents', 'currency',
        'paymentId', 'holdExpiresAt', 'failureReason', 'createdAt', 'updatedAt',
      ]);
      assert.equal(order.orderId, stableUuid(`user:2:${key}`), 'the id is derived from the caller and the key');
      assert.equal(order.status, 'PENDING');
      assert.equal(order.userId, 2);
      assert.equal(order.eventId, 1);
      assert.equal(order.reservationId, reservation.reservationId);
      assert.deepEqual(
        order.items,
        reservation.seats.map((s, i) => ({ seatId: s.seatId, seatCode: `PREMIUM-F-${i + 1}`, priceCents: 10000 })),
      );
      // Three seats at 100.00 plus 10 % tax (TAX_PERCENT), as in the root README.
      assert.deepEqual([order.subtotalCents, order.taxCents, order.totalCents, order.currency], [30000, 3000, 33000, 'INR']);
      assert.equal(order.paymentId, null);
      assert.equal(order.failureReason, null);
      assert.ok(Math.abs(Date.parse(order.createdAt) - Date.now()) < 60_000, order.createdAt);

      const [hold] = svc.seating.calls('holdForOrder', (b) => b.orderId === order.orderId);
      assert.equal(hold.service, 'order', 'called with the order service credential');
      assert.deepEqual(hold.body, { orderId: order.orderId, extendSeconds: 600 });
      assert.equal(hold.path, `/internal/v1/reservations/${reservation.reservationId}/order`);
      assert.equal(svc.seating.reservations.get(reservation.reservationId)!.orderId, order.orderId);
      assert.equal(order.holdExpiresAt, svc.seating.reservations.get(reservation.reservationId)!.expiresAt, 'the hold as seating extended it');

      const [row] = await svc.sql(`SELECT customer_email, event_name FROM orders WHERE id = $1`, [order.orderId]);
      assert.deepEqual(row, { customer_email: emailOf(2), event_name: 'Rock Concert 2025' }, "the token's e-mail and the catalog's event name are kept");
    });

    it('accepts the camelCase body, and user_id may be left out', async () => {
      const camel = svc.seating.addReservation();
      const res = await post(userToken(2), newKey(), { userId: 2, eventId: 1, reservationId: camel.reservationId });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.reservationId, camel.reservationId);
      const bare = svc.seating.addReservation();
      const res2 = await post(userToken(2), newKey(), { event_id: 1, reservation_id: bare.reservationId });
      assert.equal(res2.status, 201, res2.text);
      assert.equal(res2.body.userId, 2);
    });

    it('the same key and body is answered with the same bytes, Idempotent-Replayed, and seating is not asked again; either spelling is the same request', async () => {
      const reservation = svc.seating.addReservation();
      const key = newKey();
      const first = await post(userToken(2), key, orderBody(reservation));
      assert.equal(first.status, 201, first.text);
      const again = await post(userToken(2), key, orderBody(reservation));
      assert.equal(again.status, 201);
      assert.equal(again.text, first.text);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      const camel = await post(userToken(2), key, { userId: 2, eventId: 1, reservationId: reservation.reservationId, seats: reservation.seats.map((s) => s.seatId) });
      assert.equal(camel.status, 201, camel.text);
      assert.equal(camel.text, first.text);
      assert.equal(svc.seating.calls('holdForOrder', (b) => b.orderId === first.body.orderId).length, 1);
      assert.deepEqual(await ordersOf(reservation.reservationId), [first.body.orderId]);
    });

    it('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED; another key for an ordered reservation is 409', async () => {
      const reservation = svc.seating.addReservation();
      const key = newKey();
      const first = await post(userToken(2), key, orderBody(reservation));
      assert.equal(first.status, 201, first.text);
      const reused = await post(userToken(2), key, orderBody(reservation, { seats: undefined }));
      assert.equal(reused.status, 422, reused.text);
      assert.equal(reused.body.error, 'IDEMPOTENCY_KEY_REUSED');
      const otherKey = await post(userToken(2), newKey(), orderBody(reservation));
      assert.equal(otherKey.status, 409, otherKey.text);
      assert.equal(otherKey.body.error, 'RESERVATION_ALREADY_ORDERED');
      assert.deepEqual(await ordersOf(reservation.reservationId), [first.body.orderId]);
    });

    it('requires the Idempotency-Key header (400) and bounds it', async () => {
      const reservation = svc.seating.addReservation();
      const missing = await post(userToken(2), undefined, orderBody(reservation));
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error, 'IDEMPOTENCY_KEY_REQUIRED');
      const long = await post(userToken(2), 'k'.repeat(256), orderBody(reservation));
      assert.equal(long.status, 400);
      assert.equal(long.body.error, 'IDEMPOTENCY_KEY_INVALID');
      assert.deepEqual(await ordersOf(reservation.reservationId), []);
    });

    it('keys are per user: two users using one key get their own orders', async () => {
      const key = newKey('shared');
      const mine = await post(userToken(2), key, orderBody(svc.seating.addReservation({ userId: 2 })));
      const theirs = await post(userToken(3), key, orderBody(svc.seating.addReservation({ userId: 3 })));
      assert.equal(mine.status, 201, mine.text);
      assert.equal(theirs.status, 201, theirs.text);
      assert.notEqual(mine.body.orderId, theirs.body.orderId);
      assert.equal(theirs.body.userId, 3);
    });

    it('ten identical requests at once make one order, all answered 201 with the same bytes', async () => {
      const reservation = svc.seating.addReservation();
      const key = newKey();
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(userToken(2), key, orderBody(reservation))));
      assert.deepEqual(answers.map((a) => a.status), Array(10).fill(201), answers.map((a) => a.text).join('\n'));
      assert.equal(new Set(answers.map((a) => a.text)).size, 1);
      assert.equal(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true').length, 9);
      assert.equal((await ordersOf(reservation.reservationId)).length, 1);
      assert.equal(svc.seating.calls('holdForOrder', (b) => b.orderId === answers[0].body.orderId).length, 1);
    });

    it('five keys racing for one reservation: exactly one order, the others 409', async () => {
      const reservation = svc.seating.addReservation();
      const answers = await Promise.all(Array.from({ length: 5 }, () => post(userToken(2), newKey('race'), orderBody(reservation))));
      assert.equal(answers.filter((a) => a.status === 201).length, 1, answers.map((a) => a.text).join('\n'));
      assert.deepEqual(answers.filter((a) => a.status !== 201).map((a) => [a.status, a.body.error]), Array(4).fill([409, 'RESERVATION_ALREADY_ORDERED']));
      assert.deepEqual(await ordersOf(reservation.reservationId), [answers.find((a) => a.status === 201)!.body.orderId]);
    });

    it('refuses holds that cannot be ordered, and stores nothing for a refusal', async () => {
      const cases: [string, () => Record<string, unknown>, number, string][] = [
        ['unknown reservation', () => ({ event_id: 1, reservation_id: 'res_doesnotexist000' }), 404, 'RESERVATION_NOT_FOUND'],
        ["another user's hold", () => orderBody(svc.seating.addReservation({ userId: 5 }), { user_id: undefined }), 403, 'RESERVATION_NOT_YOURS'],
        ['another event', () => orderBody(svc.seating.addReservation(), { event_id: 2 }), 400, 'EVENT_MISMATCH'],
        ['expired hold', () => orderBody(svc.seating.addReservation({ status: 'EXPIRED' })), 409, 'RESERVATION_EXPIRED'],
        ['hold past its expiry', () => orderBody(svc.seating.addReservation({ expiresAt: new Date(Date.now() - 1000).toISOString() })), 409, 'RESERVATION_EXPIRED'],
        ['released hold', () => orderBody(svc.seating.addReservation({ status: 'RELEASED' })), 409, 'RESERVATION_EXPIRED'],
        ['hold of another order', () => orderBody(svc.seating.addReservation({ orderId: unknownOrderId() })), 409, 'RESERVATION_ALREADY_ORDERED'],
        ['user_id of someone else', () => orderBody(svc.seating.addReservation(), { user_id: 3 }), 403, 'USER_MISMATCH'],
      ];
      for (const [what, body, status, code] of cases) {
        const b = body();
        const res = await post(userToken(2), newKey(), b);
        assert.equal(res.status, status, `${what}: ${res.text}`);
        assert.equal(res.body.error, code, what);
        assert.deepEqual(await ordersOf(String(b.reservation_id)), [], what);
      }
      const [{ n }] = await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_keys WHERE status = 'IN_PROGRESS'`);
      assert.equal(n, 0, 'no key is left claimed');
    });

    it('seats that are not the hold\'s are 400 SEATS_MISMATCH naming the held ones; the key then works with the right body', async () => {
      const reservation = svc.seating.addReservation({ seatCount: 2 });
      const key = newKey();
      const wrong = await post(userToken(2), key, orderBody(reservation, { seats: [reservation.seats[0].seatId] }));
      assert.equal(wrong.status, 400, wrong.text);
      assert.equal(wrong.body.error, 'SEATS_MISMATCH');
      assert.deepEqual(wrong.body.details.reservedSeatIds, reservation.seats.map((s) => s.seatId));
      const right = await post(userToken(2), key, orderBody(reservation));
      assert.equal(right.status, 201, right.text);
    });

    it('seating down is 503 and stores nothing; the retry with the same key makes the order', async () => {
      const reservation = svc.seating.addReservation();
      const key = newKey();
      svc.seating.failNext('reservation', 3, 503);
      const down = await post(userToken(2), key, orderBody(reservation));
      assert.equal(down.status, 503, down.text);
      assert.equal(down.body.error, 'DEPENDENCY_UNAVAILABLE');
      assert.deepEqual(await ordersOf(reservation.reservationId), []);
      // Seating refusing the order service's credential (a configuration error) is not the buyer's fault either.
      svc.seating.failNext('reservation', 1, 401);
      const refused = await post(userToken(2), key, orderBody(reservation));
      assert.equal(refused.status, 503, refused.text);
      // The hold vanished between reading it and tying it to the order.
      svc.seating.failNext('holdForOrder', 1, 404);
      const vanished = await post(userToken(2), key, orderBody(reservation));
      assert.equal(vanished.status, 404, vanished.text);
      assert.equal(vanished.body.error, 'RESERVATION_NOT_FOUND');
      assert.deepEqual(await ordersOf(reservation.reservationId), []);
      const retry = await post(userToken(2), key, orderBody(reservation));
      assert.equal(retry.status, 201, retry.text);
    });

    it('seating tied the hold but its answers were lost: the order it is tied to exists, and the retry with the same key finishes it', async () => {
      const reservation = svc.seating.addReservation();
      const key = newKey();
      // Every attempt of the first request reaches seating and ties the hold; no answer comes back.
      svc.seating.faultNext('holdForOrder', { kind: 'lose' }, 3);
      const lost = await post(userToken(2), key, orderBody(reservation));
      assert.equal(lost.status, 503, lost.text);
      const orderId = stableUuid(`user:2:${key}`);
      assert.equal(svc.seating.reservations.get(reservation.reservationId)!.orderId, orderId, 'seating did tie the hold');
      // Never a hold tied to an order id nobody stored: the order is there, PENDING, for a retry or the reconciler.
      assert.deepEqual(await ordersOf(reservation.reservationId), [orderId]);
      // The key is free again, but it placed this order: another reservation under it is refused.
      const other = await post(userToken(2), key, orderBody(svc.seating.addReservation()));
      assert.equal(other.status, 422, other.text);
      assert.equal(other.body.error, 'IDEMPOTENCY_KEY_REUSED');
      const retry = await post(userToken(2), key, orderBody(reservation));
      assert.equal(retry.status, 201, retry.text);
      assert.equal(retry.body.orderId, orderId);
      assert.equal(retry.body.holdExpiresAt, svc.seating.reservations.get(reservation.reservationId)!.expiresAt);
    });

    it('refuses service credentials and missing or expired tokens', async () => {
      const reservation = svc.seating.addReservation();
      const asService = await post(serviceToken('payment'), newKey(), orderBody(reservation));
      assert.equal(asService.status, 403, asService.text);
      const none = await svc.api.post('/v1/orders', { body: orderBody(reservation), headers: { 'Idempotency-Key': newKey() } });
      assert.equal(none.status, 401);
      const expired = await post(userToken(2, 'USER', { expiresInSeconds: -60 }), newKey(), orderBody(reservation));
      assert.equal(expired.status, 401);
      assert.deepEqual(await ordersOf(reservation.reservationId), []);
    });
  });

  describe('reading orders', () => {
    let order: Record<string, any>;
    before(async () => {
      ({ order } = await createOrder(svc, { userId: 7 }));
      await createOrder(svc, { userId: 7 });
    });

    it('the owner and an admin read an order; another user gets 403, an unknown id 404', async () => {
      const mine = await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(7) });
      assert.equal(mine.status, 200, mine.text);
      assert.deepEqual(mine.body, order);
      const admin = await svc.api.get(`/v1/orders/${order.orderId}`, { token: adminToken() });
      assert.equal(admin.status, 200);
      assert.deepEqual(admin.body, order);
      const other = await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(8) });
      assert.equal(other.status, 403);
      assert.equal(other.body.error, 'FORBIDDEN');
      assert.equal((await svc.api.get(`/v1/orders/${order.orderId}/tickets`, { token: userToken(8) })).status, 403);
      const unknown = await svc.api.get(`/v1/orders/${unknownOrderId()}`, { token: userToken(7) });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error, 'ORDER_NOT_FOUND');
      assert.equal((await svc.api.get(`/v1/orders/${order.orderId.toUpperCase()}`, { token: userToken(7) })).status, 200, 'ids are case-insensitive');
    });

    it("lists one's own orders newest first; ?userId= of another user is 403 except for an admin", async () => {
      const own = await svc.api.get('/v1/orders', { token: userToken(7) });
      assert.equal(own.status, 200, own.text);
      assert.equal(own.body.totalCount, 2);
      assert.deepEqual([own.body.page, own.body.limit], [1, 20]);
      assert.ok(own.body.orders.every((o: { userId: number }) => o.userId === 7));
      assert.ok(Date.parse(own.body.orders[0].createdAt) >= Date.parse(own.body.orders[1].createdAt));
      const paged = await svc.api.get('/v1/orders?userId=7&page=2&limit=1', { token: userToken(7) });
      assert.equal(paged.status, 200, paged.text);
      assert.deepEqual([paged.body.totalCount, paged.body.orders.length, paged.body.page, paged.body.limit], [2, 1, 2, 1]);
      assert.equal(paged.body.orders[0].orderId, own.body.orders[1].orderId);
      assert.equal((await svc.api.get('/v1/orders?userId=7', { token: userToken(8) })).status, 403);
      const admin = await svc.api.get('/v1/orders?userId=7', { token: adminToken() });
      assert.equal(admin.status, 200);
      assert.equal(admin.body.totalCount, 2);
      const nobody = await svc.api.get('/v1/orders', { token: userToken(9) });
      assert.deepEqual(nobody.body, { orders: [], totalCount: 0, page: 1, limit: 20 });
    });

    it('GET /internal/v1/orders/{id} answers platform services only (what the payment service checks a charge against)', async () => {
      const res = await svc.api.get(`/internal/v1/orders/${order.orderId}`, { token: serviceToken('payment') });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, {
        orderId: order.orderId, userId: 7, eventId: 1, status: 'PENDING', totalCents: order.totalCents, taxCents: order.taxCents, currency: 'INR', reservationId: order.reservationId,
      });
      assert.equal((await svc.api.get(`/internal/v1/orders/${order.orderId}`, { token: userToken(7) })).status, 403);
      assert.equal((await svc.api.get(`/internal/v1/orders/${order.orderId}`, { token: adminToken() })).status, 403);
      assert.equal((await svc.api.get(`/internal/v1/orders/${order.orderId}`, { token: serviceToken('payment', 'seating') })).status, 401, 'a credential meant for another service');
      assert.equal((await svc.api.get(`/internal/v1/orders/${unknownOrderId()}`, { token: serviceToken('payment') })).status, 404);
    });
  });

  describe('POST /v1/orders/{id}/cancel', () => {
    it('an unpaid order is CANCELLED, its hold released and the buyer told; cancelling again changes nothing', async () => {
      const { order, reservation, token } = await createOrder(svc);
      assert.equal((await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token: userToken(3) })).status, 403);
      const res = await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'CANCELLED');
      assert.equal(res.body.failureReason, 'Cancelled by the buyer');
      await svc.outboxSettled();
      assert.equal(svc.seating.reservations.get(reservation.reservationId)!.status, 'RELEASED');
      assert.deepEqual(svc.seating.calls('release', (b) => b.orderId === order.orderId).map((c) => [c.status, c.service]), [[200, 'order']]);
      const notices = svc.notification.of(order.orderId);
      assert.deepEqual(notices.map((n) => [n.type, n.email, n.userId]), [['ORDER_CANCELLED', emailOf(2), 2]]);
      const again = await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token: adminToken() });
      assert.equal(again.status, 200);
      assert.equal(again.body.status, 'CANCELLED');
      await svc.outboxSettled();
      assert.equal(svc.seating.calls('release', (b) => b.orderId === order.orderId).length, 1);
      assert.equal(svc.notification.of(order.orderId).length, 1);
    });

    it('an order being allocated is 409 ORDER_BUSY; a declined one may be cancelled', async () => {
      const busy = await createOrder(svc);
      await svc.sql(`UPDATE orders SET status = 'ALLOCATING' WHERE id = $1`, [busy.order.orderId]);
      const res = await svc.api.post(`/v1/orders/${busy.order.orderId}/cancel`, { token: busy.token });
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.error, 'ORDER_BUSY');

      const declined = await createOrder(svc);
      assert.equal((await svc.callback(callbackBody(declined.order.orderId, newPaymentId(), 'FAILED'))).status, 200);
      await waitForStatus(svc, declined.order.orderId, 'FAILED');
      const cancelled = await svc.api.post(`/v1/orders/${declined.order.orderId}/cancel`, { token: declined.token });
      assert.equal(cancelled.status, 200, cancelled.text);
      assert.equal(cancelled.body.status, 'CANCELLED');
    });

    it('an unknown order is 404; a service credential cannot cancel', async () => {
      assert.equal((await svc.api.post(`/v1/orders/${unknownOrderId()}/cancel`, { token: userToken(2) })).status, 404);
      const { order } = await createOrder(svc);
      assert.equal((await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token: serviceToken('payment') })).status, 403);
    });
  });
});

describe('the lease on an Idempotency-Key being placed', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    // A 2 s lease; calls to seating wait up to 20 s, so a slow seating is slow, not a timeout.
    svc = await startOrderForTest({ IDEMPOTENCY_LEASE_SECONDS: '2', HTTP_CLIENT_TIMEOUT_MS: '20000' });
  });
  after(() => svc.stop());

  const post = (token: string, key: string, body: unknown) => svc.api.post('/v1/orders', { token, body, headers: { 'Idempotency-Key': key } });

  it("a live request keeps its key: a repeat while seating is slow is 409 REQUEST_IN_PROGRESS with Retry-After, never a second placement", async () => {
    const reservation = svc.seating.addReservation();
    const key = newKey();
    // Seating takes longer than the lease (2 s here) and the repeat's 3 s wait together: only renewal keeps the key.
    svc.seating.faultNext('holdForOrder', { kind: 'delay', ms: 9000 });
    const first = post(userToken(2), key, orderBody(reservation));
    await eventually(async () => (svc.seating.calls('holdForOrder', (b) => b.orderId === stableUuid(`user:2:${key}`)).length ? true : undefined), 5000, 'the tie to be asked for');
    await new Promise((r) => setTimeout(r, 2500)); // past the first lease: the claim lives only if it was renewed
    const repeat = await post(userToken(2), key, orderBody(reservation));
    assert.equal(repeat.status, 409, repeat.text);
    assert.equal(repeat.body.error, 'REQUEST_IN_PROGRESS');
    const retryAfter = Number(repeat.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After: ${repeat.headers.get('retry-after')}`);
    const done = await first;
    assert.equal(done.status, 201, done.text);
    assert.equal(svc.seating.calls('holdForOrder', (b) => b.orderId === done.body.orderId).length, 1, 'placed once');
    const after = await post(userToken(2), key, orderBody(reservation));
    assert.equal(after.text, done.text);
  });
});
