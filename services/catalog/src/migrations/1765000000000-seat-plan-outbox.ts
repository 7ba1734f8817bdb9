import { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTable, dropOutboxTable } from '@etsr/platform';

/**
 * The outbox: an event created with a seat layout hands it to seating after its commit (at least
 * once, retried while seating is away), so a new event is bookable without a second call.
 */
export class SeatPlanOutbox1765000000000 implements MigrationInterface {
  name = 'SeatPlanOutbox1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await createOutboxTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropOutboxTable(q);
  }
}
