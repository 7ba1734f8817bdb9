import { Client } from 'pg';

/** One statement a connection of the service sent, in order. */
export interface RecordedStatement {
  connection: number;
  sql: string;
}

/** What a recording shows: the statements, and the commits they make (what pg_stat_database counts as xact_commit). */
export interface StatementLog {
  statements: RecordedStatement[];
  commits: number;
  inserts: number;
  updates: number;
}

/** Connections the tests open themselves (harness `query`) carry this application_name and are not recorded. */
export const TEST_CLIENT_APPLICATION = 'payment-test';

let recording: RecordedStatement[] | undefined;
const connectionIds = new WeakMap<object, number>();
let nextConnection = 0;
const original = Client.prototype.query;

// The service and the tests share one `pg` module, so a wrapper on Client#query sees every
// statement the service sends over its pool.
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  const config = args[0] as string | { text?: string } | undefined;
  const application = (this as unknown as { connectionParameters?: { application_name?: string } }).connectionParameters?.application_name;
  if (recording && application !== TEST_CLIENT_APPLICATION) {
    if (!connectionIds.has(this)) connectionIds.set(this, nextConnection++);
    recording.push({ connection: connectionIds.get(this)!, sql: (typeof config === 'string' ? config : (config?.text ?? '')).trim() });
  }
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof Client.prototype.query;

/** Records the statements the service sends while `work` runs (and until it resolves). */
export async function recordStatements(work: () => Promise<unknown>): Promise<StatementLog> {
  if (recording) throw new Error('recordStatements does not nest');
  const statements: RecordedStatement[] = [];
  recording = statements;
  try {
    await work();
  } finally {
    recording = undefined;
  }
  return { statements, ...countCommits(statements) };
}

/** Autocommit statements and COMMITs, per connection; statements inside BEGIN … COMMIT count once. */
export function countCommits(statements: RecordedStatement[]): { commits: number; inserts: number; updates: number } {
  const inTransaction = new Set<number>();
  let commits = 0;
  for (const s of statements) {
    const verb = s.sql.replace(/^WITH\b[\s\S]*?\)\s*(?=INSERT|UPDATE|DELETE|SELECT)/i, '').split(/\s+/, 1)[0].toUpperCase();
    if (verb === 'BEGIN' || verb === 'START') inTransaction.add(s.connection);
    else if (verb === 'COMMIT') {
      inTransaction.delete(s.connection);
      commits++;
    } else if (verb === 'ROLLBACK') inTransaction.delete(s.connection);
    else if (!inTransaction.has(s.connection)) commits++;
  }
  return {
    commits,
    inserts: statements.filter((s) => /\bINSERT\s+INTO\b/i.test(s.sql)).length,
    updates: statements.filter((s) => /^\s*UPDATE\b|\)\s*UPDATE\b|\bAS\s*\(\s*UPDATE\b/i.test(s.sql)).length,
  };
}
