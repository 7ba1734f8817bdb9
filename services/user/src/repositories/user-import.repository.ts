import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { sqlRows } from '@etsr/platform';
import { ImportUserDto, ImportedUserDto } from '../dtos/import.dto';

/** How many suffixes (_2, _3, …) are tried before a username is given up on. */
const MAX_USERNAME_TRIES = 50;

/**
 * Imported accounts, keyed by their source reference. Every insert is `ON CONFLICT DO NOTHING`:
 * the unique indexes decide, so two importers running the same batch at once create each account
 * once (the second waits for the first's commit, then finds the row by its reference).
 */
@Injectable()
export class UserImportRepository {
  async importUser(tx: EntityManager, user: ImportUserDto): Promise<ImportedUserDto> {
    for (let attempt = 1; attempt <= MAX_USERNAME_TRIES; attempt++) {
      const present = await this.byRef(tx, user.externalRef);
      if (present) return { externalRef: user.externalRef, outcome: 'present', ...present };
      const username = attempt === 1 ? user.username : `${user.username.slice(0, 46)}_${attempt}`;
      const [row] = await sqlRows<{ user_id: string }>(
        tx,
        `INSERT INTO users (username, email, password_hash, first_name, last_name, phone_number, role, external_ref, created_at, updated_at)
         VALUES ($1, $2, NULL, $3, $4, $5, 'USER', $6, $7, $7) ON CONFLICT DO NOTHING RETURNING user_id`,
        [username, user.email, user.firstName, user.lastName, user.phoneNumber ?? null, user.externalRef, user.createdAt],
      );
      if (row) return { externalRef: user.externalRef, outcome: 'created', userId: Number(row.user_id), username };
      const [owner] = await sqlRows<{ external_ref: string | null }>(tx, `SELECT external_ref FROM users WHERE email = $1`, [user.email]);
      if (owner && owner.external_ref !== user.externalRef) {
        return { externalRef: user.externalRef, outcome: 'conflict', userId: null, username: null, error: 'EMAIL_TAKEN' };
      }
      // Otherwise the username was taken (or a racing importer just created this very account): try again.
    }
    return { externalRef: user.externalRef, outcome: 'conflict', userId: null, username: null, error: 'USERNAME_TAKEN' };
  }

  private async byRef(tx: EntityManager, ref: string): Promise<{ userId: number; username: string } | null> {
    const [row] = await sqlRows<{ user_id: string; username: string }>(tx, `SELECT user_id, username FROM users WHERE external_ref = $1`, [ref]);
    return row ? { userId: Number(row.user_id), username: row.username } : null;
  }
}
