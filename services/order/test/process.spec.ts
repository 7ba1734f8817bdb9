import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDatabase, createTestDatabase, exitCode, freePort, startEntryPoint } from '@etsr/platform/testing';
import { DEV_CALLBACK_SECRET, DEV_TICKET_SIGNING_KEY } from '../src/config';

const MAIN = join(__dirname, '..', 'src', 'main.js');

const startProcess = (env: Record<string, string>) => startEntryPoint(MAIN, env);

const strong = (c: string) => c.repeat(40);
/** Peers nobody listens on: the service calls none of them to start. */
const PEERS = { SEATING_URL: 'http://127.0.0.1:8082', PAYMENT_URL: 'http://127.0.0.1:4004' };
const PRODUCTION = { NODE_ENV: 'production', PORT: '0', ...PEERS, JWT_SECRET: strong('j'), SERVICE_SECRET: strong('s') };

describe('the order service as a process', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('orderproc');
  });
  after(() => db.drop());

  it('refuses to start in production with the development CALLBACK_SECRET or TICKET_SIGNING_KEY, naming them and echoing neither', async () => {
    const { child, output } = startProcess({ ...PRODUCTION, DATABASE_URL: db.url });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /CALLBACK_SECRET is the development default/);
    assert.match(output(), /TICKET_SIGNING_KEY is the development default/);
    assert.doesNotMatch(output(), /JWT_SECRET is the development default/);
    assert.ok(!output().includes(DEV_CALLBACK_SECRET), 'the callback secret is not echoed');
    assert.ok(!output().includes(DEV_TICKET_SIGNING_KEY), 'the signing key is not echoed');
    assert.match(output(), /"level":"FATAL","service":"order"/);
  });

  it('refuses a short CALLBACK_SECRET and a placeholder TICKET_SIGNING_KEY in production', async () => {
    const { child, output } = startProcess({
      ...PRODUCTION,
      DATABASE_URL: db.url,
      CALLBACK_SECRET: 'only-twenty-chars-xx',
      TICKET_SIGNING_KEY: 'CHANGE_ME-generate-with-openssl-genpkey-ed25519',
    });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /CALLBACK_SECRET must be at least 32 characters/);
    assert.match(output(), /TICKET_SIGNING_KEY is a placeholder/);
  });

  for (const [variable, value] of [
    ['SEATING_URL', undefined],
    ['PAYMENT_URL', 'payment:4004'],
    ['TAX_PERCENT', '101'],
    ['TICKET_SIGNING_KEY', 'short'],
  ] as const) {
    it(`refuses to start on ${variable}=${JSON.stringify(value ?? null)}, naming the variable`, async () => {
      const env: Record<string, string> = { PORT: '0', DATABASE_URL: db.url, ...PEERS, ...(value === undefined ? {} : { [variable]: value }) };
      if (value === undefined) delete env[variable];
      const { child, output } = startProcess(env);
      assert.equal(await exitCode(child), 1);
      assert.match(output(), new RegExp(`- ${variable}: `));
      assert.match(output(), /"level":"FATAL","service":"order"/);
    });
  }

  it('names every invalid variable at once', async () => {
    const bad = {
      NOTIFICATION_URL: 'mail',
      CATALOG_URL: 'ftp://catalog',
      CURRENCY: 'inr',
      ORDER_HOLD_SECONDS: '-1',
      RECONCILE_INTERVAL_MS: '50',
      RECONCILE_AFTER_SECONDS: '0',
      OUTBOX_POLL_INTERVAL_MS: '10',
      CALLBACK_SECRET: 'short',
    };
    const { child, output } = startProcess({ PORT: '0', DATABASE_URL: db.url, ...PEERS, ...bad });
    assert.equal(await exitCode(child), 1);
    for (const variable of Object.keys(bad)) assert.match(output(), new RegExp(`- ${variable}: `), variable);
    assert.ok(!output().includes('"short"'), 'a secret is not quoted back');
  });

  it('starts in production with real secrets and a PEM ticket key, answers health, logs JSON lines without secrets, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { child, output } = startProcess({
      ...PRODUCTION,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      CALLBACK_SECRET: strong('c'),
      TICKET_SIGNING_KEY: pem,
      LOG_LEVEL: 'info',
    });
    try {
      const deadline = Date.now() + 30000;
      while (!/Service started/.test(output())) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`service did not start:\n${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(health.status, 200);
      const published = (await (await fetch(`http://127.0.0.1:${port}/v1/tickets/public-key`)).json()) as { publicKeyPem: string };
      assert.equal(published.publicKeyPem, createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString(), 'tickets are signed with the PEM key');
      const lines = output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(lines.length > 0);
      assert.ok(lines.every((l) => l.service === 'order' && l.level));
      assert.ok(!output().includes(strong('c')), 'the callback secret never reaches the log');
      assert.ok(!output().includes(pem.split('\n')[1]), 'nor the signing key');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exitCode(child, 10000), 0);
  });
});
