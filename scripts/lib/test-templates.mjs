// The template databases a test run leaves on its server: test processes migrate one per service
// (libs/platform/src/testing/template-database.ts) and copy each test database from it. They are
// named after the run, so that a run drops its own and never another run's on a shared server.
import pg from 'pg';

const TEMPLATE_PREFIX = 't_tpl_'; // the same as template-database.ts's TEMPLATE_PREFIX

/** Drops every template database of run `runId` on the server of `serverUrl`. */
export async function dropRunTemplates(serverUrl, runId) {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [`${TEMPLATE_PREFIX}${runId}_`],
    );
    for (const { datname } of rows) {
      const id = client.escapeIdentifier(datname);
      // A template cannot be dropped; IS_TEMPLATE false first.
      await client.query(`ALTER DATABASE ${id} WITH IS_TEMPLATE false`);
      await client.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
    }
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}
