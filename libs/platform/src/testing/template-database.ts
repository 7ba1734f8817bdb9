import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { BaseConfig } from '../config/base-config';
import { DatabaseDefinition, dataSourceOptions } from '../database/data-source-options';
import { runMigrationsLocked } from '../database/migrate';
import { TestDatabase, adminUrl, createTestDatabase } from './test-database';

/** First half of the advisory lock key test processes take to build a template: "tplt" in ASCII. */
const TEMPLATE_LOCK_NAMESPACE = 0x74706c74;

const templates = new Map<string, Promise<string>>();

/**
 * A fresh database with every migration of `definition` already applied: a copy of a template
 * that the first test process of the run migrates (the others wait for it), so a test does not
 * pay for the migrations again. `npm test` names the run (TEST_RUN_ID) and drops its templates at
 * the end; without a run id, this is an empty database that the service migrates when it starts.
 */
export async function createMigratedTestDatabase(prefix: string, definition: DatabaseDefinition): Promise<TestDatabase> {
  const runId = process.env.TEST_RUN_ID;
  if (!runId) return createTestDatabase(prefix);
  const name = templateName(prefix, definition, runId);
  let template = templates.get(name);
  if (!template) {
    template = buildTemplate(name, definition);
    templates.set(name, template);
    template.catch(() => templates.delete(name)); // a later test may try again
  }
  return createTestDatabase(prefix, { template: await template });
}

/** The run's template for these migrations: t_tpl_<run>_<prefix>_<hash of the migration names>. */
export function templateName(prefix: string, definition: DatabaseDefinition, runId: string): string {
  const migrations = (definition.migrations as unknown[]).map((m) => (typeof m === 'function' ? m.name : String(m)));
  const hash = createHash('sha256').update(migrations.join('\n')).digest('hex').slice(0, 8);
  const safe = (s: string) => s.replace(/[^a-z0-9]/gi, '').toLowerCase();
  return `${TEMPLATE_PREFIX}${safe(runId).slice(0, 12)}_${safe(prefix).slice(0, 20)}_${hash}`;
}

/** Every template of a run starts with this (the runner drops them by it). */
export const TEMPLATE_PREFIX = 't_tpl_';

/**
 * Creates and migrates the template unless another process already did. Test processes of one run
 * start together, so creation is serialised by an advisory lock; a template is complete once it is
 * marked IS_TEMPLATE, and it then refuses connections, because CREATE DATABASE ... TEMPLATE fails
 * while anyone is connected to the template.
 */
async function buildTemplate(name: string, definition: DatabaseDefinition): Promise<string> {
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1, hashtext($2))', [TEMPLATE_LOCK_NAMESPACE, name]);
    const { rows } = await admin.query<{ datistemplate: boolean }>('SELECT datistemplate FROM pg_database WHERE datname = $1', [name]);
    if (rows[0]?.datistemplate) return name;
    const id = admin.escapeIdentifier(name);
    // Left half-made by a process that died while migrating it.
    if (rows.length) await admin.query(`DROP DATABASE ${id} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${id}`);
    const url = new URL(adminUrl());
    url.pathname = `/${name}`;
    // Two connections: runMigrationsLocked holds its lock on one while the migrations run on the other.
    const config = { DATABASE_URL: url.toString(), SERVICE_NAME: 'test-template', DB_POOL_SIZE: 2, DB_STATEMENT_TIMEOUT_MS: 0, DB_PREPARED_STATEMENTS: false };
    const dataSource = await new DataSource(dataSourceOptions(config as BaseConfig, definition)).initialize();
    try {
      await runMigrationsLocked(dataSource);
    } finally {
      await dataSource.destroy();
    }
    await admin.query(`ALTER DATABASE ${id} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    return name;
  } finally {
    await admin.end(); // ends the session, and with it the lock
  }
}
