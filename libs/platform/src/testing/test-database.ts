import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on the test server (`TEST_DATABASE_URL`, set by `npm test` to either the given
 * server or an embedded PostgreSQL): empty, or a copy of `template`. Each test file gets its own,
 * so files run in parallel.
 */
export async function createTestDatabase(prefix: string, options: { template?: string } = {}): Promise<TestDatabase> {
  const name = `t_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    const template = options.template ? ` TEMPLATE ${client.escapeIdentifier(options.template)}` : '';
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${template}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: adminUrl() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The URL of the test server's maintenance database `postgres`, where databases are created and dropped. */
export function adminUrl(): string {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`');
  const admin = new URL(server);
  admin.pathname = '/postgres';
  return admin.toString();
}
