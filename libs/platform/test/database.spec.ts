import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { ensureDatabase } from '../src/database/ensure-database';
import { runMigrationsLocked } from '../src/database/migrate';
import { DatabaseMetrics } from '../src/database/database-metrics';
import { pgQuery, sqlRows } from '../src/database/sql';
import { MetricsService } from '../src/metrics/metrics.service';
import { metricValue } from '../src/testing/metrics';

/** A migration slow enough that two replicas starting together would overlap without the lock. */
class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query('SELECT pg_sleep(0.5)');
    await q.query('CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL)');
    await q.query('CREATE TABLE migration_runs (at timestamptz DEFAULT now())');
    await q.query('INSERT INTO migration_runs DEFAULT VALUES');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE widgets');
  }
}

const server = () => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run with npm test');
  return new URL(url);
};

describe('database plumbing (real PostgreSQL)', () => {
  const name = `t_platform_${randomBytes(4).toString('hex')}`;
  const url = server();
  url.pathname = `/${name}`;

  after(async () => {
    const admin = server();
    admin.pathname = '/postgres';
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
    await c.end();
  });

  it('creates a missing database, and concurrent creations of it all succeed', async () => {
    await Promise.all([ensureDatabase(url.toString()), ensureDatabase(url.toString()), ensureDatabase(url.toString())]);
    const c = new Client({ connectionString: url.toString() });
    await c.connect();
    const { rows } = await c.query('SELECT current_database() AS db');
    await c.end();
    assert.equal(rows[0].db, name);
  });

  it('two replicas starting at once: the migration runs exactly once', async () => {
    const sources = [0, 1].map(
      () => new DataSource({ type: 'postgres', url: url.toString(), migrations: [CreateWidgets1700000000000], migrationsTableName: 'migrations', synchronize: false }),
    );
    await Promise.all(sources.map((s) => s.initialize()));
    try {
      const applied = await Promise.all(sources.map((s) => runMigrationsLocked(s)));
      assert.deepEqual(applied.map((a) => a.length).sort(), [0, 1]);
      const runs = await sqlRows<{ n: number }>(sources[0], 'SELECT count(*)::int AS n FROM migration_runs');
      assert.equal(runs[0].n, 1);
      // And a later start finds nothing to do.
      assert.deepEqual(await runMigrationsLocked(sources[1]), []);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
    }
  });

  it('sqlRows returns the rows of UPDATE ... RETURNING like any query', async () => {
    const ds = await new DataSource({ type: 'postgres', url: url.toString() }).initialize();
    try {
      await ds.query(`INSERT INTO widgets (name) VALUES ('a'), ('b')`);
      const updated = await sqlRows<{ id: number }>(ds, `UPDATE widgets SET name = upper(name) RETURNING id`);
      assert.equal(updated.length, 2);
      const deleted = await sqlRows(ds, `DELETE FROM widgets WHERE name = 'Z' RETURNING id`);
      assert.deepEqual(deleted, []);
      const selected = await sqlRows<{ name: string }>(ds, `SELECT name FROM widgets ORDER BY id`);
      assert.deepEqual(selected.map((r) => r.name), ['A', 'B']);
    } finally {
      await ds.destroy();
    }
  });

  it('exports pool usage and statement timings, TypeORM statements and pgQuery alike', async () => {
    const ds = await new DataSource({ type: 'postgres', url: url.toString(), extra: { max: 3 } }).initialize();
    const metrics = new MetricsService('test');
    const dbMetrics = new DatabaseMetrics(ds, metrics);
    dbMetrics.onApplicationBootstrap();
    try {
      await ds.query('SELECT 1');
      await pgQuery(ds, 'SELECT 2');
      await assert.rejects(pgQuery(ds, 'SELECT * FROM no_such_table'));
      await assert.rejects(ds.query('SELECT * FROM no_such_table'));
      // Hold a connection so the pool shows one active.
      const runner = ds.createQueryRunner();
      await runner.connect();
      const text = await metrics.registry.metrics();
      await runner.release();
      assert.equal(metricValue(text, 'db_query_duration_seconds_count'), 2);
      assert.equal(metricValue(text, 'db_query_errors_total'), 2);
      assert.equal(metricValue(text, 'db_pool_connections', { state: 'active' }), 1);
      assert.equal(metricValue(text, 'db_pool_connections', { state: 'waiting' }), 0);
      assert.equal(metricValue(text, 'db_pool_max_connections'), 3);
    } finally {
      await ds.destroy();
    }
  });
});
