import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial refunds: every refund is a row of payment_refunds, keyed per payment (a repeat with the
 * same key is the same refund), and payments.refunded_cents sums them; a CHECK keeps the sum
 * within the payment, besides the row lock and the conditional update that refunds take.
 */
export class PartialRefunds1766000000000 implements MigrationInterface {
  name = 'PartialRefunds1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments ADD COLUMN refunded_cents integer NOT NULL DEFAULT 0`);
    await q.query(`UPDATE payments SET refunded_cents = amount_cents WHERE status = 'REFUNDED'`);
    await q.query(`ALTER TABLE payments ADD CONSTRAINT payments_refunded_cents_check CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents)`);
    await q.query(`
      CREATE TABLE payment_refunds (
        refund_id    varchar(40)  NOT NULL,
        payment_id   varchar(40)  NOT NULL,
        refund_key   varchar(100) NOT NULL,
        amount_cents integer      NOT NULL,
        reason       varchar(500),
        created_at   timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT payment_refunds_pkey PRIMARY KEY (refund_id),
        CONSTRAINT payment_refunds_key UNIQUE (payment_id, refund_key),
        CONSTRAINT payment_refunds_amount_check CHECK (amount_cents > 0),
        CONSTRAINT payment_refunds_payment_fkey FOREIGN KEY (payment_id) REFERENCES payments (payment_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_refunds`);
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_refunded_cents_check`);
    await q.query(`ALTER TABLE payments DROP COLUMN refunded_cents`);
  }
}
