import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeReservation } from './fake-seating';
import { createOrder, newKey, orderBody } from './factories';
import { OrderServiceUnderTest, adminToken, serviceToken, startOrderForTest, userToken } from './harness';

describe('bad input is a 400 (never a 500), and nothing is stored', () => {
  let svc: OrderServiceUnderTest;
  let orderId: string;
  before(async () => {
    svc = await startOrderForTest();
    ({ order: { orderId } } = await createOrder(svc));
  });
  after(() => svc.stop());

  const cases: [string, (r: FakeReservation) => unknown][] = [
    ['event_id missing', (r) => orderBody(r, { event_id: undefined })],
    ['reservation_id missing', (r) => orderBody(r, { reservation_id: undefined })],
    ['an empty body', () => ({})],
    ['event_id a string', (r) => orderBody(r, { event_id: '1' })],
    ['event_id 0', (r) => orderBody(r, { event_id: 0 })],
    ['event_id fractional', (r) => orderBody(r, { event_id: 1.5 })],
    ['event_id beyond exact integers', (r) => orderBody(r, { event_id: 2 ** 53 })],
    ['user_id negative', (r) => orderBody(r, { user_id: -2 })],
    ['reservation_id not a reservation id', (r) => orderBody(r, { reservation_id: 'abc123xyz' })],
    ['reservation_id with SQL in it', (r) => orderBody(r, { reservation_id: "res_x'; DROP TABLE orders;--" })],
    ['reservation_id too long', (r) => orderBody(r, { reservation_id: `res_${'a'.repeat(37)}` })],
    ['reservation_id a number', (r) => orderBody(r, { reservation_id: 12 })],
    ['seats empty', (r) => orderBody(r, { seats: [] })],
    ['seats repeating a seat', (r) => orderBody(r, { seats: [r.seats[0].seatId, r.seats[0].seatId] })],
    ['seats not numbers', (r) => orderBody(r, { seats: ['101'] })],
    ['seats not an array', (r) => orderBody(r, { seats: 101 })],
    ['more than 10 seats', (r) => orderBody(r, { seats: Array.from({ length: 11 }, (_, i) => i + 1) })],
    ['both spellings of one field', (r) => orderBody(r, { eventId: r.eventId })],
    ['both spellings of reservation_id', (r) => orderBody(r, { reservationId: r.reservationId })],
    ['an unknown field', (r) => orderBody(r, { total_cents: 1 })],
    ['a price in the body', (r) => orderBody(r, { totalCents: 1 })],
    ['a prototype-polluting field', (r) => JSON.parse(`{"event_id":1,"reservation_id":"${r.reservationId}","__proto__":{"admin":true}}`)],
    ['an array body', () => []],
    ['a string body', () => 'order'],
    ['a number body', () => 42],
  ];

  for (const [name, body] of cases) {
    it(`POST /v1/orders: ${name}`, async () => {
      const reservation = svc.seating.addReservation();
      const res = await svc.api.post('/v1/orders', { token: userToken(2), body: body(reservation), headers: { 'Idempotency-Key': newKey() } });
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.error, /^(VALIDATION_FAILED|MALFORMED_JSON|BAD_REQUEST)$/);
      assert.equal(typeof res.body.message, 'string');
      assert.deepEqual(await svc.sql(`SELECT 1 FROM orders WHERE reservation_id = $1`, [reservation.reservationId]), []);
      assert.deepEqual(svc.seating.calls('holdForOrder', (b) => JSON.stringify(b).includes(reservation.reservationId)), [], 'seating was not asked');
    });
  }

  it('the validation error names each field', async () => {
    const reservation = svc.seating.addReservation();
    const res = await svc.api.post('/v1/orders', {
      token: userToken(2),
      body: orderBody(reservation, { event_id: 'one', seats: [0], colour: 'red' }),
      headers: { 'Idempotency-Key': newKey() },
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.details.fields.map((f: { field: string }) => f.field).sort(), ['colour', 'event_id', 'seats']);
  });

  it('malformed JSON is 400 MALFORMED_JSON; another media type 415; an empty body 400', async () => {
    const headers = { 'Idempotency-Key': newKey() };
    const token = userToken(2);
    const malformed = await svc.api.post('/v1/orders', { token, raw: '{"event_id": ', headers });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error, 'MALFORMED_JSON');
    const xml = await svc.api.post('/v1/orders', { token, raw: '<order/>', contentType: 'application/xml', headers });
    assert.equal(xml.status, 415);
    const empty = await svc.api.post('/v1/orders', { token, headers });
    assert.equal(empty.status, 400);
  });

  it("curl's default form content type with a JSON body is read as JSON (the README's curl commands)", async () => {
    const reservation = svc.seating.addReservation();
    const res = await svc.api.post('/v1/orders', {
      token: userToken(2),
      raw: JSON.stringify(orderBody(reservation)),
      contentType: 'application/x-www-form-urlencoded',
      headers: { 'Idempotency-Key': newKey() },
    });
    assert.equal(res.status, 201, res.text);
  });

  it('ids that are not ids are 400 INVALID_ID on every order path', async () => {
    for (const id of ['abc', '123', '7f7ddc5b-2099-44a1-9f52', `${'0'.repeat(8)}-0000-0000-0000-00000000000g`, "1'%20OR%201=1"]) {
      for (const res of [
        await svc.api.get(`/v1/orders/${id}`, { token: userToken(2) }),
        await svc.api.get(`/v1/orders/${id}/tickets`, { token: userToken(2) }),
        await svc.api.post(`/v1/orders/${id}/cancel`, { token: userToken(2) }),
        await svc.api.get(`/internal/v1/orders/${id}`, { token: serviceToken('payment') }),
      ]) {
        assert.equal(res.status, 400, `${id}: ${res.text}`);
        assert.equal(res.body.error, 'INVALID_ID');
      }
    }
  });

  it('bad query parameters of GET /v1/orders are 400; a large limit is capped', async () => {
    for (const query of ['userId=abc', 'userId=0', 'userId=-1', 'userId=1.5', 'page=0', 'page=x', 'limit=0', 'limit=ten', 'colour=red', 'userId=99999999999999999', 'offset=5', 'page=2&offset=0']) {
      const res = await svc.api.get(`/v1/orders?${query}`, { token: adminToken() });
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.equal(res.body.error, 'VALIDATION_FAILED');
    }
    const capped = await svc.api.get('/v1/orders?userId=2&limit=1000', { token: adminToken() });
    assert.equal(capped.status, 200, capped.text);
    assert.equal(capped.body.limit, 100);
  });

  it('a cancel with a body it does not expect, or a garbage token, is not a 500', async () => {
    const withBody = await svc.api.post(`/v1/orders/${orderId}/cancel`, { token: userToken(2), body: { reason: 'x' } });
    assert.ok(withBody.status < 500, withBody.text);
    const garbage = await svc.api.get(`/v1/orders/${orderId}`, { token: 'not.a.token' });
    assert.equal(garbage.status, 401);
    const huge = await svc.api.post('/v1/orders', { token: userToken(2), raw: JSON.stringify({ event_id: 1, pad: 'x'.repeat(300_000) }), headers: { 'Idempotency-Key': newKey() } });
    assert.equal(huge.status, 413);
  });

  it('none of the above answered 500', async () => {
    const text = (await svc.api.get('/metrics')).text;
    const errors = text.split('\n').filter((l) => l.startsWith('http_server_requests_seconds_count{') && /status="5\d\d"/.test(l));
    assert.deepEqual(errors, []);
  });
});
