import { after, before, describe, it } from 'node:test';
import { DEV_DEFAULT_SECRETS, TokenService } from '@etsr/platform';
import { fuzzDocument } from '@etsr/platform/testing';
import { confirmedOrder, createOrder } from './factories';
import { OrderServiceUnderTest, adminToken, serviceToken, startOrderForTest, userToken } from './harness';

/** Every operation of the OpenAPI document, with generated requests (see libs/platform/src/testing/openapi-fuzz.ts). */
describe('generated requests over the OpenAPI document: no 5xx, only documented statuses', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest();
  });
  after(() => svc.stop());

  it('every operation', async (t) => {
    const buyer = userToken(2);
    const confirmed = await confirmedOrder(svc);
    const pending = await createOrder(svc);
    // Held seats for generated orders of user 2 to use.
    const held = Array.from({ length: 5 }, () => svc.seating.addReservation({ userId: 2 }));
    const forged = new TokenService('not-the-secret-0123456789abcdef0123456789', DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'user');
    await fuzzDocument(t, svc.url, {
      credentialFor: (op) => {
        if (op.path.startsWith('/internal/v1/orders')) return { label: 'service (payment)', token: serviceToken() };
        if (op.path === '/v1/orders' && op.method === 'POST') return { label: 'buyer 2', token: buyer };
        return { label: 'admin', token: adminToken() };
      },
      otherCredentials: [
        { label: 'none' },
        { label: 'buyer 2', token: buyer },
        { label: 'buyer 3', token: userToken(3) },
        { label: 'service (payment)', token: serviceToken() },
        { label: 'garbage', token: 'not.a.token' },
        { label: 'forged admin', token: forged.signAccessToken({ userId: 1, username: 'admin', role: 'ADMIN' }, 3600) },
      ],
      known: {
        id: [confirmed.order.orderId, pending.order.orderId],
        order_id: [confirmed.order.orderId, pending.order.orderId],
        code: confirmed.tickets.map((ticket) => ticket.ticketCode),
        user_id: [2],
        userId: [2],
        event_id: [1],
        reservation_id: held.map((r) => r.reservationId),
        seats: held.flatMap((r) => r.seats.map((s) => s.seatId)),
      },
    });
  });
});
