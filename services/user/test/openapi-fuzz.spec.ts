import { after, before, describe, it } from 'node:test';
import { DEV_DEFAULT_SECRETS, TokenService } from '@etsr/platform';
import { fuzzDocument } from '@etsr/platform/testing';
import { adminSession, registeredUser } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

/** Every operation of the OpenAPI document, with generated requests (see libs/platform/src/testing/openapi-fuzz.ts). */
describe('generated requests over the OpenAPI document: no 5xx, only documented statuses', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest();
  });
  after(() => svc.stop());

  it('every operation', async (t) => {
    const admin = await adminSession(svc.api);
    const buyers = [await registeredUser(svc.api), await registeredUser(svc.api), await registeredUser(svc.api)];
    const forged = new TokenService('not-the-secret-0123456789abcdef0123456789', DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'user');
    await fuzzDocument(t, svc.url, {
      credentialFor: () => ({ label: 'admin', token: admin.accessToken }),
      otherCredentials: [
        { label: 'none' },
        { label: 'buyer', token: buyers[0].accessToken },
        { label: 'garbage', token: 'not.a.token' },
        { label: 'forged admin', token: forged.signAccessToken({ userId: admin.userId, username: 'admin', role: 'ADMIN' }, 3600) },
      ],
      known: {
        id: buyers.map((b) => b.userId),
        username: buyers.map((b) => b.username),
        refreshToken: buyers.map((b) => b.refreshToken),
      },
    });
  });
});
