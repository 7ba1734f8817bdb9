import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { AppError, badRequest, conflict, unprocessable } from '../errors/app-error';
import { escapeLike, sqlRows } from '../database/sql';

/** The stored answer to a request: sent again, byte for byte, for a repeat of it. */
export interface StoredResponse {
  status: number;
  body: string;
  /** true when this is a repeat answered from the store. */
  replayed: boolean;
}

export interface IdempotencyOptions {
  /**
   * How long a claim lasts without a sign of life: run() renews it while its work runs, so a key
   * whose lease lapsed belongs to a request that died (its process was killed), and a repeat takes
   * it over. Callers that claim() without run() do not renew: give them a lease longer than their work.
   */
  leaseSeconds?: number;
  /** How long a repeat waits for the first request to finish before answering 409. */
  waitForFirstMs?: number;
}

/** A completed answer as it is stored, with the scope and fingerprint it was stored under. */
export interface StoredAnswer {
  scope: string;
  fingerprint: string;
  status: number;
  body: string;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The Idempotency-Key header, required and bounded (400 otherwise). */
export function requireIdempotencyKey(header: string | string[] | undefined): string {
  const key = Array.isArray(header) ? header[0] : header;
  if (!key || !key.trim()) throw badRequest('The Idempotency-Key header is required', 'IDEMPOTENCY_KEY_REQUIRED');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badRequest(`Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, 'IDEMPOTENCY_KEY_INVALID');
  }
  if (!/^[\x21-\x7e]+$/.test(key)) throw badRequest('Idempotency-Key must be printable ASCII without spaces', 'IDEMPOTENCY_KEY_INVALID');
  return key;
}

/** A stable fingerprint of a request body: same JSON value, same fingerprint, whatever the key order. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Idempotency-Key handling on a table of the service's own database (see createIdempotencyTable):
 * keys are scoped to the caller; the first request with a key runs, its answer is stored; a
 * repeat with the same body gets that answer byte for byte; the same key with another body is
 * 422; a repeat arriving while the first still runs waits for it briefly, then gets 409. The
 * primary key (scope, key) decides between simultaneous first requests: only one runs.
 */
export class IdempotencyStore {
  private readonly leaseSeconds: number;
  private readonly waitForFirstMs: number;

  constructor(
    private readonly db: DataSource,
    options: IdempotencyOptions = {},
  ) {
    this.leaseSeconds = options.leaseSeconds ?? 120;
    this.waitForFirstMs = options.waitForFirstMs ?? 3000;
  }

  /**
   * Runs `work` once per (scope, key). `work` returns the status and body to answer with; an
   * AppError it throws is not stored (the client may correct the request and retry with the key).
   * While `work` runs the claim's lease is renewed (a third of the lease apart; nothing is written
   * for work shorter than that). A repeat finding the lease lapsed (the first request's process
   * died) runs `work` itself: `work` must be safe to run again after a crash half way.
   */
  async run(scope: string, key: string, requestFingerprint: string, work: () => Promise<{ status: number; body: unknown }>): Promise<StoredResponse> {
    while (!(await this.claim(null, scope, key, requestFingerprint))) {
      const answer = await this.awaitFirst(scope, key, requestFingerprint);
      if (answer !== 'lapsed') return answer;
    }
    const renewing = setInterval(() => void this.renew(scope, key).catch(() => undefined), (this.leaseSeconds * 1000) / 3);
    renewing.unref();
    let result: { status: number; body: unknown };
    try {
      result = await work();
    } catch (e) {
      await this.release(scope, key);
      throw e;
    } finally {
      clearInterval(renewing);
    }
    const body = JSON.stringify(result.body);
    await this.complete(null, scope, key, result.status, body);
    return { status: result.status, body, replayed: false };
  }

  /** Pushes a running claim's lease out by leaseSeconds from now (the request is alive). */
  async renew(scope: string, key: string): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET lease_expires_at = now() + make_interval(secs => $3) WHERE scope = $1 AND key = $2 AND status = 'IN_PROGRESS'`,
      [scope, key, this.leaseSeconds],
    );
  }

  // The steps of run(), for a caller that writes the key in its own transactions: the claim with
  // the row the request creates, the answer with the row's final state (fewer commits, and a
  // crash can never leave one without the other).

  /**
   * Inserts the key IN_PROGRESS with a lease (in `tx`, or on its own when null); true when this
   * request is the one to run (also when the lease of one that died lapsed). When false, answer
   * with waitForFirst.
   */
  async claim(tx: EntityManager | null, scope: string, key: string, requestFingerprint: string): Promise<boolean> {
    const rows = await sqlRows(
      tx ?? this.db,
      `INSERT INTO idempotency_keys (scope, key, fingerprint, lease_expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))
       ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, created_at = now(), lease_expires_at = EXCLUDED.lease_expires_at
         WHERE idempotency_keys.status = 'IN_PROGRESS' AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
           AND idempotency_keys.lease_expires_at < now()
       RETURNING key`,
      [scope, key, requestFingerprint, this.leaseSeconds],
    );
    return rows.length === 1;
  }

  /** Stores the answer of a claimed key (in `tx`, or on its own when null): its repeats get these bytes. */
  async complete(tx: EntityManager | null, scope: string, key: string, status: number, body: string): Promise<void> {
    await (tx ?? this.db).query(
      `UPDATE idempotency_keys SET status = 'COMPLETED', response_status = $3, response_body = $4, completed_at = now() WHERE scope = $1 AND key = $2`,
      [scope, key, status, body],
    );
  }

  /** Lets a claimed key go (its request failed): a retry with it runs again. */
  async release(scope: string, key: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status = 'IN_PROGRESS'`, [scope, key]);
  }

  /**
   * The completed answers stored under `key` in every scope starting with `scopePrefix` (one
   * statement, nothing written): for a service that can tell a repeat from its body alone and
   * answers it before doing anything else. The caller matches fingerprints and checks that the
   * scope is the caller's. Needs an index on (key) (the table's primary key starts with scope).
   */
  async completedAnswers(key: string, scopePrefix: string): Promise<StoredAnswer[]> {
    const rows = await sqlRows<{ scope: string; fingerprint: string; response_status: number; response_body: string }>(
      this.db,
      `SELECT scope, fingerprint, response_status, response_body FROM idempotency_keys
        WHERE key = $1 AND status = 'COMPLETED' AND scope LIKE $2 ESCAPE '\\'`,
      [key, `${escapeLike(scopePrefix)}%`],
    );
    return rows.map((r) => ({ scope: r.scope, fingerprint: r.fingerprint, status: r.response_status, body: r.response_body }));
  }

  /**
   * The answer for a request whose claim failed: the stored one when its fingerprint matches (422
   * otherwise), after waiting for the first request to finish (409 REQUEST_IN_PROGRESS with
   * Retry-After if it does not in time, or IDEMPOTENCY_RETRY when it failed or died meanwhile:
   * send it again).
   */
  async waitForFirst(scope: string, key: string, requestFingerprint: string): Promise<StoredResponse> {
    const answer = await this.awaitFirst(scope, key, requestFingerprint);
    if (answer === 'lapsed') throw conflict('The first request with this Idempotency-Key stopped without an answer; send it again', 'IDEMPOTENCY_RETRY');
    return answer;
  }

  /** waitForFirst's loop; 'lapsed' when the first request's lease ran out (it died): the key may be claimed again. */
  private async awaitFirst(scope: string, key: string, requestFingerprint: string): Promise<StoredResponse | 'lapsed'> {
    const deadline = Date.now() + this.waitForFirstMs;
    for (;;) {
      const [row] = await sqlRows<{ fingerprint: string; status: string; response_status: number | null; response_body: string | null; lease_left: number }>(
        this.db,
        `SELECT fingerprint, status, response_status, response_body, extract(epoch FROM lease_expires_at - now())::float8 AS lease_left
           FROM idempotency_keys WHERE scope = $1 AND key = $2`,
        [scope, key],
      );
      if (!row) {
        // The first request failed and let the key go: this one may run it.
        throw conflict('The first request with this Idempotency-Key failed; send it again', 'IDEMPOTENCY_RETRY');
      }
      if (row.fingerprint !== requestFingerprint) {
        throw unprocessable('This Idempotency-Key was used with a different request body', 'IDEMPOTENCY_KEY_REUSED');
      }
      if (row.status === 'COMPLETED') return { status: row.response_status!, body: row.response_body!, replayed: true };
      if (row.lease_left < 0) return 'lapsed';
      if (Date.now() > deadline) {
        // The first request is alive (its lease is renewed while it runs): ask again once this lease would lapse.
        const retryAfter = Math.max(1, Math.ceil(row.lease_left));
        throw new AppError(409, 'REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed', { retryAfterSeconds: retryAfter }, {
          'Retry-After': String(retryAfter),
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The table behind IdempotencyStore, created by each service's own migration. */
export async function createIdempotencyTable(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE TABLE idempotency_keys (
      scope           varchar(100) NOT NULL,
      key             varchar(255) NOT NULL,
      fingerprint     char(64)     NOT NULL,
      status          varchar(12)  NOT NULL DEFAULT 'IN_PROGRESS',
      response_status integer,
      response_body   text,
      created_at      timestamptz  NOT NULL DEFAULT now(),
      completed_at    timestamptz,
      CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, key),
      CONSTRAINT idempotency_keys_status_check CHECK (status IN ('IN_PROGRESS', 'COMPLETED'))
    )`);
}

/**
 * The claim's lease (IdempotencyOptions.leaseSeconds), added by a later migration of each service
 * that has the table. The default is what a claim without a lease had before (stale after 120 s):
 * it covers keys in progress at the upgrade and replicas of the old version still inserting keys
 * during a rolling deploy.
 */
export async function addIdempotencyLease(q: QueryRunner): Promise<void> {
  await q.query(`ALTER TABLE idempotency_keys ADD COLUMN lease_expires_at timestamptz NOT NULL DEFAULT now() + interval '120 seconds'`);
}

export async function dropIdempotencyLease(q: QueryRunner): Promise<void> {
  await q.query(`ALTER TABLE idempotency_keys DROP COLUMN lease_expires_at`);
}

