import { MigrationInterface, QueryRunner } from 'typeorm';

/** PARTIALLY_REFUNDED: an admin refunded the unused tickets of a confirmed order; the used ones stay valid. */
export class PartiallyRefunded1766000000000 implements MigrationInterface {
  name = 'PartiallyRefunded1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`);
    await q.query(
      `ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('PENDING', 'PAYMENT_PROCESSING', 'CONFIRMED', 'FAILED', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`);
    // Before this status, an order with some tickets refunded stayed CONFIRMED.
    await q.query(`UPDATE orders SET status = 'CONFIRMED' WHERE status = 'PARTIALLY_REFUNDED'`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('PENDING', 'PAYMENT_PROCESSING', 'CONFIRMED', 'FAILED', 'CANCELLED', 'REFUNDED'))`);
  }
}
