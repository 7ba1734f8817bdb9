import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1763700000000 implements MigrationInterface {
  name = 'CreateUsers1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        user_id        BIGSERIAL PRIMARY KEY,
        username       varchar(50)  NOT NULL,
        email          varchar(100) NOT NULL,
        password_hash  varchar(255) NOT NULL,
        first_name     varchar(50)  NOT NULL,
        last_name      varchar(50)  NOT NULL,
        phone_number   varchar(16),
        role           varchar(10)  NOT NULL DEFAULT 'USER',
        account_status varchar(20)  NOT NULL DEFAULT 'ACTIVE',
        created_at     timestamptz  NOT NULL DEFAULT now(),
        updated_at     timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT users_role_check CHECK (role IN ('USER', 'ADMIN')),
        CONSTRAINT users_account_status_check CHECK (account_status IN ('ACTIVE', 'INACTIVE', 'BLOCKED'))
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username))`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (email)`);
    await q.query(`CREATE INDEX users_account_status_idx ON users (account_status)`);
    // Admin search is a substring match over names and e-mail: a trigram index keeps it fast.
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(
      `CREATE INDEX users_search_trgm_idx ON users USING gin ((lower(username || ' ' || email || ' ' || first_name || ' ' || last_name)) gin_trgm_ops)`,
    );

    await q.query(`
      CREATE TABLE refresh_tokens (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id     bigint NOT NULL,
        family_id   uuid NOT NULL,
        token_hash  char(64) NOT NULL,
        expires_at  timestamptz NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        used_at     timestamptz,
        revoked_at  timestamptz,
        CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (user_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash)`);
    await q.query(`CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id)`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX refresh_tokens_live_idx ON refresh_tokens (expires_at) WHERE used_at IS NULL AND revoked_at IS NULL`);

    // Fixed-window login counters. Unlogged: losing them in a crash only resets the limits.
    await q.query(`
      CREATE UNLOGGED TABLE login_throttle (
        key          varchar(200) PRIMARY KEY,
        window_start timestamptz NOT NULL,
        attempts     integer NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_throttle`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE users`);
  }
}
