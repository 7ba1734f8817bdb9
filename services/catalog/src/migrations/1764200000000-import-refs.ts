import { MigrationInterface, QueryRunner } from 'typeorm';

/** The source key of venues and events loaded by the importer (seedDataToDB.js). */
export class ImportRefs1764200000000 implements MigrationInterface {
  name = 'ImportRefs1764200000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['venues', 'events']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN external_ref varchar(200)`);
      await q.query(`CREATE UNIQUE INDEX ${table}_external_ref_key ON ${table} (external_ref)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['events', 'venues']) {
      await q.query(`DROP INDEX ${table}_external_ref_key`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN external_ref`);
    }
  }
}
