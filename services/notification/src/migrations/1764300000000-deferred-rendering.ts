import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Receiving an event becomes one quick INSERT: the event is stored as received (`payload`) with a
 * row per channel that has no body yet; the sender renders the bodies and QR codes when it first
 * claims the notification. `body_text IS NULL` means "not rendered yet"; nothing is SENT unrendered.
 * The payload is cleared once every notification of the event is rendered (an account event's
 * payload holds its one-time token).
 */
export class DeferredRendering1764300000000 implements MigrationInterface {
  name = 'DeferredRendering1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification_events ADD COLUMN payload jsonb`);
    await q.query(`
      ALTER TABLE notifications
        ALTER COLUMN body_text DROP NOT NULL,
        ADD CONSTRAINT notifications_rendered_check CHECK (status <> 'SENT' OR body_text IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Notifications not rendered yet cannot live in the old schema; they are given up.
    await q.query(`
      UPDATE notifications SET status = 'FAILED', body_text = '', lease_until = NULL, updated_at = now(),
             last_error = left(coalesce(last_error || '; ', '') || 'not rendered before a schema downgrade', 2000)
       WHERE body_text IS NULL`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_rendered_check, ALTER COLUMN body_text SET NOT NULL`);
    await q.query(`ALTER TABLE notification_events DROP COLUMN payload`);
  }
}
