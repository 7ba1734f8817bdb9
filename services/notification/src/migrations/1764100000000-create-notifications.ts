import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotifications1764100000000 implements MigrationInterface {
  name = 'CreateNotifications1764100000000';

  async up(q: QueryRunner): Promise<void> {
    // The primary key is the sender's event id: receiving the same event twice cannot make two sets of notifications.
    await q.query(`
      CREATE TABLE notification_events (
        event_id     uuid        PRIMARY KEY,
        type         varchar(30) NOT NULL,
        user_id      bigint      NOT NULL,
        order_id     uuid        NOT NULL,
        request_hash char(64)    NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_events_type_check CHECK (type IN ('ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED'))
      )`);

    await q.query(`
      CREATE TABLE notifications (
        notification_id     uuid         PRIMARY KEY,
        event_id            uuid         NOT NULL,
        type                varchar(30)  NOT NULL,
        channel             varchar(10)  NOT NULL,
        user_id             bigint       NOT NULL,
        order_id            uuid         NOT NULL,
        recipient           varchar(254) NOT NULL,
        subject             varchar(300),
        body_text           text         NOT NULL,
        body_html           text,
        status              varchar(10)  NOT NULL DEFAULT 'PENDING',
        attempts            integer      NOT NULL DEFAULT 0,
        next_attempt_at     timestamptz  NOT NULL DEFAULT now(),
        lease_until         timestamptz,
        last_error          text,
        provider_message_id varchar(300),
        sent_at             timestamptz,
        trace_id            char(32),
        created_at          timestamptz  NOT NULL DEFAULT now(),
        updated_at          timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT notifications_event_fk FOREIGN KEY (event_id) REFERENCES notification_events (event_id) ON DELETE CASCADE,
        CONSTRAINT notifications_channel_check CHECK (channel IN ('EMAIL', 'SMS')),
        CONSTRAINT notifications_status_check CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
        CONSTRAINT notifications_sent_check CHECK ((status = 'SENT') = (sent_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX notifications_event_channel_key ON notifications (event_id, channel)`);
    // The sender's claim query: due PENDING rows, oldest first.
    await q.query(`CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX notifications_user_idx ON notifications (user_id, created_at)`);
    await q.query(`CREATE INDEX notifications_order_idx ON notifications (order_id, created_at)`);
    await q.query(`CREATE INDEX notifications_created_idx ON notifications (created_at)`);

    await q.query(`
      CREATE TABLE notification_attachments (
        notification_id uuid         NOT NULL,
        seq             smallint     NOT NULL,
        content_id      varchar(100) NOT NULL,
        filename        varchar(150) NOT NULL,
        content_type    varchar(50)  NOT NULL,
        content         bytea        NOT NULL,
        CONSTRAINT notification_attachments_pkey PRIMARY KEY (notification_id, seq),
        CONSTRAINT notification_attachments_notification_fk FOREIGN KEY (notification_id) REFERENCES notifications (notification_id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_attachments`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE notification_events`);
  }
}
