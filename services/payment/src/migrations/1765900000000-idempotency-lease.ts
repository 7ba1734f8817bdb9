import { MigrationInterface, QueryRunner } from 'typeorm';
import { addIdempotencyLease, dropIdempotencyLease } from '@etsr/platform';

/**
 * The platform's IdempotencyStore keeps a lease on each claimed Idempotency-Key. A charge claims
 * its key in its own transaction and does not renew it, so it keeps the 120 s it had before (the
 * store's default lease); the order service renews its claims and lets a retry take over a dead one.
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
