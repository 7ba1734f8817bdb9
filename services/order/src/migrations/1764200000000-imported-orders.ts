import { MigrationInterface, QueryRunner } from 'typeorm';

/** The source key of orders loaded by the importer (seedDataToDB.js). */
export class ImportedOrders1764200000000 implements MigrationInterface {
  name = 'ImportedOrders1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN external_ref varchar(200)`);
    await q.query(`CREATE UNIQUE INDEX orders_external_ref_key ON orders (external_ref)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX orders_external_ref_key`);
    await q.query(`ALTER TABLE orders DROP COLUMN external_ref`);
  }
}
