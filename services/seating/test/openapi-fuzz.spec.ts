import { after, before, describe, it } from 'node:test';
import { DEV_DEFAULT_SECRETS, TokenService } from '@etsr/platform';
import { fuzzDocument } from '@etsr/platform/testing';
import { createPlan } from './factories';
import { SeatingUnderTest, adminToken, serviceToken, startSeatingForTest, userToken } from './harness';

/** Operations only other platform services may call: sold and released seats, internal feeds and holds. */
const forServices = (path: string) => path === '/v1/seats/allocate' || path === '/v1/seats/release' || (path.startsWith('/internal/') && !path.startsWith('/internal/v1/import/'));

/** Every operation of the OpenAPI document, with generated requests (see libs/platform/src/testing/openapi-fuzz.ts). */
describe('generated requests over the OpenAPI document: no 5xx, only documented statuses', () => {
  let svc: SeatingUnderTest;
  before(async () => {
    svc = await startSeatingForTest();
  });
  after(() => svc.stop());

  it('every operation', async (t) => {
    const plans = [await createPlan(svc.api), await createPlan(svc.api)];
    const buyer = userToken(10);
    const reservationIds: string[] = [];
    for (const plan of plans) {
      const res = await svc.api.post('/v1/seats/reserve', { token: buyer, body: { eventId: plan.eventId, seatIds: plan.all.slice(0, 2) } });
      if (res.status !== 201) throw new Error(`reserve failed: ${res.status} ${res.text}`);
      reservationIds.push(res.body.reservationId);
    }
    // An event sold through a waiting room, so queue operations reach their handlers.
    const queued = await createPlan(svc.api);
    const queue = await svc.api.put(`/v1/seats/queues/${queued.eventId}`, { token: adminToken(), body: { onSaleAt: new Date().toISOString() } });
    if (queue.status !== 201) throw new Error(`sale queue failed: ${queue.status} ${queue.text}`);
    const forged = new TokenService('not-the-secret-0123456789abcdef0123456789', DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'user');
    const seatIds = plans.flatMap((p) => p.all.slice(0, 30));
    await fuzzDocument(t, svc.url, {
      credentialFor: (op) => (forServices(op.path) ? { label: 'service (order)', token: serviceToken() } : { label: 'admin', token: adminToken() }),
      otherCredentials: [
        { label: 'none' },
        { label: 'buyer 10', token: buyer },
        { label: 'service (order)', token: serviceToken() },
        { label: 'garbage', token: 'not.a.token' },
        { label: 'forged admin', token: forged.signAccessToken({ userId: 1, username: 'admin', role: 'ADMIN' }, 3600) },
      ],
      known: {
        // {id} is a seat id or a reservation id, depending on the path.
        id: [...seatIds.slice(0, 6), ...reservationIds],
        eventId: [...plans.map((p) => p.eventId), queued.eventId],
        seatIds,
        reservationId: reservationIds,
        section: ['VIP', 'PREMIUM', 'REGULAR'],
      },
    });
  });
});
