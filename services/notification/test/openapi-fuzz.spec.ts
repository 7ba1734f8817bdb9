import { after, before, describe, it } from 'node:test';
import { DEV_DEFAULT_SECRETS, TokenService } from '@etsr/platform';
import { fuzzDocument } from '@etsr/platform/testing';
import { orderEvent } from './factories';
import { NotificationUnderTest, adminToken, serviceToken, startNotificationForTest, userToken } from './harness';
import { TestSmtpServer, startTestSmtpServer } from './smtp';

/** Every operation of the OpenAPI document, with generated requests (see libs/platform/src/testing/openapi-fuzz.ts). */
describe('generated requests over the OpenAPI document: no 5xx, only documented statuses', () => {
  let smtp: TestSmtpServer;
  let svc: NotificationUnderTest;
  before(async () => {
    smtp = await startTestSmtpServer();
    svc = await startNotificationForTest(smtp.url);
  });
  after(async () => {
    await svc.stop();
    await smtp.stop();
  });

  it('every operation', async (t) => {
    const events = [orderEvent({ userId: 7 }), orderEvent({ type: 'PAYMENT_FAILED', userId: 7 })];
    for (const event of events) {
      const res = await svc.api.post('/internal/v1/notifications', { token: serviceToken(), body: event });
      if (res.status !== 202) throw new Error(`notification failed: ${res.status} ${res.text}`);
    }
    const forged = new TokenService('not-the-secret-0123456789abcdef0123456789', DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'order');
    await fuzzDocument(t, svc.url, {
      credentialFor: (op) => (op.path.startsWith('/internal/') ? { label: 'service (order)', token: serviceToken() } : { label: 'admin', token: adminToken() }),
      otherCredentials: [
        { label: 'none' },
        { label: 'buyer 7', token: userToken(7) },
        { label: 'admin', token: adminToken() },
        { label: 'service (order)', token: serviceToken() },
        { label: 'forged service', token: forged.serviceToken('notification') },
      ],
      known: {
        orderId: events.map((e) => String(e.orderId)),
        userId: [7],
      },
    });
  });
});
