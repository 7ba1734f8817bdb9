import { MigrationInterface, QueryRunner } from 'typeorm';

/** The event's name, read from the catalog when the order is made, for the buyer's e-mails. */
export class OrderEventName1763900000001 implements MigrationInterface {
  name = 'OrderEventName1763900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN event_name varchar(200)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP COLUMN event_name`);
  }
}
