import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { preferredWait } from '@etsr/platform';
import { callbackBody, createOrder, newPaymentId } from './factories';
import { OrderServiceUnderTest, startOrderForTest, userToken } from './harness';

describe('waiting for an order to change (If-None-Match + Prefer: wait)', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest();
  });
  after(() => svc.stop());

  const read = (orderId: string, headers: Record<string, string> = {}) => svc.api.get(`/v1/orders/${orderId}`, { token: userToken(2), headers });

  it('answers with an ETag, and 304 for the version the client has', async () => {
    const { order } = await createOrder(svc);
    const first = await read(order.orderId);
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^W\/"PENDING-\d+"$/);
    const again = await read(order.orderId, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
  });

  it('holds the request until the payment settles, then answers with the new status', async () => {
    const { order } = await createOrder(svc);
    const etag = (await read(order.orderId)).headers.get('etag')!;
    const waiting = read(order.orderId, { 'if-none-match': etag, prefer: 'wait=20' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await svc.callback(callbackBody(order.orderId, newPaymentId(), 'SUCCESS'))).status, 200);
    const res = await waiting;
    assert.equal(res.status, 200, res.text);
    assert.notEqual(res.body.status, 'PENDING');
    assert.notEqual(res.headers.get('etag'), etag);
    assert.equal(res.headers.get('preference-applied'), 'wait=20');
  });

  it('answers 304 when nothing changed within the wait', async () => {
    const { order } = await createOrder(svc);
    const etag = (await read(order.orderId)).headers.get('etag')!;
    const res = await read(order.orderId, { 'if-none-match': etag, prefer: 'wait=1' });
    assert.equal(res.status, 304);
    assert.equal(res.headers.get('preference-applied'), 'wait=1');
  });

  it('still checks ownership before waiting', async () => {
    const { order } = await createOrder(svc);
    const res = await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(999), headers: { 'if-none-match': 'x', prefer: 'wait=5' } });
    assert.equal(res.status, 403);
  });

  it('reads Prefer: wait=N as RFC 7240 writes it, capped at 25 s', () => {
    assert.equal(preferredWait('wait=10'), 10);
    assert.equal(preferredWait('respond-async, wait=3'), 3);
    assert.equal(preferredWait('wait=600'), 25);
    assert.equal(preferredWait('wait=abc'), 0);
    assert.equal(preferredWait('handling=lenient'), 0);
    assert.equal(preferredWait(undefined), 0);
  });
});
