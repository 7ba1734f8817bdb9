import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revoked access tokens, as a feed the other services follow: a user's token version goes up when
 * they are blocked, deactivated or change their password (tokens carry it as `ver`), and a session
 * (`sid`, the refresh-token family) ends at logout. No foreign key: a deleted user's revocation must
 * outlive the user.
 */
export class TokenRevocations1764400000000 implements MigrationInterface {
  name = 'TokenRevocations1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE token_revocations (
        id            BIGSERIAL PRIMARY KEY,
        user_id       bigint      NOT NULL,
        session_id    uuid,
        token_version integer     NOT NULL DEFAULT 0,
        expires_at    timestamptz NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX token_revocations_expires_idx ON token_revocations (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE token_revocations`);
    await q.query(`ALTER TABLE users DROP COLUMN token_version`);
  }
}
