import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { curlExamples } from '@etsr/platform/testing';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README walkthrough: accounts', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest();
    // What npm start loads before anyone follows the README.
    const demo = await import(pathToFileURL(join(ROOT, 'scripts', 'lib', 'demo-data.mjs')).href);
    await demo.loadDemoData({ urls: { user: svc.url }, log: () => undefined });
  });
  after(() => svc.stop());

  const examples = curlExamples(README, '## Walkthrough: accounts');

  it('has the register and login examples of the walkthrough', () => {
    assert.equal(examples.length, 4);
    assert.ok(examples.every((e) => e.url.startsWith('http://localhost:8081/v1/users/')));
  });

  for (const [i, example] of examples.entries()) {
    it(`example ${i + 1}: ${example.method} ${new URL(example.url).pathname} answers ${example.expect.join(' or ')}`, async () => {
      const url = example.url.replace('http://localhost:8081', svc.url);
      const res = await fetch(url, { method: example.method, headers: example.headers, body: example.body });
      const body = (await res.json()) as Record<string, unknown>;
      assert.ok(example.expect.includes(res.status), `${res.status} ${JSON.stringify(body)}`);
      if (example.url.endsWith('/login')) {
        assert.equal(body.tokenType, 'Bearer');
        assert.equal(body.expiresIn, 3600);
      } else {
        assert.equal(body.accountStatus, 'ACTIVE');
        assert.equal(body.username, (JSON.parse(example.body!) as { username: string }).username);
      }
    });
  }
});
