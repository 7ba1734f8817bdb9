import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../src/deploy/registry';
import { Launcher, startLauncher } from '../src/launcher';

/** `npm start` itself (scripts/start.mjs), all six services on the test server's databases. */
describe('npm start supervises its services', () => {
  let launcher: Launcher;
  before(async () => {
    launcher = await startLauncher();
    await launcher.waitFor(/Press Ctrl-C to stop\./);
  });
  after(async () => {
    await launcher?.stop();
  });

  it("the banner names the demo buyers with the ids of the document's walkthrough (fresh databases: no warning)", () => {
    assert.match(launcher.output(), /alice_johnson \/ SecurePass123! \(buyer, user 5\), bob_smith \/ SecurePass123! \(second buyer, user 6\)/);
    assert.doesNotMatch(launcher.output(), /!! Demo data|Warning: {3}the document's walkthrough ids/);
  });

  it('a service killed with SIGKILL is restarted after a back-off, says so, and answers healthy again', async () => {
    const pid = launcher.servicePid('payment');
    assert.ok(pid, 'the payment process');
    process.kill(pid, 'SIGKILL');
    await launcher.waitFor(/payment stopped unexpectedly \(killed by SIGKILL\); restarting it in 1 s \(crash 1; gives up at 5 within 5 min\)\./);
    await launcher.waitFor(/payment is back: healthy again .* after its restart\./);
    const health = await fetch(`${launcher.urls.payment}/health`);
    assert.equal(health.status, 200);
    const again = launcher.servicePid('payment');
    assert.ok(again && again !== pid, 'a new payment process');
  });

  it('serves the API portal it names: the six services with links to their /docs, their documents, Swagger UI from node_modules', async () => {
    const port = new URL(launcher.portalUrl).port;
    assert.match(launcher.output(), new RegExp(`API docs: +http://localhost:${port} `));
    const page = await fetch(launcher.portalUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    for (const [name, url] of Object.entries(launcher.urls)) {
      assert.match(html, new RegExp(`<th scope="row">${name}</th>`), name);
      assert.ok(html.includes(`href="http://localhost:${new URL(url).port}/docs"`), `${name}: a link to its /docs`);
      const doc = await fetch(`${launcher.portalUrl}/openapi/${name}.json`);
      assert.equal(doc.status, 200, `${name} document`);
      const body = (await doc.json()) as { openapi: string; servers: { url: string }[] };
      assert.match(body.openapi, /^3\./);
      assert.deepEqual(body.servers.map((s) => s.url), [`http://localhost:${new URL(url).port}`], `${name}: its server is the service`);
    }
    assert.equal(Object.keys(launcher.urls).length, 6);
    // No CDN: every script and stylesheet the page loads comes from the portal itself.
    const assets = [...html.matchAll(/(?:src|href)="(\/[^"]*\.(?:js|css))"/g)].map((m) => m[1]);
    assert.ok(assets.includes('/assets/swagger-ui-bundle.js'), assets.join(', '));
    assert.doesNotMatch(html, /(?:src|href)="https?:\/\/(?!localhost)/);
    for (const asset of assets) assert.equal((await fetch(`${launcher.portalUrl}${asset}`)).status, 200, asset);
    const init = await (await fetch(`${launcher.portalUrl}/portal.js`)).text();
    for (const name of Object.keys(launcher.urls)) assert.ok(init.includes(`"/openapi/${name}.json"`), `${name} in the picker`);
    assert.match(init, /validatorUrl: null/, 'no call to the online validator');
  });

  it('Ctrl-C stops everything cleanly, with no restart during the shutdown', async () => {
    const before = launcher.output().length;
    launcher.process.kill('SIGINT');
    assert.equal(await launcher.exited, 0);
    const shutdown = launcher.output().slice(before);
    assert.match(shutdown, /SIGINT received, stopping/);
    assert.match(shutdown, /Stopped\./);
    assert.doesNotMatch(shutdown, /restarting|stopped unexpectedly/);
    for (const name of Object.keys(launcher.urls)) assert.equal(launcher.servicePid(name), undefined, `${name} still running`);
  });
});

describe('npm start gives up on a service that keeps crashing', () => {
  it('after the fifth crash within 5 minutes: a loud banner, every service stopped, exit code 1', async () => {
    const launcher = await startLauncher();
    try {
      await launcher.waitFor(/Press Ctrl-C to stop\./);
      for (let crash = 1; crash <= 4; crash++) {
        process.kill(launcher.servicePid('payment')!, 'SIGKILL');
        await launcher.waitFor(new RegExp(`payment stopped unexpectedly \\(killed by SIGKILL\\); restarting it in \\d+ s \\(crash ${crash};`));
        await launcher.waitFor(new RegExp(`(payment is back: [\\s\\S]*){${crash}}`));
      }
      process.kill(launcher.servicePid('payment')!, 'SIGKILL');
      assert.equal(await launcher.exited, 1);
      const output = launcher.output();
      assert.match(output, /!! GIVING UP ON PAYMENT: it crashed 5 times within 5 min \(last: killed by SIGKILL\)\.\n!! Stopping every service; npm start exits with code 1\./);
      assert.match(output, /Stopped\./);
      assert.deepEqual(['1 s', '2 s', '4 s', '8 s'], [...output.matchAll(/payment stopped unexpectedly \(killed by SIGKILL\); restarting it in (\d+ s)/g)].map((m) => m[1]));
      for (const name of Object.keys(launcher.urls)) assert.equal(launcher.servicePid(name), undefined, `${name} still running`);
    } finally {
      await launcher.stop();
    }
  });
});

describe('NODE_ENV=production npm start', () => {
  it('without secrets: exits 1 before starting anything, naming every missing setting', async () => {
    const launcher = await startLauncher({ NODE_ENV: 'production', SECRETS_FILE: '' });
    const code = await launcher.exited;
    await launcher.stop();
    assert.equal(code, 1, launcher.output());
    assert.match(launcher.output(), /NODE_ENV=production: JWT_SECRET, SERVICE_SECRET, CALLBACK_SECRET, TICKET_SIGNING_KEY, SMTP_URL are not set\./);
    assert.match(launcher.output(), /secrets\.env \(KEY=VALUE lines; another file with SECRETS_FILE=path\)/);
    assert.doesNotMatch(launcher.output(), /Starting|Stopping/);
  });

  it('with a secrets file: starts without demo data or SMTP sink, /docs off, /metrics on the service port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etsr-secrets-'));
    const file = join(dir, 'production.env');
    const secret = () => randomBytes(32).toString('base64url');
    writeFileSync(
      file,
      [
        '# production secrets',
        `JWT_SECRET=${secret()}`,
        `SERVICE_SECRET=${secret()}`,
        `CALLBACK_SECRET="${secret()}"`,
        `TICKET_SIGNING_KEY=${randomBytes(32).toString('hex')}`,
        `SMTP_URL=smtp://127.0.0.1:${await freePort()}`,
        'ADMIN_PASSWORD=Operator-chosen-Pass-42',
        '',
      ].join('\n'),
    );
    const launcher = await startLauncher({ NODE_ENV: 'production', SECRETS_FILE: file });
    try {
      await launcher.waitFor(/Press Ctrl-C to stop\./);
      const output = launcher.output();
      assert.match(output, /production: no demo data; administrator admin from ADMIN_PASSWORD/);
      assert.doesNotMatch(output, /Admin123!|alice_johnson|SMTP sink|\/inbox/);
      assert.match(output, /API docs: +off \(DOCS_ENABLED\)/);
      await assert.rejects(fetch(launcher.portalUrl), 'no API portal without docs');
      const root = await fetch(`${launcher.urls.user}/`, { redirect: 'manual' });
      assert.equal(root.status, 200, 'GET / does not send a browser to the 404 of /docs');
      assert.equal(((await root.json()) as { service: string }).service, 'user');
      const docs = await fetch(`${launcher.urls.user}/docs`);
      assert.equal(docs.status, 404);
      assert.equal(((await docs.json()) as { error: string }).error, 'NOT_FOUND');
      assert.equal((await fetch(`${launcher.urls.payment}/metrics`)).status, 200);
      assert.equal((await fetch(`${launcher.urls.notification}/inbox`)).status, 404);
      const login = (username: string, password: string) =>
        fetch(`${launcher.urls.user}/v1/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      assert.equal((await login('admin', 'Operator-chosen-Pass-42')).status, 200);
      assert.equal((await login('alice_johnson', 'SecurePass123!')).status, 401);
    } finally {
      assert.equal(await launcher.stop(), 0, launcher.output());
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
