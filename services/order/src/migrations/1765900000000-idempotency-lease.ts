import { MigrationInterface, QueryRunner } from 'typeorm';
import { addIdempotencyLease, dropIdempotencyLease } from '@etsr/platform';

/**
 * A claimed Idempotency-Key carries a lease instead of counting as stale 120 s after it was taken:
 * a request renews it while it runs, so a repeat can tell a request still running from one whose
 * process died, and take the latter over within seconds (the platform's IdempotencyStore).
 */
export class IdempotencyLease1765900000000 implements MigrationInterface {
  name = 'IdempotencyLease1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await addIdempotencyLease(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropIdempotencyLease(q);
  }
}
