import { after, before, describe, it } from 'node:test';
import { DEV_DEFAULT_SECRETS, TokenService } from '@etsr/platform';
import { fuzzDocument } from '@etsr/platform/testing';
import { venueWithEvent } from './factories';
import { ADMIN_TOKEN, CatalogServiceUnderTest, EXPIRED_ADMIN_TOKEN, SERVICE_TOKEN, USER_TOKEN, startCatalogServiceForTest } from './harness';

/** Every operation of the OpenAPI document, with generated requests (see libs/platform/src/testing/openapi-fuzz.ts). */
describe('generated requests over the OpenAPI document: no 5xx, only documented statuses', () => {
  let svc: CatalogServiceUnderTest;
  before(async () => {
    svc = await startCatalogServiceForTest();
  });
  after(() => svc.stop());

  it('every operation', async (t) => {
    const seeded = [await venueWithEvent(svc.api), await venueWithEvent(svc.api), await venueWithEvent(svc.api)];
    const forged = new TokenService('not-the-secret-0123456789abcdef0123456789', DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'user');
    const venueIds = seeded.map((s) => s.venue.venue_id);
    await fuzzDocument(t, svc.url, {
      credentialFor: () => ({ label: 'admin', token: ADMIN_TOKEN }),
      otherCredentials: [
        { label: 'none' },
        { label: 'buyer', token: USER_TOKEN },
        { label: 'service (order)', token: SERVICE_TOKEN },
        { label: 'expired admin', token: EXPIRED_ADMIN_TOKEN },
        { label: 'forged admin', token: forged.signAccessToken({ userId: 1, username: 'admin', role: 'ADMIN' }, 3600) },
      ],
      known: {
        // /v1/venues/{id} and /v1/events/{id} share the name: both kinds of id hit rows somewhere.
        id: [...venueIds, ...seeded.map((s) => s.event.event_id)],
        venue_id: venueIds,
        city: ['Springfield'],
      },
    });
  });
});
