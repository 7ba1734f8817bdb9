import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newUser, registeredUser } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

/**
 * Limits that stop guessing and floods without handing attackers a switch to lock others out.
 * Behind a trusted proxy (the tests connect over loopback, which TRUST_PROXY names), so each request
 * can come from an address of its own.
 */
describe('login and registration limits, by client address', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest({
      TRUST_PROXY: 'loopback',
      LOGIN_MAX_ATTEMPTS_PER_USERNAME: '5',
      LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '12',
      LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
      REGISTRATIONS_PER_IP: '3',
    });
  });
  after(() => svc.stop());

  const from = (address: string) => ({ 'x-forwarded-for': address });
  const login = (username: string, password: string, address: string) => svc.api.post('/v1/users/login', { body: { username, password }, headers: from(address) });

  it('guesses from one address lock the username there only: its owner still logs in from another', async () => {
    const owner = await registeredUser(svc.api);
    const guesses = [];
    for (let i = 0; i < 6; i++) guesses.push((await login(owner.username, 'WrongPass123!', '203.0.113.7')).status);
    assert.deepEqual(guesses, [401, 401, 401, 401, 401, 429]);
    const right = await login(owner.username, owner.password, '198.51.100.20');
    assert.equal(right.status, 200, right.text);
  });

  it('guesses spread over many addresses meet the slower limit for the account, right password or not', async () => {
    const owner = await registeredUser(svc.api); // its successful login cleared the account's count
    const statuses = [];
    for (let i = 1; i <= 12; i++) statuses.push((await login(owner.username, 'WrongPass123!', `192.0.2.${i}`)).status);
    assert.deepEqual(new Set(statuses), new Set([401]));
    const limited = await login(owner.username, owner.password, '192.0.2.200');
    assert.equal(limited.status, 429, limited.text);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  it('at most REGISTRATIONS_PER_IP sign-ups from one address per window, counted before the password is hashed', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await svc.api.post('/v1/users/register', { body: newUser(), headers: from('203.0.113.50') })).status);
    assert.deepEqual(statuses, [201, 201, 201, 429]);
    const elsewhere = await svc.api.post('/v1/users/register', { body: newUser(), headers: from('203.0.113.51') });
    assert.equal(elsewhere.status, 201, elsewhere.text);
  });
});
