import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { query } from './sql';
import { TEMPLATE_PREFIX, createMigratedTestDatabase, templateName } from './template-database';
import { adminUrl } from './test-database';

/** One migration, defined the same way in this process and in the child processes below. */
const MIGRATION_SOURCE = `class CreateWidgets1700000000000 {
  constructor() { this.name = 'CreateWidgets1700000000000'; }
  async up(q) { await q.query('CREATE TABLE widgets (id int PRIMARY KEY)'); }
  async down(q) { await q.query('DROP TABLE widgets'); }
}`;
const definition = { entities: [], migrations: [new Function(`return ${MIGRATION_SOURCE}`)() as new () => unknown] };

/** A separate process asks for a migrated database of run `runId`; answers the database's name. */
async function nameFromAnotherProcess(runId: string): Promise<string> {
  const script = `
    const { createMigratedTestDatabase } = require(${JSON.stringify(require.resolve('./template-database'))});
    ${MIGRATION_SOURCE}
    createMigratedTestDatabase('tplspec', { entities: [], migrations: [CreateWidgets1700000000000] })
      .then((db) => console.log(db.name), (e) => { console.error(e); process.exitCode = 1; });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { env: { ...process.env, TEST_RUN_ID: runId } });
  return stdout.trim();
}

/** One statement on database `database` of the test server. */
function sql<T>(database: string, text: string, params: unknown[] = []): Promise<T[]> {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return query<T>(url.toString(), text, params);
}

describe('migrated test databases, copied from a template', () => {
  const runIds = [`spec${randomBytes(3).toString('hex')}`, `spec${randomBytes(3).toString('hex')}`];
  const created: string[] = [];
  const templatesOf = (runId: string) =>
    sql<{ datname: string; datistemplate: boolean; datallowconn: boolean }>(
      'postgres',
      'SELECT datname, datistemplate, datallowconn FROM pg_database WHERE starts_with(datname, $1)',
      [`${TEMPLATE_PREFIX}${runId}_`],
    );

  after(async () => {
    for (const name of created) await sql('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    for (const runId of runIds) {
      for (const { datname } of await templatesOf(runId)) {
        await sql('postgres', `ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`);
        await sql('postgres', `DROP DATABASE "${datname}" WITH (FORCE)`);
      }
    }
  });

  it('processes that start at once migrate one template between them, and each gets its own migrated copy', async () => {
    const names = await Promise.all([1, 2, 3].map(() => nameFromAnotherProcess(runIds[0])));
    created.push(...names);
    assert.equal(new Set(names).size, 3);
    for (const name of names) {
      assert.deepEqual(await sql(name, 'SELECT name FROM migrations'), [{ name: 'CreateWidgets1700000000000' }]);
      assert.deepEqual(await sql(name, 'SELECT count(*)::int AS n FROM widgets'), [{ n: 0 }]);
    }
    // One template, marked complete and closed to connections (a connection would stop copies).
    assert.deepEqual(await templatesOf(runIds[0]), [{ datname: templateName('tplspec', definition, runIds[0]), datistemplate: true, datallowconn: false }]);
  });

  it('a template its creator left half-made is made again', async () => {
    await sql('postgres', `CREATE DATABASE "${templateName('tplspec', definition, runIds[1])}"`);
    const name = await nameFromAnotherProcess(runIds[1]);
    created.push(name);
    assert.deepEqual(await sql(name, 'SELECT name FROM migrations'), [{ name: 'CreateWidgets1700000000000' }]);
  });

  it('outside a run (no TEST_RUN_ID) the database is empty, for the service to migrate', async () => {
    const saved = process.env.TEST_RUN_ID;
    delete process.env.TEST_RUN_ID;
    try {
      const db = await createMigratedTestDatabase('tplspec', definition);
      created.push(db.name);
      assert.deepEqual(await sql(db.name, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`), []);
    } finally {
      if (saved !== undefined) process.env.TEST_RUN_ID = saved;
    }
  });
});
