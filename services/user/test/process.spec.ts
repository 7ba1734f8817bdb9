import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDatabase, createTestDatabase, exitCode, startEntryPoint } from '@etsr/platform/testing';

const MAIN = join(__dirname, '..', 'src', 'main.js');

const startProcess = (env: Record<string, string>) => startEntryPoint(MAIN, env);

describe('the user service as a process', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('userproc');
  });
  after(() => db.drop());

  it('refuses to start on an invalid setting, naming the variable', async () => {
    const { child, output } = startProcess({ PORT: 'eighty', DATABASE_URL: db.url });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /PORT/);
    assert.match(output(), /"level":"FATAL"/);
  });

  it('refuses to start in production on development secrets', async () => {
    const { child, output } = startProcess({ NODE_ENV: 'production', PORT: '0', DATABASE_URL: db.url });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /JWT_SECRET is the development default/);
    assert.match(output(), /SERVICE_SECRET is the development default/);
  });

  it('logs JSON lines with the trace id of the request, and stops cleanly on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const { child, output } = startProcess({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, LOG_LEVEL: 'info' });
    try {
      const deadline = Date.now() + 30000;
      while (!/Service started/.test(output())) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`service did not start:\n${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const traceId = 'abcdef0123456789abcdef0123456789';
      const res = await fetch(`http://127.0.0.1:${port}/v1/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-0123456789abcdef-01` },
        body: JSON.stringify({ username: 'nobody', password: 'Wrong1234' }),
      });
      assert.equal(res.status, 401);
      await new Promise((r) => setTimeout(r, 200));
      const lines = output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      assert.ok(lines.length > 0);
      for (const line of lines) {
        assert.equal(line.service, 'user');
        assert.ok(line.level && line.time && line.message !== undefined, JSON.stringify(line));
      }
      const traced = lines.filter((l) => l.traceId === traceId);
      assert.ok(traced.some((l) => l.message === 'request completed' && l.status === 401), 'request log line carries the trace id');
      // The address the per-address limits count (TRUST_PROXY unset: the peer's own).
      assert.ok(traced.some((l) => l.message === 'request completed' && l.clientIp === '127.0.0.1'), 'request log line carries the client address');
      assert.ok(!output().includes('Wrong1234'), 'passwords never reach the log');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exitCode(child, 10000), 0);
  });
});
