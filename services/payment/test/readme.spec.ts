import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { curlExamples, substitute } from '@etsr/platform/testing';
import { PaymentServiceUnderTest, startPaymentForTest, userToken } from './harness';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README walkthrough: payments', () => {
  let svc: PaymentServiceUnderTest;
  const vars: Record<string, string> = { JWT_TOKEN: userToken(2), ORDER_ID: randomUUID() };
  before(async () => {
    svc = await startPaymentForTest();
    svc.orders.addOrder({ orderId: 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3', totalCents: 45000, userId: 2 });
    svc.orders.addOrder({ orderId: vars.ORDER_ID, totalCents: 45000, userId: 2 });
  });
  after(() => svc.stop());

  const examples = curlExamples(README, '## Walkthrough');
  const answers: string[] = [];

  it('has the charge, repeat, read, walkthrough and refund examples', () => {
    assert.equal(examples.length, 6);
    assert.ok(examples.every((e) => e.url.startsWith('http://localhost:4004/v1/')));
  });

  for (const [i, example] of examples.entries()) {
    it(`example ${i + 1}: ${example.method} ${new URL(example.url).pathname} answers ${example.expect.join(' or ')}`, async () => {
      const url = substitute(example.url, vars).replace('http://localhost:4004', svc.url);
      const headers = Object.fromEntries(Object.entries(example.headers).map(([k, v]) => [k, substitute(v, vars)]));
      const res = await fetch(url, { method: example.method, headers, body: example.body === undefined ? undefined : substitute(example.body, vars) });
      const text = await res.text();
      answers[i] = text;
      assert.ok(example.expect.includes(res.status), `${res.status} ${text}`);
      if (i === 0) vars.PAYMENT_ID = (JSON.parse(text) as { payment_id: string }).payment_id;
      if (i === 1) assert.equal(text, answers[0], 'the repeat is answered with the same bytes');
      if (i === 4) assert.equal(text, answers[3], 'the walkthrough repeat is answered with the same bytes');
    });
  }

  it('made two payments and sent their callbacks', async () => {
    const [{ n }] = await svc.sql<{ n: number }>(`SELECT count(*)::int AS n FROM payments`);
    assert.equal(n, 2);
    await svc.orders.waitFor(() => svc.orders.delivered().length === 3, 'SUCCESS, SUCCESS and REFUNDED callbacks');
  });
});
