import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

const ROOT = join(__dirname, '..', '..', '..', '..');

interface DemoContext {
  userIds: Record<string, number>;
  warnings: string[];
}
const loadDemo = async (url: string, log: (line: string) => void = () => undefined): Promise<DemoContext> => {
  const demo = await import(pathToFileURL(join(ROOT, 'scripts', 'lib', 'demo-data.mjs')).href);
  return demo.loadDemoData({ urls: { user: url }, log });
};

/**
 * The demo accounts npm start registers: in a fixed order, so that on a fresh database
 * alice_johnson is user 5 and bob_smith user 6, as the architecture document's walkthrough has
 * them; on a database that was not fresh the loader says so loudly instead of failing.
 */
describe('demo accounts', () => {
  const services: UserServiceUnderTest[] = [];
  after(() => Promise.all(services.map((s) => s.stop())));
  const start = async () => {
    const svc = await startUserServiceForTest();
    services.push(svc);
    return svc;
  };

  it('on a fresh database: admin 1, alice_johnson 5, bob_smith 6; loading again changes nothing', async () => {
    const svc = await start();
    const lines: string[] = [];
    const first = await loadDemo(svc.url, (line) => lines.push(line));
    assert.deepEqual(first.userIds, { admin: 1, buyer: 5, buyer2: 6 });
    assert.deepEqual(first.warnings, []);
    assert.match(lines.join('\n'), /registered testuser \(user 2\), maria_garcia \(user 3\), david_lee \(user 4\), alice_johnson \(user 5\), bob_smith \(user 6\)/);
    const again = await loadDemo(svc.url);
    assert.deepEqual(again.userIds, first.userIds);
    assert.deepEqual(again.warnings, []);
  });

  it('on a database that was not fresh: the ids that differ are said loudly, with what to do, and loading goes on', async () => {
    const svc = await start();
    const early = await svc.api.post('/v1/users/register', {
      body: { username: 'early_bird', email: 'early@example.com', password: 'SecurePass123!', firstName: 'Early', lastName: 'Bird' },
    });
    assert.equal(early.status, 201, early.text);
    const lines: string[] = [];
    const context = await loadDemo(svc.url, (line) => lines.push(line));
    assert.deepEqual(context.userIds, { admin: 1, buyer: 6, buyer2: 7 });
    assert.deepEqual(context.warnings, ['alice_johnson is user 6, not 5', 'bob_smith is user 7, not 6']);
    const said = lines.join('\n');
    assert.match(said, /!! Demo data: the document's walkthrough will not work as printed on this database/);
    assert.match(said, /The database was not fresh/);
    assert.match(said, /delete \.data\//);
  });
});
