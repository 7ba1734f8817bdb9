import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '@etsr/platform';
import { TokenRevocationsRepository } from './token-revocations.repository';

export interface ClaimedToken {
  userId: number;
  familyId: string;
}

export type ClaimResult =
  | { kind: 'claimed'; token: ClaimedToken }
  /** The token had already been used: someone replayed it. The caller revokes its family. */
  | { kind: 'reused'; userId: number; familyId: string }
  | { kind: 'invalid' };

@Injectable()
export class RefreshTokensRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly revocations: TokenRevocationsRepository,
  ) {}

  async insert(userId: number, familyId: string, tokenHash: string, ttlSeconds: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [userId, familyId, tokenHash, ttlSeconds],
    );
  }

  /**
   * Marks a live token used, atomically: of two requests presenting the same token, exactly one
   * claims it. A token that was already used is a replay: 'reused', with the family to revoke.
   */
  async claim(tokenHash: string): Promise<ClaimResult> {
    const claimed = await sqlRows<{ user_id: string; family_id: string }>(
      this.dataSource,
      `UPDATE refresh_tokens SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
        RETURNING user_id, family_id`,
      [tokenHash],
    );
    if (claimed.length) return { kind: 'claimed', token: { userId: Number(claimed[0].user_id), familyId: claimed[0].family_id } };
    const [existing] = await sqlRows<{ user_id: string; family_id: string; used_at: Date | null }>(
      this.dataSource,
      `SELECT user_id, family_id, used_at FROM refresh_tokens WHERE token_hash = $1`,
      [tokenHash],
    );
    if (existing?.used_at) return { kind: 'reused', userId: Number(existing.user_id), familyId: existing.family_id };
    return { kind: 'invalid' };
  }

  /**
   * Revokes, in `tx`, the family a token belongs to (logout), and its access tokens; false when the
   * token is unknown or already revoked.
   */
  revokeFamilyOf(tx: EntityManager, tokenHash: string): Promise<boolean> {
    return this.revokeFamilyWhere(tx, `family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)`, tokenHash);
  }

  /** Ends a session in `tx`: its refresh tokens, and (through the revocation feed) its access tokens. */
  async revokeFamily(tx: EntityManager, familyId: string): Promise<void> {
    await this.revokeFamilyWhere(tx, `family_id = $1`, familyId);
  }

  private async revokeFamilyWhere(tx: EntityManager, condition: string, param: string): Promise<boolean> {
    const rows = await sqlRows<{ user_id: string; family_id: string }>(
      tx,
      `UPDATE refresh_tokens SET revoked_at = now() WHERE ${condition} AND revoked_at IS NULL RETURNING user_id, family_id`,
      [param],
    );
    if (rows.length) await this.revocations.revokeSession(tx, Number(rows[0].user_id), rows[0].family_id);
    return rows.length > 0;
  }

  /** Sessions that can still be refreshed: one live token per session. */
  async countLive(): Promise<number> {
    const [row] = await sqlRows<{ n: string }>(
      this.dataSource,
      `SELECT count(*) AS n FROM refresh_tokens WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
    );
    return Number(row.n);
  }

  /** Rows nobody can use any more; kept a week for investigating replays. */
  async deleteStale(): Promise<number> {
    const rows = await sqlRows(
      this.dataSource,
      `DELETE FROM refresh_tokens WHERE expires_at < now() - interval '7 days' OR revoked_at < now() - interval '7 days' RETURNING id`,
    );
    return rows.length;
  }
}
