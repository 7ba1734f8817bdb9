import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Named prepared statements a connection keeps at most. SQL built with a varying number of
 * placeholders would otherwise prepare a new statement per shape and grow the server's memory
 * without bound; past the cap, statements run unnamed, as before.
 */
export const MAX_PREPARED_PER_CONNECTION = 256;

/** Statement names by SQL text, shared by all connections (hashing on every call is measurable). */
const names = new Map<string, string>();
const MAX_NAMES = 4096;

export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `etsr_${createHash('sha1').update(text).digest('base64url')}`;
    if (names.size < MAX_NAMES) names.set(text, name);
  }
  return name;
}

/**
 * A pg client that runs every parameterised statement as a named prepared statement, so the server
 * parses and plans it once per connection instead of on every call. Under a flash sale planning was
 * about a third of PostgreSQL's time in our statements (pg_stat_statements, bench:flash-sale with
 * BENCH_PG_STATEMENTS=1). TypeORM has no switch for this; pg does it per query given a name, and
 * pg-pool takes the client class to create (`Client`), so this is where it fits.
 *
 * PostgreSQL plans the first five executions with their values (custom plans) and then keeps a
 * generic plan when it does not look costlier. A generic plan cannot see how long an array
 * parameter is, and for `id = ANY($1)` with a few hundred ids one was eight times slower than
 * planning each call (the order service's status poll in a sale), so statements with an array
 * parameter run unnamed, planned with their values as before. So do statements without
 * parameters (BEGIN, COMMIT, DDL). Off with DB_PREPARED_STATEMENTS=false, e.g. behind a pooler in
 * transaction mode that cannot keep them.
 */
export class PreparingClient extends pg.Client {
  /** Names of the statements prepared on this connection (or being prepared). */
  readonly prepared = new Set<string>();
  /** Statements whose result changed shape under them (see retireOnShapeChange): run unnamed from now on. */
  readonly retired = new Set<string>();
}

/**
 * A migration that adds a column under a running service (a rolling upgrade) makes PostgreSQL
 * refuse a prepared `SELECT *` or `RETURNING *` on every call with "cached plan must not change
 * result type", for as long as the connection lives. The call that meets it fails (its transaction
 * is aborted anyway); the statement then runs unnamed on this connection, so the next call works.
 */
function retireOnShapeChange(client: PreparingClient, name: string, running: Promise<unknown>): Promise<unknown> {
  return running.catch((e: unknown) => {
    const error = e as { code?: string; message?: string };
    if (error?.code === '0A000' && /cached plan must not change result type/.test(error.message ?? '')) client.retired.add(name);
    throw e;
  });
}

// Assigned rather than overridden in the class: pg's query() has a dozen typed overloads, which
// this keeps for callers. Only (text, values[]) calls are rewritten; the rest pass through. pg's
// own query() is looked up on each call, so instrumentation that wraps it later still sees every
// statement.
const passThrough = (client: pg.Client, args: unknown[]): unknown => (pg.Client.prototype.query as (...a: unknown[]) => unknown).apply(client, args);
PreparingClient.prototype.query = function (this: PreparingClient, ...args: unknown[]): unknown {
  const [text, values] = args;
  // Promise calls only (no callback): the form TypeORM and our code use.
  if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2 && !values.some(Array.isArray)) {
    const name = statementName(text);
    if (!this.retired.has(name) && (this.prepared.has(name) || this.prepared.size < MAX_PREPARED_PER_CONNECTION)) {
      this.prepared.add(name);
      return retireOnShapeChange(this, name, passThrough(this, [{ name, text, values }]) as Promise<unknown>);
    }
  }
  return passThrough(this, args);
} as typeof pg.Client.prototype.query;
