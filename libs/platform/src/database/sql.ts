import { DataSource, EntityManager } from 'typeorm';

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
