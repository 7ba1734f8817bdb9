import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account e-mails of the user service (ACCOUNT_SETUP, PASSWORD_RESET): notices without an order.
 * order_id becomes nullable in both tables, and a CHECK keeps it set for every order notice.
 */
export class AccountNotifications1764200000000 implements MigrationInterface {
  name = 'AccountNotifications1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE notification_events
        ALTER COLUMN order_id DROP NOT NULL,
        DROP CONSTRAINT notification_events_type_check,
        ADD CONSTRAINT notification_events_type_check
          CHECK (type IN ('ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED', 'ACCOUNT_SETUP', 'PASSWORD_RESET')),
        ADD CONSTRAINT notification_events_order_check CHECK ((order_id IS NULL) = (type IN ('ACCOUNT_SETUP', 'PASSWORD_RESET')))`);
    await q.query(`
      ALTER TABLE notifications
        ALTER COLUMN order_id DROP NOT NULL,
        ADD CONSTRAINT notifications_order_check CHECK ((order_id IS NULL) = (type IN ('ACCOUNT_SETUP', 'PASSWORD_RESET')))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Account notices cannot live in the old schema; their notifications and attachments go with them (ON DELETE CASCADE).
    await q.query(`DELETE FROM notification_events WHERE type IN ('ACCOUNT_SETUP', 'PASSWORD_RESET')`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_order_check, ALTER COLUMN order_id SET NOT NULL`);
    await q.query(`
      ALTER TABLE notification_events
        DROP CONSTRAINT notification_events_order_check,
        DROP CONSTRAINT notification_events_type_check,
        ADD CONSTRAINT notification_events_type_check CHECK (type IN ('ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED')),
        ALTER COLUMN order_id SET NOT NULL`);
  }
}
