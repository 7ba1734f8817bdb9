import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newKey, orderBody } from './factories';
import { OrderServiceUnderTest, startOrderForTest, userToken } from './harness';

describe('placing orders in an on-sale rush (ORDER_CREATE_CONCURRENCY, ORDER_CREATE_QUEUE_LIMIT)', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest({ ORDER_CREATE_CONCURRENCY: '2', ORDER_CREATE_QUEUE_LIMIT: '3' });
  });
  after(() => svc.stop());

  it('places two at a time, keeps three in line, refuses the rest at once with 503 BUSY and Retry-After; the same request sent again is placed', async () => {
    // Seating answers slowly, so that the ten requests below all arrive while the first two are being placed.
    svc.seating.breakRoute('reservation', { kind: 'delay', ms: 300 });
    const orders = Array.from({ length: 10 }, () => ({ reservation: svc.seating.addReservation(), key: newKey() }));
    const place = (o: (typeof orders)[number]) =>
      svc.api.post('/v1/orders', { token: userToken(2), body: orderBody(o.reservation), headers: { 'Idempotency-Key': o.key } });
    const answers = await Promise.all(orders.map(place));

    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 201, 201, 201, 201, 503, 503, 503, 503, 503]);
    for (const busy of answers.filter((a) => a.status === 503)) {
      assert.equal(busy.body.error, 'BUSY');
      assert.equal(busy.headers.get('retry-after'), '1');
      assert.match(busy.body.message, /send the same request again/);
    }
    // At most two were asking seating at any moment.
    const asked = svc.seating.requests.filter((r) => r.route === 'reservation').map((r) => r.at).sort((a, b) => a - b);
    assert.equal(asked.length, 5);
    assert.ok(asked[2] - asked[0] >= 250, `the third placement started ${asked[2] - asked[0]} ms after the first`);

    svc.seating.restore('reservation');
    const refused = orders.filter((_, i) => answers[i].status === 503);
    const again = await Promise.all(refused.map(place));
    assert.deepEqual(again.map((a) => a.status), [201, 201, 201, 201, 201]);
  });
});
