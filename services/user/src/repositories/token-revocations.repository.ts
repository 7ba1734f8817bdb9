import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TokenRevocationPage, sqlRows } from '@etsr/platform';
import { UserConfig } from '../config';

/** A feed page holds at most this many revocations; the reader asks again for the rest. */
const PAGE_SIZE = 1000;
/**
 * Kept this much longer than the access-token lifetime: a token may be accepted a little past its
 * `exp` by a service whose clock is behind.
 */
const CLOCK_MARGIN_SECONDS = 60;
/** A deleted account's tokens are all void: no version is this high. */
const EVERY_VERSION = 2_147_483_647;

interface RevocationRow {
  id: string;
  user_id: string;
  session_id: string | null;
  token_version: number;
  expires_at: Date;
}

/**
 * Writes revocations inside the transaction that causes them (status change, password change,
 * logout), and reads them as the feed every service follows.
 */
@Injectable()
export class TokenRevocationsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: UserConfig,
  ) {}

  /** Raises the user's token version: every access token issued before is void. */
  async revokeUser(tx: EntityManager, userId: number): Promise<void> {
    const [row] = await sqlRows<{ token_version: number }>(
      tx,
      `UPDATE users SET token_version = token_version + 1 WHERE user_id = $1 RETURNING token_version`,
      [userId],
    );
    if (row) await this.insert(tx, userId, null, row.token_version);
  }

  /** A deleted account: all its tokens are void, whatever their version. */
  revokeDeletedUser(tx: EntityManager, userId: number): Promise<void> {
    return this.insert(tx, userId, null, EVERY_VERSION);
  }

  /** The session (refresh-token family) ended: its access tokens are void. */
  revokeSession(tx: EntityManager, userId: number, sessionId: string): Promise<void> {
    return this.insert(tx, userId, sessionId, 0);
  }

  /**
   * The feed: revocations after `after`, or with none every one still in force (a reader that
   * starts). Ids are handed out in commit order (see `insert`), so a reader that has seen id N has
   * seen every id below it, and the cursor never skips a revocation committed late.
   */
  async page(after: number | undefined): Promise<TokenRevocationPage> {
    // At start, the newest id comes from the same statement (same snapshot) as the rows: every id up
    // to it is either in the answer or expired, so the cursor can start there.
    const rows = await sqlRows<RevocationRow & { last?: string }>(
      this.db,
      after === undefined
        ? `SELECT r.*, l.last FROM (SELECT coalesce(max(id), 0) AS last FROM token_revocations) l
           LEFT JOIN LATERAL (SELECT id, user_id, session_id, token_version, expires_at FROM token_revocations
                               WHERE expires_at > now() ORDER BY id LIMIT $1) r ON true`
        : `SELECT id, user_id, session_id, token_version, expires_at FROM token_revocations WHERE id > $2 ORDER BY id LIMIT $1`,
      after === undefined ? [PAGE_SIZE] : [PAGE_SIZE, after],
    );
    const revocations = rows
      .filter((r) => r.id !== null)
      .map((r) => ({
        id: Number(r.id),
        userId: Number(r.user_id),
        sessionId: r.session_id,
        tokenVersion: r.token_version,
        expiresAt: r.expires_at.getTime(),
      }));
    const more = revocations.length === PAGE_SIZE;
    const last = revocations.at(-1)?.id;
    const cursor = more ? last! : Math.max(last ?? 0, Number(after ?? rows[0]?.last ?? 0));
    return { revocations, cursor, more };
  }

  /** Revocations whose tokens have all expired (kept a day more, for investigating). */
  async deleteExpired(): Promise<number> {
    const rows = await sqlRows(this.db, `DELETE FROM token_revocations WHERE expires_at < now() - interval '1 day' RETURNING id`);
    return rows.length;
  }

  /**
   * The transaction-scoped lock makes revocations take their ids one transaction after another:
   * the sequence is read only once the previous writer has committed, so ids become visible in
   * order. Revocations are rare (logouts, blocks), so the queue is short; callers revoke at the
   * end of their transaction, so the lock is held only until the commit.
   */
  private async insert(tx: EntityManager, userId: number, sessionId: string | null, tokenVersion: number): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('token_revocations'))`);
    await tx.query(
      `INSERT INTO token_revocations (user_id, session_id, token_version, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [userId, sessionId, tokenVersion, this.config.ACCESS_TOKEN_TTL_SECONDS + CLOCK_MARGIN_SECONDS],
    );
  }
}
