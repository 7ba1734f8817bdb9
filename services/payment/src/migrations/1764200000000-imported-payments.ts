import { MigrationInterface, QueryRunner } from 'typeorm';

/** The source key of payments loaded by the importer (seedDataToDB.js). */
export class ImportedPayments1764200000000 implements MigrationInterface {
  name = 'ImportedPayments1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments ADD COLUMN external_ref varchar(200)`);
    await q.query(`CREATE UNIQUE INDEX payments_external_ref_key ON payments (external_ref)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX payments_external_ref_key`);
    await q.query(`ALTER TABLE payments DROP COLUMN external_ref`);
  }
}
