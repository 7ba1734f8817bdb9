import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../src/deploy/registry';
import { Client } from 'pg';
import { Launcher, launcherTag, startLauncher } from '../src/launcher';

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

describe('npm start -- --fresh', () => {
  const tag = launcherTag();
  const register = (launcher: Launcher) =>
    fetch(`${launcher.urls.user}/v1/users/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'fresh_probe', email: 'fresh_probe@example.com', password: 'FreshProbe123!', firstName: 'Fresh', lastName: 'Probe' }),
    });
  const login = (launcher: Launcher, username: string, password: string) =>
    fetch(`${launcher.urls.user}/v1/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

  it('drops every service database and starts on empty ones, demo data loaded again', async () => {
    const first = await startLauncher({}, { tag });
    try {
      await first.waitFor(/Press Ctrl-C to stop\./);
      assert.equal((await register(first)).status, 201);
    } finally {
      first.process.kill('SIGINT'); // not stop(): that would drop the databases itself
      assert.equal(await first.exited, 0, first.output());
    }
    const again = await startLauncher({}, { tag, args: ['--fresh'] });
    try {
      await again.waitFor(/Press Ctrl-C to stop\./);
      const names = ['userdb', 'seatingdb', 'catalogdb', 'orderdb', 'paymentsdb', 'notificationdb'].map((db) => `launcher_${tag}_${db}`);
      const line = /--fresh: dropped databases (.*); every service starts on an empty one\./.exec(again.output());
      assert.ok(line, again.output());
      assert.deepEqual(line[1].split(', ').sort(), names.sort());
      assert.equal((await login(again, 'fresh_probe', 'FreshProbe123!')).status, 401, 'the account of the first run is gone');
      assert.equal((await login(again, 'alice_johnson', 'SecurePass123!')).status, 200, 'the demo data is back');
      assert.equal((await register(again)).status, 201, 'a new registration, not a repeat of an existing one');
    } finally {
      assert.equal(await again.stop(), 0, again.output());
    }
  });

  it('refuses, dropping nothing, when a database is in use, in production, and on an unknown argument', async () => {
    const server = new URL(process.env.TEST_DATABASE_URL!);
    const busyTag = launcherTag();
    const admin = new Client({ connectionString: server.toString() });
    await admin.connect();
    const busy = new URL(server);
    busy.pathname = `/launcher_${busyTag}_paymentsdb`;
    // Two databases of that launcher exist; a session holds one of them.
    const idle = `launcher_${busyTag}_userdb`;
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(busy.pathname.slice(1))}`);
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(idle)}`);
    const session = new Client({ connectionString: busy.toString() });
    await session.connect();
    let inUse: Launcher | undefined;
    try {
      inUse = await startLauncher({}, { tag: busyTag, args: ['--fresh'] });
      assert.equal(await inUse.exited, 1, inUse.output());
      assert.match(inUse.output(), new RegExp(`--fresh: launcher_${busyTag}_paymentsdb \\(1 session\\) on .* in use; nothing dropped\\. Stop what uses it \\(another npm start\\? a psql session\\?\\) and run again\\.`));
      assert.doesNotMatch(inUse.output(), /Ready in/);
      const { rows } = await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname', [`launcher_${busyTag}_%`]);
      assert.deepEqual(rows.map((r) => r.datname), [busy.pathname.slice(1), idle], 'both still there (none dropped), and no other created');
    } finally {
      await session.end();
      await admin.end();
      await inUse?.stop(); // drops its databases, the one that was in use included
    }

    const production = await startLauncher({ NODE_ENV: 'production' }, { args: ['--fresh'] });
    assert.equal(await production.exited, 1);
    await production.stop();
    assert.match(production.output(), /NODE_ENV=production: --fresh would drop the databases of every service\./);
    assert.doesNotMatch(production.output(), /dropped|Starting/);

    const unknown = await startLauncher({}, { args: ['--freh'] });
    assert.equal(await unknown.exited, 1);
    await unknown.stop();
    assert.match(unknown.output(), /Unknown argument --freh\. npm start takes one: --fresh \(npm start -- --fresh\)/);
  });
});
