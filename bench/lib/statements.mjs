// Where PostgreSQL's time goes during a sale: pg_stat_statements over every database of the
// server, reset before the sale and read after it (BENCH_PG_STATEMENTS=1, embedded server only:
// the module must be preloaded, which only a server we start can promise).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DIAGNOSTICS_DIR } from './node-args.mjs';

export const statementsWanted = (env = process.env) => env.BENCH_PG_STATEMENTS === '1';

/** Server settings that load pg_stat_statements, planning time included. */
export const STATEMENT_SETTINGS = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  'pg_stat_statements.track_planning': 'on',
  'pg_stat_statements.max': '2000',
};

async function onMaintenanceDb(serverUrl, fn) {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Forgets what was counted so far (the set-up and the yardsticks). */
export async function resetStatements(serverUrl) {
  await onMaintenanceDb(serverUrl, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await c.query('SELECT pg_stat_statements_reset()');
  });
}

/**
 * Writes the statements by total time (execution + planning) to the diagnostics folder, with calls
 * per booking, and returns the path and the totals per database.
 */
export async function writeStatements(serverUrl, { bookings, stamp, top = 60 }) {
  const rows = await onMaintenanceDb(serverUrl, async (c) =>
    (
      await c.query(`
        SELECT d.datname AS db, s.calls::bigint AS calls, s.rows::bigint AS rows,
               round((s.total_exec_time + s.total_plan_time)::numeric, 1) AS ms,
               round(s.total_plan_time::numeric, 1) AS plan_ms,
               regexp_replace(s.query, '\\s+', ' ', 'g') AS query
          FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         ORDER BY s.total_exec_time + s.total_plan_time DESC`)
    ).rows,
  );
  const perDb = new Map();
  for (const r of rows) {
    const t = perDb.get(r.db) ?? { calls: 0, ms: 0 };
    t.calls += Number(r.calls);
    t.ms += Number(r.ms);
    perDb.set(r.db, t);
  }
  const per = (n) => (bookings ? (Number(n) / bookings).toFixed(2) : 'n/a');
  const lines = [
    `# pg_stat_statements over the sale (${bookings} bookings)`,
    '',
    '| database | statements | per booking | ms | ms per booking |',
    '|---|---|---|---|---|',
    ...[...perDb].sort((a, b) => b[1].ms - a[1].ms).map(([db, t]) => `| ${db} | ${t.calls} | ${per(t.calls)} | ${Math.round(t.ms)} | ${per(t.ms)} |`),
    '',
    '| database | calls | per booking | rows | ms (plan ms) | statement |',
    '|---|---|---|---|---|---|',
    ...rows.slice(0, top).map((r) => `| ${r.db} | ${r.calls} | ${per(r.calls)} | ${r.rows} | ${r.ms} (${r.plan_ms}) | \`${r.query.slice(0, 300).replace(/\|/g, '\\|')}\` |`),
  ];
  fs.mkdirSync(DIAGNOSTICS_DIR, { recursive: true });
  const file = path.join(DIAGNOSTICS_DIR, `statements-${stamp}.md`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return { file, perDb: Object.fromEntries(perDb) };
}
