import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@etsr/platform/testing';
import { chargeBody, newKey } from './factories';
import { PaymentServiceUnderTest, startPaymentForTest, userToken } from './harness';
import { StatementLog, recordStatements } from './statements';

const describeLog = (log: StatementLog) => log.statements.map((s) => `  [${s.connection}] ${s.sql.replace(/\s+/g, ' ').slice(0, 140)}`).join('\n');

describe('the database work of a charge', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    // No background polling during the recordings: only the charge's own statements are seen.
    svc = await startPaymentForTest({ OUTBOX_POLL_INTERVAL_MS: '600000', PAYMENT_RECOVERY_INTERVAL_MS: '600000' });
  });
  after(() => svc.stop());

  const charge = (body: unknown, key: string, token?: string) => svc.api.post('/v1/charge', { body, token, headers: { 'Idempotency-Key': key } });
  const callbackSent = (paymentId: string) =>
    eventually(async () => ((await svc.sql(`SELECT 1 FROM outbox WHERE status = 'SENT' AND payload->'callback'->>'payment_id' = $1`, [paymentId])).length ? true : undefined));

  it('a first charge, its callback included, commits at most 4 times', async () => {
    const order = svc.orders.addOrder();
    let paymentId = '';
    const log = await recordStatements(async () => {
      const res = await charge(chargeBody(order), newKey());
      assert.equal(res.status, 201, res.text);
      paymentId = res.body.payment_id;
      // Until the callback is delivered and its outbox row marked SENT.
      await callbackSent(paymentId);
    });
    assert.equal(svc.orders.delivered(paymentId).length, 1);
    assert.ok(log.commits <= 4, `${log.commits} commits (${log.inserts} inserts, ${log.updates} updates):\n${describeLog(log)}`);
    if (process.env.SHOW_STATEMENTS) console.log(`${log.commits} commits, ${log.inserts} inserts, ${log.updates} updates\n${describeLog(log)}`);
  });

  it('a replay is answered from the key store: one read, nothing written, no call to the order service', async () => {
    const order = svc.orders.addOrder({ userId: 31 });
    const key = newKey();
    const first = await charge(chargeBody(order), key, userToken(31));
    assert.equal(first.status, 201, first.text);
    await callbackSent(first.body.payment_id);
    for (const body of [chargeBody(order), { ...chargeBody(order), payment_method: undefined }]) {
      const reads = svc.orders.orderReads.length;
      const log = await recordStatements(async () => {
        const again = await charge(body, key, userToken(31));
        assert.equal(again.status, 201, again.text);
        assert.equal(again.text, first.text);
        assert.equal(again.headers.get('idempotent-replayed'), 'true');
      });
      assert.equal(svc.orders.orderReads.length, reads, 'the order service was not asked');
      assert.equal(log.inserts + log.updates, 0, describeLog(log));
      assert.ok(!log.statements.some((s) => /^(DELETE|BEGIN|START)/i.test(s.sql)), describeLog(log));
      assert.equal(log.statements.length, 1, describeLog(log));
    }
  });

  it("a replay with another user's token is still 403 (the owner is known from the key store)", async () => {
    const order = svc.orders.addOrder({ userId: 32 });
    const key = newKey();
    assert.equal((await charge(chargeBody(order), key)).status, 201);
    const reads = svc.orders.orderReads.length;
    const res = await charge(chargeBody(order), key, userToken(33));
    assert.equal(res.status, 403, res.text);
    assert.equal(svc.orders.orderReads.length, reads);
    assert.equal((await charge(chargeBody(order), key, userToken(32))).status, 201);
  });
});
