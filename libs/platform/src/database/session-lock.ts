import { QueryRunner } from 'typeorm';

/**
 * Gives a dedicated connection back to the pool, or, after `broken` (an error while it held a
 * session-level advisory lock), closes it instead: a connection that may still hold the lock must
 * not be reused, and closing it is what releases the lock for certain.
 */
export async function releaseConnection(runner: QueryRunner, broken?: unknown): Promise<void> {
  // TypeORM's postgres runner passes an error on to pg's pool, which then destroys the client.
  const pg = runner as QueryRunner & { releasePostgresConnection?: (err?: Error) => Promise<void> };
  if (broken && pg.releasePostgresConnection) await pg.releasePostgresConnection(broken instanceof Error ? broken : new Error(String(broken)));
  else await runner.release();
}
