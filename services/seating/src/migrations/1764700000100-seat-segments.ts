import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Seats know which part of their row they are in, between aisles (0 = the first part, or the
 * whole row when it has no aisle), so "best available" never puts a block across an aisle.
 * A constant default makes this a catalogue-only change: no table rewrite, existing seats get 0.
 */
export class SeatSegments1764700000100 implements MigrationInterface {
  name = 'SeatSegments1764700000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seats ADD COLUMN segment smallint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seats DROP COLUMN segment`);
  }
}
