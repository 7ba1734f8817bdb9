import { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTable, dropOutboxTable } from '@etsr/platform';

/**
 * Account e-mails: a token is either an admin's invitation to set a password (SETUP) or a reset
 * the owner asked for (RESET), and the e-mails carrying them leave through a stored outbox.
 */
export class AccountEmails1764300000000 implements MigrationInterface {
  name = 'AccountEmails1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE password_setup_tokens ADD COLUMN purpose varchar(10) NOT NULL DEFAULT 'SETUP'`);
    await q.query(`ALTER TABLE password_setup_tokens ADD CONSTRAINT password_setup_tokens_purpose_check CHECK (purpose IN ('SETUP', 'RESET'))`);
    await createOutboxTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropOutboxTable(q);
    await q.query(`ALTER TABLE password_setup_tokens DROP COLUMN purpose`);
  }
}
