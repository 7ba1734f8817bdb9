import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A repeated charge is answered from idempotency_keys by its key alone, before the order (and so
 * the owner that scopes the key) is known: the primary key (scope, key) cannot serve that look-up.
 */
export class IdempotencyKeyLookup1765500000000 implements MigrationInterface {
  name = 'IdempotencyKeyLookup1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idempotency_keys_key_idx ON idempotency_keys (key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idempotency_keys_key_idx`);
  }
}
