import { DataSource } from 'typeorm';
import { ContextLogger } from '../logging/json-logger';
import { releaseConnection } from './session-lock';

/** First half of the two-key advisory lock: "etsr" in ASCII, so it cannot clash with a service's own locks. */
const MIGRATION_LOCK_NAMESPACE = 0x65747372;

/**
 * Runs pending migrations while holding a session advisory lock, so replicas that start together
 * take turns: the first migrates, the others then find nothing pending. Each migration runs in its
 * own transaction.
 */
export async function runMigrationsLocked(dataSource: DataSource, log?: ContextLogger): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  let broken: unknown;
  try {
    await runner.query('SELECT pg_advisory_lock($1, hashtext(current_database()))', [MIGRATION_LOCK_NAMESPACE]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length) log?.info('Migrations applied', { migrations: applied.map((m) => m.name) });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1, hashtext(current_database()))', [MIGRATION_LOCK_NAMESPACE]).catch((e: unknown) => {
        broken = e;
      });
    }
  } finally {
    await releaseConnection(runner, broken);
  }
}
