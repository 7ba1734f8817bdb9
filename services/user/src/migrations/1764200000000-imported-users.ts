import { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts loaded by the importer: no password until the owner sets one, and the source's key. */
export class ImportedUsers1764200000000 implements MigrationInterface {
  name = 'ImportedUsers1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL`);
    await q.query(`ALTER TABLE users ADD COLUMN external_ref varchar(200)`);
    await q.query(`CREATE UNIQUE INDEX users_external_ref_key ON users (external_ref)`);
    await q.query(`
      CREATE TABLE password_setup_tokens (
        token_hash char(64) PRIMARY KEY,
        user_id    bigint      NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at    timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT password_setup_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (user_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX password_setup_tokens_user_idx ON password_setup_tokens (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE password_setup_tokens`);
    await q.query(`DROP INDEX users_external_ref_key`);
    await q.query(`ALTER TABLE users DROP COLUMN external_ref`);
    await q.query(`ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL`);
  }
}
