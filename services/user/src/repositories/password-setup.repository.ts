import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows } from '@etsr/platform';

/** One-time password setup tokens (stored as SHA-256 only). */
@Injectable()
export class PasswordSetupRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(userId: number, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.db.query(`INSERT INTO password_setup_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`, [tokenHash, userId, expiresAt]);
  }

  /**
   * Spends the token and sets the password in one transaction; the conditional UPDATE lets only
   * one of two racing uses win. Resolves to the user id, or null when the token is unknown, used
   * or expired. The user's sessions end (as with any password change).
   */
  async spend(tokenHash: string, passwordHash: string): Promise<number | null> {
    return this.db.transaction(async (tx) => {
      const [row] = await sqlRows<{ user_id: string }>(
        tx,
        `UPDATE password_setup_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
        [tokenHash],
      );
      if (!row) return null;
      await tx.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE user_id = $1`, [row.user_id, passwordHash]);
      await tx.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [row.user_id]);
      // Other tokens of the same user are void once a password is set.
      await tx.query(`UPDATE password_setup_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [row.user_id]);
      return Number(row.user_id);
    });
  }
}
