import { DataSource, EntityManager } from 'typeorm';
import { observeQuery } from './database-metrics';

/**
 * Runs one SQL statement and returns its rows. TypeORM's `query()` answers UPDATE and DELETE with
 * `[rows, rowCount]` but INSERT and SELECT with just the rows; this gives rows for all of them, so
 * `UPDATE ... RETURNING` reads like any other query.
 */
export async function sqlRows<T = Record<string, unknown>>(db: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await db.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

interface PgClient {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  release(err?: Error): void;
}

/**
 * One statement straight on the pg pool under a TypeORM DataSource, for the few hot statements where
 * TypeORM's per-call QueryRunner is measurable overhead. Errors are pg's own (`code`, `detail`).
 *
 * Not `pool.query()`: that hands every error to release(), and the pool then closes the connection,
 * so a statement that raises on purpose (a seat already taken) cost a new connection and a SCRAM
 * handshake each time. An error the server answered with (it has a SQLSTATE) leaves the connection
 * healthy; only a broken connection is discarded.
 */
export async function pgQuery<R = Record<string, unknown>>(db: DataSource, sql: string, params: unknown[] = []): Promise<R[]> {
  const pool = (db.driver as unknown as { master: { connect(): Promise<PgClient> } }).master;
  const client = await pool.connect();
  const startedAt = process.hrtime.bigint();
  try {
    const { rows } = await client.query<R>(sql, params);
    client.release();
    observeQuery(db, Number(process.hrtime.bigint() - startedAt) / 1e9);
    return rows;
  } catch (e) {
    observeQuery(db, undefined);
    const answeredByServer = typeof (e as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((e as { code: string }).code);
    client.release(answeredByServer ? undefined : (e as Error));
    throw e;
  }
}

/** For LIKE patterns with ESCAPE '\': the caller's % and _ (and \) become plain characters. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
