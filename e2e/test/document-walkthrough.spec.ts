import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../src/journeys';
import { DemoData, Stack, loadDemoData, startStack } from '../src/stack';

const PORTS: Record<string, string> = { '8081': 'user', '8000': 'catalog', '8082': 'seating', '4003': 'order', '4004': 'payment' };

/**
 * The architecture document's curl walkthrough (its sections 8.1 and 8.2), sent as printed to the
 * six services started as processes with the demo data of npm start: the request bodies below are
 * copied from the document, only the tokens ($JWT_TOKEN, $JWT_TOKEN2) are filled in. Each answer
 * is asserted: the document's own where the request works as printed, and where the document is
 * wrong (it pays an order id nobody created, and calls a service-only endpoint) the refusal, which
 * must say what to do instead; then that advice is followed to the end of the booking. The README
 * section "The architecture document's walkthrough" lists the differences.
 */
describe("the architecture document's walkthrough (8.1 and 8.2), as printed", () => {
  let stack: Stack;
  let demo: DemoData;
  let JWT_TOKEN: string;
  let JWT_TOKEN2: string;
  let reservationId: string;
  let refusedCharge: { status: number; body: Record<string, any> };

  before(async () => {
    stack = await startStack({ env: { catalog: { AVAILABILITY_SYNC_INTERVAL_MS: '300' } } });
    demo = await loadDemoData(stack);
  });
  after(() => stack?.stop());

  /** One curl of the document: its URL (localhost:<port>) sent to the stack's service. */
  async function curl(method: string, url: string, options: { headers?: Record<string, string>; body?: string } = {}) {
    const target = url.replace(/^http:\/\/localhost:(\d+)/, (_, port: string) => stack.urls[PORTS[port]]);
    const res = await fetch(target, { method, headers: options.headers, body: options.body });
    const text = await res.text();
    return { status: res.status, text, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
  }
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const seatStatus = async (seatId: number) => (await curl('GET', `http://localhost:8082/v1/seats/${seatId}`)).body.status as string;

  it("the demo data has the document's ids: alice_johnson is user 5, the second buyer user 6, Rock Concert 2025 event 1", () => {
    assert.deepEqual(demo.warnings, []);
    assert.deepEqual(demo.userIds, { admin: 1, buyer: 5, buyer2: 6 });
    assert.deepEqual([demo.events[0].eventId, demo.events[0].name, demo.events[0].status], [1, 'Rock Concert 2025', 'UPCOMING']);
  });

  describe('8.1 End-to-End Booking Flow Testing', () => {
    it('Step 1: User Registration: the demo holds this very registration, so it answers 200 with user 5', async () => {
      const res = await curl('POST', 'http://localhost:8081/v1/users/register', {
        headers: { 'Content-Type': 'application/json' },
        body: `{
    "username": "alice_johnson",
    "email": "alice@example.com",
    "password": "SecurePass123!",
    "firstName": "Alice",
    "lastName": "Johnson",
    "phoneNumber": "+1234567890"
  }`,
      });
      assert.equal(res.status, 200, res.text);
      const { userId, username, email, firstName, lastName, accountStatus } = res.body;
      assert.deepEqual({ userId, username, email, firstName, lastName, accountStatus }, {
        userId: 5, username: 'alice_johnson', email: 'alice@example.com', firstName: 'Alice', lastName: 'Johnson', accountStatus: 'ACTIVE',
      });
    });

    it('Step 2: User Login: a Bearer token for an hour (kept as $JWT_TOKEN)', async () => {
      const res = await curl('POST', 'http://localhost:8081/v1/users/login', {
        headers: { 'Content-Type': 'application/json' },
        body: `{
    "username": "alice_johnson",
    "password": "SecurePass123!"
  }`,
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual([res.body.tokenType, res.body.expiresIn, res.body.user.userId], ['Bearer', 3600, 5]);
      JWT_TOKEN = res.body.accessToken;
      // The second buyer of 8.2 case 3 ($JWT_TOKEN2), whose login the document does not print.
      const bob = await curl('POST', 'http://localhost:8081/v1/users/login', { headers: { 'Content-Type': 'application/json' }, body: '{"username": "bob_smith", "password": "SecurePass123!"}' });
      assert.equal(bob.body.user?.userId, 6, bob.text);
      JWT_TOKEN2 = bob.body.accessToken;
    });

    it('Step 3: Browse Events: Rock Concert 2025 in New York is event 1, UPCOMING', async () => {
      const res = await curl('GET', 'http://localhost:8000/v1/events/search?city=New%20York&status=UPCOMING', { headers: bearer(JWT_TOKEN) });
      assert.equal(res.status, 200, res.text);
      const [first] = res.body.events;
      assert.deepEqual([first.event_id, first.name, first.city, first.status, first.total_seats], [1, 'Rock Concert 2025', 'New York', 'UPCOMING', 1000]);
      // Dated relative to the day the demo was loaded: 30 days ahead.
      const daysAhead = (Date.parse(first.start_date) - Date.now()) / 86_400_000;
      assert.ok(daysAhead > 29 && daysAhead < 31, `${first.start_date} is ${daysAhead.toFixed(1)} days ahead`);
    });

    it('Step 4: Check Seat Availability: event 1 has 1,000 seats, VIP at 150.00', async () => {
      const res = await curl('GET', 'http://localhost:8082/v1/seats/availability?eventId=1', { headers: bearer(JWT_TOKEN) });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual([res.body.eventId, res.body.totalSeats, res.body.availableSeats], [1, 1000, 1000]);
      assert.deepEqual([res.body.seatsBySection[0].section, res.body.seatsBySection[0].price], ['VIP', 150]);
    });

    it('Step 5: Reserve Seats: held for 900 s (seats 101-103 are PREMIUM in the demo plan: 300.00)', async () => {
      const res = await curl('POST', 'http://localhost:8082/v1/seats/reserve', {
        headers: { ...bearer(JWT_TOKEN), 'Content-Type': 'application/json' },
        body: `{
    "eventId": 1,
    "seatIds": [101, 102, 103],
    "userId": 5
  }`,
      });
      assert.equal(res.status, 201, res.text);
      assert.match(res.body.reservationId, /^res_/);
      assert.deepEqual([res.body.ttlSeconds, res.body.totalAmount, res.body.userId], [900, 300, 5]);
      assert.ok(Date.parse(res.body.expiresAt) > Date.now());
      reservationId = res.body.reservationId;
    });

    it("Step 5 with someone else's token: USER_MISMATCH says who the caller is", async () => {
      const res = await curl('POST', 'http://localhost:8082/v1/seats/reserve', {
        headers: { ...bearer(JWT_TOKEN2), 'Content-Type': 'application/json' },
        body: '{"eventId": 1, "seatIds": [104], "userId": 5}',
      });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.error, 'USER_MISMATCH');
      assert.equal(res.body.message, "User id 5 in the body is not you: your token is user 6's. Send 6, or leave the user id out");
    });

    it('Step 6: Process Payment: "order_alice_xyz789" is no order; the refusal says an order id comes from POST /v1/orders', async () => {
      refusedCharge = await curl('POST', 'http://localhost:4004/v1/charge', {
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'booking_alice_20251109_001' },
        body: `{
    "merchant_order_id": "order_alice_xyz789",
    "amount_cents": 45000,
    "currency": "INR",
    "payment_method": "UPI"
  }`,
      });
      assert.equal(refusedCharge.status, 400, JSON.stringify(refusedCharge.body));
      assert.equal(refusedCharge.body.error, 'VALIDATION_FAILED');
      assert.match(refusedCharge.body.message, /merchant_order_id must be an order id \(a UUID, the "orderId" that POST \/v1\/orders answers\)/);
    });

    it('Step 7: Verify Seat Allocation: nothing was paid, so seats 101-103 are still RESERVED, not ALLOCATED', async () => {
      const res = await curl('GET', 'http://localhost:8082/v1/seats/availability?eventId=1', { headers: bearer(JWT_TOKEN) });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.allocatedSeats, 0);
      assert.deepEqual(await Promise.all([101, 102, 103].map(seatStatus)), ['RESERVED', 'RESERVED', 'RESERVED']);
    });
  });

  describe('8.2 Testing Error Scenarios', () => {
    it('Test Case 1: Duplicate Payment: the same answer as the first request, and no payment exists', async () => {
      const res = await curl('POST', 'http://localhost:4004/v1/charge', {
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'booking_alice_20251109_001' },
        body: `{
    "merchant_order_id": "order_alice_xyz789",
    "amount_cents": 45000,
    "currency": "INR"
  }`,
      });
      assert.equal(res.status, refusedCharge.status);
      assert.deepEqual([res.body.error, res.body.message], [refusedCharge.body.error, refusedCharge.body.message]);
      const payments = await curl('GET', 'http://localhost:4004/v1/payments', { headers: bearer(demo.tokens.admin) });
      assert.equal(payments.status, 200, payments.text);
      assert.equal(payments.body.total_count, 0);
    });

    it('Test Case 2: Expired Reservation: the hold works; allocating with a user token is SERVICE_ONLY, saying allocation follows payment (the 901 s wait is left out)', async () => {
      const hold = await curl('POST', 'http://localhost:8082/v1/seats/reserve', {
        headers: { ...bearer(JWT_TOKEN), 'Content-Type': 'application/json' },
        body: '{"eventId": 1, "seatIds": [201, 202], "userId": 5}',
      });
      assert.equal(hold.status, 201, hold.text);
      assert.equal(hold.body.ttlSeconds, 900);
      const res = await curl('POST', 'http://localhost:8082/v1/seats/allocate', {
        headers: { ...bearer(JWT_TOKEN), 'Content-Type': 'application/json' },
        body: '{"reservationId": "res_expired_123"}',
      });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.error, 'SERVICE_ONLY');
      assert.match(res.body.message, /seats are allocated by the order service once the order is paid\. Create an order for your hold \(POST \/v1\/orders\) and pay it \(POST \/v1\/charge\)/);
    });

    it('Test Case 3: Concurrent Seat Reservation: one succeeds, the other is 409 SEATS_TAKEN naming seat 301', async () => {
      // curl -d without a Content-Type header sends application/x-www-form-urlencoded; so does this.
      const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
      const [first, second] = await Promise.all([
        curl('POST', 'http://localhost:8082/v1/seats/reserve', { headers: { ...bearer(JWT_TOKEN), ...form }, body: '{"eventId": 1, "seatIds": [301], "userId": 5}' }),
        curl('POST', 'http://localhost:8082/v1/seats/reserve', { headers: { ...bearer(JWT_TOKEN2), ...form }, body: '{"eventId": 1, "seatIds": [301], "userId": 6}' }),
      ]);
      assert.deepEqual([first.status, second.status].sort(), [201, 409], `${first.text} / ${second.text}`);
      const lost = first.status === 409 ? first : second;
      assert.equal(lost.body.error, 'SEATS_TAKEN');
      assert.match(lost.body.message, /Seats already taken: 301/);
      assert.equal(await seatStatus(301), 'RESERVED');
    });
  });

  describe("following the refusals' advice: order, pay, and the seats are ALLOCATED", () => {
    let orderId: string;

    it('POST /v1/orders for the hold of step 5: the order id to pay, and its total', async () => {
      const res = await curl('POST', 'http://localhost:4003/v1/orders', {
        headers: { ...bearer(JWT_TOKEN), 'Content-Type': 'application/json', 'Idempotency-Key': 'order_alice_20251109_001' },
        body: JSON.stringify({ user_id: 5, event_id: 1, reservation_id: reservationId, seats: [101, 102, 103] }),
      });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.totalCents, 33000);
      orderId = res.body.orderId;
    });

    it("Step 6 with the order's id and total: SUCCESS", async () => {
      const res = await curl('POST', 'http://localhost:4004/v1/charge', {
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'booking_alice_20251109_002' },
        body: JSON.stringify({ merchant_order_id: orderId, amount_cents: 33000, currency: 'INR', payment_method: 'UPI' }),
      });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.status, 'SUCCESS');
      assert.match(res.body.transaction_id, /^txn_upi_/);
    });

    it('Step 7: seats 101, 102, 103 are now ALLOCATED', async () => {
      await waitFor(async () => (await curl('GET', `http://localhost:4003/v1/orders/${orderId}`, { headers: bearer(JWT_TOKEN) })).body.status === 'CONFIRMED', 'order CONFIRMED');
      // Availability is read from a snapshot a few hundred ms behind the seats.
      await waitFor(async () => (await curl('GET', 'http://localhost:8082/v1/seats/availability?eventId=1', { headers: bearer(JWT_TOKEN) })).body.allocatedSeats === 3, 'allocatedSeats 3');
      assert.deepEqual(await Promise.all([101, 102, 103].map(seatStatus)), ['ALLOCATED', 'ALLOCATED', 'ALLOCATED']);
    });
  });
});
