import { MigrationInterface, QueryRunner } from 'typeorm';
import { createIdempotencyTable, createOutboxTable, dropOutboxTable } from '@etsr/platform';

export class CreatePayments1763950000000 implements MigrationInterface {
  name = 'CreatePayments1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payments (
        payment_id        varchar(40)  PRIMARY KEY,
        merchant_order_id uuid         NOT NULL,
        user_id           bigint       NOT NULL,
        amount_cents      integer      NOT NULL,
        currency          varchar(3)   NOT NULL DEFAULT 'INR',
        status            varchar(20)  NOT NULL DEFAULT 'PENDING',
        idempotency_key   varchar(255) NOT NULL,
        payment_method    varchar(20)  NOT NULL,
        transaction_id    varchar(100),
        failure_reason    text,
        refund_id         varchar(40),
        refund_reason     varchar(500),
        refunded_at       timestamptz,
        created_at        timestamptz  NOT NULL DEFAULT now(),
        updated_at        timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT payments_status_check CHECK (status IN ('PENDING', 'SUCCESS', 'FAILED', 'REFUNDED')),
        CONSTRAINT payments_amount_check CHECK (amount_cents > 0),
        CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT payments_method_check CHECK (payment_method IN ('UPI', 'CREDIT_CARD', 'DEBIT_CARD', 'WALLET', 'NETBANKING', 'TEST_DECLINE')),
        CONSTRAINT payments_failure_check CHECK (status <> 'FAILED' OR failure_reason IS NOT NULL),
        CONSTRAINT payments_refund_check CHECK ((status = 'REFUNDED') = (refund_id IS NOT NULL AND refunded_at IS NOT NULL))
      )`);
    // One live payment per order: a second charge while one is PENDING, or after one succeeded, is
    // refused by the index, not by a look-up first. A FAILED one leaves room to pay again.
    await q.query(`CREATE UNIQUE INDEX payments_order_active_key ON payments (merchant_order_id) WHERE status IN ('PENDING', 'SUCCESS', 'REFUNDED')`);
    await q.query(`CREATE UNIQUE INDEX payments_idempotency_key ON payments (user_id, idempotency_key)`);
    await q.query(`CREATE INDEX payments_order_idx ON payments (merchant_order_id, created_at)`);
    await q.query(`CREATE INDEX payments_pending_idx ON payments (created_at) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX payments_created_idx ON payments (created_at)`);
    await q.query(`CREATE INDEX payments_status_created_idx ON payments (status, created_at)`);

    await createIdempotencyTable(q);
    await createOutboxTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropOutboxTable(q);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE payments`);
  }
}
