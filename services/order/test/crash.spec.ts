import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDatabase, call, createTestDatabase, eventually, freePort } from '@etsr/platform/testing';
import { stableUuid } from '../src/stable-uuid';
import { FakeCatalog } from './fake-catalog';
import { FakeNotification } from './fake-notification';
import { FakePayment } from './fake-payment';
import { FakeSeating } from './fake-seating';
import { newKey, orderBody } from './factories';
import { CALLBACK_SECRET, TICKET_SIGNING_KEY, query, userToken } from './harness';

const MAIN = join(__dirname, '..', 'src', 'main.js');

/**
 * The crash drill: two replicas of the order service as processes on one database, one killed
 * (SIGKILL: no shutdown hook runs) while a POST /v1/orders waits for seating to tie the hold; the
 * buyer's retry reaches the other replica (as behind a Kubernetes Service), and the killed one is
 * started again.
 */
describe('the order service killed in the middle of POST /v1/orders', () => {
  let db: TestDatabase;
  const seating = new FakeSeating();
  const peers = [seating, new FakePayment(), new FakeNotification(), new FakeCatalog()] as const;
  let child: ChildProcess | undefined;
  let replicaB: ChildProcess | undefined;

  before(async () => {
    await Promise.all(peers.map((p) => p.start()));
    db = await createTestDatabase('ordercrash');
  });
  after(async () => {
    for (const proc of [child, replicaB]) if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await Promise.all(peers.map((p) => p.stop()));
    await db.drop();
  });

  async function startService(port: number): Promise<ChildProcess> {
    const [payment, notification, catalog] = peers.slice(1);
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      SEATING_URL: seating.url,
      PAYMENT_URL: payment.url,
      NOTIFICATION_URL: notification.url,
      CATALOG_URL: catalog.url,
      CALLBACK_SECRET,
      TICKET_SIGNING_KEY,
      // Seating's tie is delayed past any default timeout below: the kill must land while it waits.
      HTTP_CLIENT_TIMEOUT_MS: '30000',
    };
    const proc = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (c) => (out += c));
    proc.stderr!.on('data', (c) => (out += c));
    await eventually(
      async () => {
        if (proc.exitCode !== null) throw new Error(`the order service exited:\n${out}`);
        return (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200).catch(() => false)) || undefined;
      },
      30_000,
      () => `the order service to start:\n${out}`,
    );
    return proc;
  }

  it('a retry with the same Idempotency-Key, on another replica or the restarted one, gets 201 within seconds, and no hold is ever tied to an order that does not exist', async (t) => {
    const [portA, portB] = [await freePort(), await freePort()];
    [child, replicaB] = await Promise.all([startService(portA), startService(portB)]);
    const urlA = `http://127.0.0.1:${portA}/v1/orders`;
    const urlB = `http://127.0.0.1:${portB}/v1/orders`;
    const reservation = seating.addReservation();
    const key = newKey('crash');
    const request = { token: userToken(2), headers: { 'idempotency-key': key }, body: orderBody(reservation) };
    const orderId = stableUuid(`user:2:${key}`);

    seating.faultNext('holdForOrder', { kind: 'delay', ms: 1500 });
    const inFlight = call('POST', urlA, request).catch((e: unknown) => e);
    await eventually(async () => (seating.calls('holdForOrder').length === 1 ? true : undefined), 10_000, 'the order service to ask seating to tie the hold');
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await once(child, 'exit');
    assert.ok((await inFlight) instanceof Error, 'the buyer never got an answer');

    // The buyer retries at once, through the Service, reaching the other replica.
    const answers: string[] = [];
    let created: { status: number; body: any; text: string; headers: Headers } | undefined;
    while (Date.now() - killedAt < 20_000) {
      const res = await call('POST', urlB, request);
      answers.push(`${res.status} ${res.body?.error ?? ''} ${res.headers.get('retry-after') ?? ''}`.trim());
      if (res.status === 201) {
        created = res;
        break;
      }
      // The dead request's lease has not lapsed yet: told when to come back.
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.error, 'REQUEST_IN_PROGRESS');
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After: ${res.headers.get('retry-after')}`);
      await new Promise((r) => setTimeout(r, retryAfter * 1000));
    }
    const seconds = (Date.now() - killedAt) / 1000;
    t.diagnostic(`after the kill, on the other replica: ${answers.join(', ')}; 201 ${seconds.toFixed(1)} s after the kill`);
    assert.ok(created, `no 201 within 20 s of the kill: ${answers.join(', ')}`);
    assert.ok(seconds < 10, `201 after ${seconds} s (${answers.join(', ')})`);
    assert.equal(created.body.orderId, orderId);
    assert.equal(created.body.status, 'PENDING');
    assert.equal(created.body.totalCents, 33000);

    // Seating tied the hold to the order the dead request stored first: never to an order that does not exist.
    await eventually(async () => (seating.ofOrder(orderId) ? true : undefined), 10_000, 'seating to tie the hold');
    const existing = async () => new Set((await query<{ id: string }>(db.url, `SELECT id FROM orders`)).map((r) => r.id));
    const tiedToNothing = async () => {
      const orders = await existing();
      return [...seating.reservations.values()].filter((r) => r.orderId && r.status !== 'RELEASED' && !orders.has(r.orderId)).map((r) => r.orderId);
    };
    assert.deepEqual(await tiedToNothing(), [], 'a hold is tied to an order id that was never stored');
    assert.equal(Date.parse(created.body.holdExpiresAt), Date.parse(seating.ofOrder(orderId)!.expiresAt), "the order keeps seating's expiry of the hold");
    assert.equal((await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM orders WHERE reservation_id = $1`, [reservation.reservationId]))[0].n, 1);

    // The killed replica, started again, answers a repeat from the store: the same bytes.
    child = await startService(portA);
    const again = await call('POST', urlA, request);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.text, created.text);

    for (const proc of [child, replicaB]) {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    }
  });
});
