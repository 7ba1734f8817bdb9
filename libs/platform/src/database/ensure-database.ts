import { Client } from 'pg';

/**
 * Creates the service's database when it does not exist yet (a fresh PostgreSQL, `npm start`,
 * a new test). Connects to the server's maintenance database `postgres`; two replicas starting at
 * once may both try, so "already exists" from the loser is fine.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL must name a database, e.g. postgres://host:5432/userdb');
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch {
    // No access to the maintenance database (a managed server, a restricted login): the
    // database is then expected to exist, and connecting to it will say so if it does not.
    return;
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw e; // duplicate_database / concurrent catalog insert
  } finally {
    await client.end().catch(() => undefined);
  }
}
