import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface CurlExample {
  expect: number[];
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The `<!-- expect: … -->` + ```bash curl blocks of the README's account walkthrough. */
function walkthroughExamples(markdown: string): CurlExample[] {
  const section = markdown.split('## Walkthrough: accounts')[1]?.split('\n## ')[0];
  assert.ok(section, 'README has the accounts walkthrough');
  const examples: CurlExample[] = [];
  for (const m of section.matchAll(/<!-- expect: ([\d ]+) -->\s*```bash\n([\s\S]*?)```/g)) {
    examples.push({ expect: m[1].trim().split(/\s+/).map(Number), ...parseCurl(m[2]) });
  }
  return examples;
}

/** Enough of curl's command line for the documents' examples: -X, -H, -d, -s and a URL. */
function parseCurl(command: string): Omit<CurlExample, 'expect'> {
  const words = shellWords(command.replace(/\\\n/g, ' '));
  assert.equal(words.shift(), 'curl');
  const out: Omit<CurlExample, 'expect'> = { method: 'GET', url: '', headers: {} };
  while (words.length) {
    const word = words.shift()!;
    if (word === '-X') out.method = words.shift()!;
    else if (word === '-H') {
      const [name, ...value] = words.shift()!.split(':');
      out.headers[name.trim().toLowerCase()] = value.join(':').trim();
    } else if (word === '-d' || word === '--data') {
      out.body = words.shift()!;
      if (out.method === 'GET') out.method = 'POST';
    } else if (word === '-s') continue;
    else out.url = word;
  }
  return out;
}

function shellWords(text: string): string[] {
  const words: string[] = [];
  for (const m of text.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

describe('README walkthrough: accounts', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest();
    // What npm start loads before anyone follows the README.
    const demo = await import(pathToFileURL(join(ROOT, 'scripts', 'lib', 'demo-data.mjs')).href);
    await demo.loadDemoData({ urls: { user: svc.url }, log: () => undefined });
  });
  after(() => svc.stop());

  const examples = walkthroughExamples(README);

  it('has the register and login examples of sections 6.1 and 8.1', () => {
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
