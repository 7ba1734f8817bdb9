import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDatabase, createTestDatabase, exitCode, startEntryPoint } from '@etsr/platform/testing';

const MAIN = join(__dirname, '..', 'src', 'main.js');

const startProcess = (env: Record<string, string>) => startEntryPoint(MAIN, env);

describe('the catalog service as a process', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('catalogproc');
  });
  after(() => db.drop());

  for (const [variable, value] of [
    ['SEATING_URL', 'seating:8082'],
    ['AVAILABILITY_SYNC_INTERVAL_MS', 'often'],
    ['AVAILABILITY_SYNC_INTERVAL_MS', '0'],
    ['AVAILABILITY_FULL_SYNC_EVERY', '0'],
  ]) {
    it(`refuses to start on ${variable}=${value}, naming the variable`, async () => {
      const { child, output } = startProcess({ PORT: '0', DATABASE_URL: db.url, [variable]: value });
      assert.equal(await exitCode(child), 1);
      assert.match(output(), new RegExp(variable));
      assert.match(output(), /"level":"FATAL","service":"catalog"/);
    });
  }

  it('starts, answers the walkthrough browse request with a garbage token, logs JSON lines, and stops cleanly on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const { child, output } = startProcess({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, LOG_LEVEL: 'info', SEATING_URL: '' });
    try {
      const deadline = Date.now() + 30000;
      while (!/Service started/.test(output())) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`service did not start:\n${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const res = await fetch(`http://127.0.0.1:${port}/v1/events/search?city=New%20York&status=UPCOMING`, { headers: { authorization: 'Bearer expired.or.garbage' } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { events: [], total_count: 0, filters_applied: { city: 'New York', status: 'UPCOMING' }, page: 1, limit: 20 });
      await new Promise((r) => setTimeout(r, 200));
      const lines = output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      for (const line of lines) assert.equal(line.service, 'catalog');
      assert.ok(lines.some((l) => l.message === 'request completed' && l.status === 200 && typeof l.traceId === 'string'));
      assert.ok(lines.some((l) => /Availability sync is off/.test(l.message)));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exitCode(child, 10000), 0);
  });
});
