import { QueryRunner } from 'typeorm';

/**
 * The outbox table every service that must act after a commit keeps in its own database. A
 * service's migration calls this, so the schema is written once and each service still owns its
 * migrations. Rows are written in the same transaction as the change they follow.
 */
export async function createOutboxTable(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE TABLE outbox (
      id              BIGSERIAL PRIMARY KEY,
      topic           varchar(100) NOT NULL,
      payload         jsonb        NOT NULL,
      -- Enqueuing the same key twice keeps the first: a retried request cannot send twice.
      dedupe_key      varchar(200),
      status          varchar(10)  NOT NULL DEFAULT 'PENDING',
      attempts        integer      NOT NULL DEFAULT 0,
      next_attempt_at timestamptz  NOT NULL DEFAULT now(),
      lease_until     timestamptz,
      last_error      text,
      created_at      timestamptz  NOT NULL DEFAULT now(),
      sent_at         timestamptz,
      CONSTRAINT outbox_status_check CHECK (status IN ('PENDING', 'SENT', 'DEAD'))
    )`);
  await q.query(`CREATE UNIQUE INDEX outbox_dedupe_key ON outbox (dedupe_key) WHERE dedupe_key IS NOT NULL`);
  await q.query(`CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'PENDING'`);
}

export async function dropOutboxTable(q: QueryRunner): Promise<void> {
  await q.query(`DROP TABLE outbox`);
}
