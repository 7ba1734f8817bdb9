import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '@etsr/platform';
import { SETUP_TOKEN_TTL_SECONDS, TokenPurpose } from '../entities/password-setup-token.entity';
import { ACCOUNT_NOTICE_TOPIC } from '../services/account-mailer.service';
import { UsersRepository } from './users.repository';

/** One-time password tokens, setup and reset alike (stored as SHA-256 only). */
@Injectable()
export class PasswordSetupRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersRepository,
  ) {}

  async insert(tx: EntityManager, userId: number, tokenHash: string, purpose: TokenPurpose, expiresAt: Date): Promise<void> {
    await tx.query(`INSERT INTO password_setup_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)`, [tokenHash, userId, purpose, expiresAt]);
  }

  /**
   * Spends the token and sets the password, in `tx`; the conditional UPDATE lets only
   * one of two racing uses win. Resolves to the user id, or null when the token is unknown, used
   * or expired. The user's sessions end (as with any password change).
   */
  async spend(tx: EntityManager, tokenHash: string, passwordHash: string): Promise<number | null> {
    const [row] = await sqlRows<{ user_id: string }>(
      tx,
      `UPDATE password_setup_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
      [tokenHash],
    );
    if (!row) return null;
    await tx.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE user_id = $1`, [row.user_id, passwordHash]);
    // Other tokens of the same user are void once a password is set.
    await tx.query(`UPDATE password_setup_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [row.user_id]);
    // Last: it takes the revocation lock, held until the commit.
    await this.users.endSessions(tx, Number(row.user_id));
    return Number(row.user_id);
  }

  /** Tokens spent or expired for over a day, and delivered account e-mails (they hold a token in clear). */
  async deleteStale(): Promise<number> {
    const tokens = await sqlRows(
      this.db,
      `DELETE FROM password_setup_tokens WHERE coalesce(used_at, expires_at) < now() - interval '1 day' RETURNING token_hash`,
    );
    // A dead notice is kept for an operator until every token it could carry has expired.
    await this.db.query(
      `DELETE FROM outbox WHERE topic = $1 AND (status = 'SENT' OR (status = 'DEAD' AND created_at < now() - make_interval(secs => $2)))`,
      [ACCOUNT_NOTICE_TOPIC, SETUP_TOKEN_TTL_SECONDS],
    );
    return tokens.length;
  }
}
