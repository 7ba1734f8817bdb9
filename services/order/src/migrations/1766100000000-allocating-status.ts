import { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES = (middle: string) => `'PENDING', '${middle}', 'CONFIRMED', 'FAILED', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED'`;

/**
 * PAYMENT_PROCESSING is renamed ALLOCATING: an order has it once its payment succeeded, while its
 * seats are sold and its tickets issued, so the old name said the opposite of what was happening.
 * Existing rows move over, and the reconciler's partial index follows the name.
 */
export class AllocatingStatus1766100000000 implements MigrationInterface {
  name = 'AllocatingStatus1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await this.rename(q, 'PAYMENT_PROCESSING', 'ALLOCATING');
  }

  async down(q: QueryRunner): Promise<void> {
    await this.rename(q, 'ALLOCATING', 'PAYMENT_PROCESSING');
  }

  private async rename(q: QueryRunner, from: string, to: string): Promise<void> {
    await q.query(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`);
    await q.query(`UPDATE orders SET status = $1 WHERE status = $2`, [to, from]);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN (${STATUSES(to)}))`);
    await q.query(`DROP INDEX orders_open_idx`);
    await q.query(`CREATE INDEX orders_open_idx ON orders (updated_at) WHERE status IN ('PENDING', '${to}', 'FAILED')`);
  }
}
