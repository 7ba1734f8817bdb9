import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { RegisteredService, freePort, registeredServices } from '../../src/deploy/registry';
import { ScratchPostgres, startScratchPostgres } from '../../src/deploy/scratch-postgres';
import { SERVICE_NAMES, serviceSettings } from '../../src/deploy/service-settings';
import { startServiceProcess } from '../../src/deploy/service-process';
import { requireTool } from '../../src/deploy/tools';
import { ROOT } from '../../src/stack';

/**
 * init-db.sql, run by the real psql the way the postgres image runs it, on a PostgreSQL server of
 * its own; then the six services start on it, each with its own login.
 */
const INIT_DB = join(ROOT, 'init-db.sql');
const login = (service: string) => `${service}_service`;
const variable = (service: string) => `${service.toUpperCase()}_DB_PASSWORD`;

async function psql(server: ScratchPostgres, env: Record<string, string>): Promise<{ code: number; output: string }> {
  const tool = await requireTool('psql');
  // As docker-entrypoint.sh runs the files of /docker-entrypoint-initdb.d.
  const args = ['-v', 'ON_ERROR_STOP=1', '--no-psqlrc', '--no-password', '-f', INIT_DB, server.url];
  return promisify(execFile)(tool, args, { env: { PATH: process.env.PATH ?? '', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
}

/** Connects as `user`; resolves to the client, or rejects with the server's error. */
async function connectAs(server: ScratchPostgres, user: string, password: string, database: string): Promise<Client> {
  const client = new Client({ connectionString: server.urlAs(user, password, database) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function sqlState(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'no error';
}

describe('init-db.sql on a fresh PostgreSQL server, with the real psql', () => {
  let server: ScratchPostgres;
  let services: RegisteredService[];
  const passwords: Record<string, string> = {};
  let incomplete: { code: number; output: string; roles: number };
  let complete: { code: number; output: string };
  let admin: Client;

  before(async () => {
    services = await registeredServices();
    server = await startScratchPostgres();
    admin = new Client({ connectionString: server.url });
    await admin.connect();
    for (const name of SERVICE_NAMES) passwords[name] = randomBytes(24).toString('hex');
    const env = Object.fromEntries(SERVICE_NAMES.map((name) => [variable(name), passwords[name]]));
    // A container started without one of the variables must not come up half made.
    const missingTwo = Object.entries(env).filter(([name]) => !['NOTIFICATION_DB_PASSWORD', 'PAYMENT_DB_PASSWORD'].includes(name));
    const result = await psql(server, Object.fromEntries(missingTwo));
    const { rows } = await admin.query<{ count: number }>("SELECT count(*)::int AS count FROM pg_roles WHERE rolname LIKE '%\\_service'");
    incomplete = { ...result, roles: rows[0].count };
    complete = await psql(server, env);
  });
  after(async () => {
    await admin?.end();
    await server?.stop();
  });

  it('refuses to run without every password, naming the missing variables, and creates nothing', () => {
    assert.notEqual(incomplete.code, 0);
    assert.match(incomplete.output, /NOTIFICATION_DB_PASSWORD, PAYMENT_DB_PASSWORD not set/);
    assert.equal(incomplete.roles, 0);
  });

  it('runs to the end with the six passwords in its environment', () => {
    assert.equal(complete.code, 0, complete.output);
  });

  it('creates the six databases, each owned by its service\'s login', async () => {
    const { rows } = await admin.query<{ datname: string; owner: string }>(
      "SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1') ORDER BY datname",
    );
    const expected = services.map((s) => ({ datname: s.database, owner: login(s.name) })).sort((a, b) => a.datname.localeCompare(b.datname));
    assert.deepEqual(rows, expected);
  });

  it('the logins may log in and do nothing else: no superuser, no CREATEDB, no CREATEROLE, no replication', async () => {
    const { rows } = await admin.query(
      "SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname LIKE '%\\_service' ORDER BY rolname",
    );
    assert.deepEqual(
      rows,
      SERVICE_NAMES.map(login)
        .sort()
        .map((rolname) => ({ rolname, rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false })),
    );
  });

  it('each login connects to its own database and creates tables there, but cannot create a database', async () => {
    for (const s of services) {
      const client = await connectAs(server, login(s.name), passwords[s.name], s.database);
      try {
        await client.query('CREATE TABLE init_db_probe (id int PRIMARY KEY)');
        await client.query('INSERT INTO init_db_probe VALUES (1)');
        assert.equal((await client.query('SELECT count(*)::int AS n FROM init_db_probe')).rows[0].n, 1);
        await client.query('DROP TABLE init_db_probe');
        assert.equal(await sqlState(client.query('CREATE DATABASE init_db_probe')), '42501', `${s.name} may create databases`);
      } finally {
        await client.end();
      }
    }
  });

  it('no login connects to another service\'s database, nor with a wrong password', async () => {
    for (const s of services) {
      for (const other of services.filter((o) => o !== s)) {
        // 42501 insufficient_privilege: CONNECT is revoked from PUBLIC.
        assert.equal(await sqlState(connectAs(server, login(s.name), passwords[s.name], other.database)), '42501', `${login(s.name)} → ${other.database}`);
      }
      assert.equal(await sqlState(connectAs(server, login(s.name), 'wrong', s.database)), '28P01', `${login(s.name)}: wrong password`);
    }
  });

  it('the services start on it, each with its own login: they migrate and answer /health with 200', async () => {
    const started = await Promise.all(
      services.map(async (s) => {
        const port = await freePort();
        const env: Record<string, string> = {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: server.urlAs(login(s.name), passwords[s.name], s.database),
        };
        // Addresses of the other services (not called while starting).
        for (const setting of serviceSettings(s.name)) {
          if (setting.url && !(setting.name in env)) env[setting.name] = setting.name === 'SMTP_URL' ? 'smtp://127.0.0.1:9' : 'http://127.0.0.1:9';
        }
        return startServiceProcess({
          command: [process.execPath, join(ROOT, s.entry)],
          cwd: join(ROOT, 'services', s.name),
          env,
          healthcheck: `node -e "fetch('http://127.0.0.1:${port}/health').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"`,
        });
      }),
    );
    try {
      for (const s of services) {
        const client = await connectAs(server, login(s.name), passwords[s.name], s.database);
        const { rows } = await client.query<{ owners: string[] }>("SELECT array_agg(DISTINCT tableowner::text) AS owners FROM pg_tables WHERE schemaname = 'public'");
        await client.end();
        assert.deepEqual(rows[0].owners, [login(s.name)], `${s.database}: tables made by the service's login`);
      }
      // pg_trgm is a trusted extension: the owner of the database may create it (user and catalog do).
      const userdb = await connectAs(server, login('user'), passwords.user, 'userdb');
      const { rows } = await userdb.query("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'");
      await userdb.end();
      assert.equal(rows.length, 1);
    } finally {
      await Promise.all(started.map((s) => s.stop()));
    }
  });

  it('runs again on the same server: keeps every table, and the passwords become the new ones', async () => {
    const before = await admin.query('SELECT count(*)::int AS n FROM pg_database');
    const renewed = Object.fromEntries(SERVICE_NAMES.map((name) => [name, randomBytes(24).toString('hex')]));
    const again = await psql(server, Object.fromEntries(SERVICE_NAMES.map((name) => [variable(name), renewed[name]])));
    assert.equal(again.code, 0, again.output);
    assert.deepEqual((await admin.query('SELECT count(*)::int AS n FROM pg_database')).rows, before.rows);
    assert.equal(await sqlState(connectAs(server, login('user'), passwords.user, 'userdb')), '28P01');
    const client = await connectAs(server, login('user'), renewed.user, 'userdb');
    const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'users'");
    await client.end();
    assert.equal(rows[0].n, 1);
  });
});
