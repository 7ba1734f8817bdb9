import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDatabase, createTestDatabase, exitCode, startEntryPoint } from '@etsr/platform/testing';
import { DEV_CALLBACK_SECRET } from '../src/config';

const MAIN = join(__dirname, '..', 'src', 'main.js');

const startProcess = (env: Record<string, string>) => startEntryPoint(MAIN, env);

const strong = (c: string) => c.repeat(40);

describe('the payment service as a process', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('paymentproc');
  });
  after(() => db.drop());

  it('refuses to start in production with the development CALLBACK_SECRET', async () => {
    const { child, output } = startProcess({
      NODE_ENV: 'production',
      PORT: '0',
      DATABASE_URL: db.url,
      ORDER_URL: 'http://127.0.0.1:4003',
      JWT_SECRET: strong('j'),
      SERVICE_SECRET: strong('s'),
    });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /CALLBACK_SECRET is the development default/);
    assert.doesNotMatch(output(), /JWT_SECRET is the development default/);
    assert.doesNotMatch(output(), new RegExp(DEV_CALLBACK_SECRET), 'the secret itself is not echoed');
    assert.match(output(), /"level":"FATAL","service":"payment"/);
  });

  it('refuses a short CALLBACK_SECRET in production', async () => {
    const { child, output } = startProcess({
      NODE_ENV: 'production',
      PORT: '0',
      DATABASE_URL: db.url,
      ORDER_URL: 'http://127.0.0.1:4003',
      JWT_SECRET: strong('j'),
      SERVICE_SECRET: strong('s'),
      CALLBACK_SECRET: 'only-twenty-chars-xx',
    });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /CALLBACK_SECRET must be at least 32 characters/);
  });

  for (const [variable, value] of [
    ['ORDER_URL', ''],
    ['ORDER_URL', 'order:4003'],
    ['GATEWAY_LATENCY_MS', 'fast'],
    ['PAYMENT_RECOVERY_INTERVAL_MS', '0'],
    ['PAYMENT_RECOVERY_AFTER_SECONDS', '-1'],
    ['CALLBACK_SECRET', 'short'],
    ['PAYMENT_RECOVERY_AFTER_SECONDS', '1'], // with GATEWAY_LATENCY_MS=5000: a charge in flight would look abandoned
  ]) {
    it(`refuses to start on ${variable}=${JSON.stringify(value)}, naming the variable`, async () => {
      const { child, output } = startProcess({ PORT: '0', DATABASE_URL: db.url, ORDER_URL: 'http://127.0.0.1:4003', GATEWAY_LATENCY_MS: '5000', [variable]: value });
      assert.equal(await exitCode(child), 1);
      assert.match(output(), new RegExp(variable));
    });
  }

  it('starts in production with real secrets, answers health, logs JSON lines, and stops cleanly on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const { child, output } = startProcess({
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      ORDER_URL: 'http://127.0.0.1:4003',
      JWT_SECRET: strong('j'),
      SERVICE_SECRET: strong('s'),
      CALLBACK_SECRET: strong('c'),
      LOG_LEVEL: 'info',
    });
    try {
      const deadline = Date.now() + 30000;
      while (!/Service started/.test(output())) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`service did not start:\n${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(res.status, 200);
      const lines = output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(lines.every((l) => l.service === 'payment' && l.level));
      assert.ok(lines.some((l) => /simulated payment gateway/.test(String(l.message))), 'warns that the gateway is simulated');
      assert.ok(!output().includes(strong('c')), 'the callback secret never reaches the log');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exitCode(child, 10000), 0);
  });
});
