import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requestFrom } from '@etsr/platform/testing';
import { registeredUser } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

/**
 * The client address the login limit counts, over real connections from different loopback
 * addresses: 127.0.0.2 plays the ingress (TRUST_PROXY names it), 127.0.0.3 a client that reaches
 * the service directly and writes its own X-Forwarded-For.
 */
const INGRESS = '127.0.0.2';
const DIRECT_CLIENT = '127.0.0.3';
const PER_ADDRESS = 3;

describe('login limit per client address, behind a trusted proxy list', () => {
  let svc: UserServiceUnderTest;
  let buyer: { username: string; password: string };
  before(async () => {
    svc = await startUserServiceForTest({ TRUST_PROXY: INGRESS, LOGIN_MAX_ATTEMPTS_PER_IP: String(PER_ADDRESS) });
    const { username, password } = await registeredUser(svc.api);
    buyer = { username, password };
  });
  after(() => svc.stop());

  /** POST /v1/users/login over a connection opened from `localAddress`; resolves to the status. */
  const loginFrom = async (localAddress: string, forwardedFor?: string) =>
    (await requestFrom(localAddress, 'POST', `${svc.url}/v1/users/login`, { body: buyer, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} })).status;
  const times = async (n: number, send: () => Promise<number>) => {
    const statuses = [];
    for (let i = 0; i < n; i++) statuses.push(await send());
    return statuses;
  };

  it('buyers behind one ingress each get their own budget, from the X-Forwarded-For the ingress adds', async () => {
    const buyers = ['203.0.113.10', '203.0.113.11', '203.0.113.12', '203.0.113.13'];
    for (const address of buyers) {
      assert.deepEqual(await times(PER_ADDRESS, () => loginFrom(INGRESS, address)), Array(PER_ADDRESS).fill(200), address);
    }
    // Twelve logins through one proxy address, yet only a buyer over its own budget is refused.
    assert.equal(await loginFrom(INGRESS, buyers[0]), 429);
    assert.equal(await loginFrom(INGRESS, '203.0.113.14'), 200);
  });

  it('a client cannot pick its address through the ingress: only the hop the ingress saw counts', async () => {
    // The ingress appends the address it saw (198.51.100.7) to whatever the client claimed.
    let claimed = 0;
    const statuses = await times(PER_ADDRESS + 1, () => loginFrom(INGRESS, `192.0.2.${++claimed}, 198.51.100.7`));
    assert.deepEqual(statuses, [...Array(PER_ADDRESS).fill(200), 429]);
  });

  it('X-Forwarded-For from a peer that is not a trusted proxy is ignored: a new address each time does not reset its budget', async () => {
    let n = 0;
    const statuses = await times(PER_ADDRESS + 1, () => loginFrom(DIRECT_CLIENT, `192.0.2.${++n}`));
    assert.deepEqual(statuses, [...Array(PER_ADDRESS).fill(200), 429]);
  });
});
