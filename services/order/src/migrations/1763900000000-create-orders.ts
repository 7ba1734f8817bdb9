import { MigrationInterface, QueryRunner } from 'typeorm';
import { createIdempotencyTable, createOutboxTable } from '@etsr/platform';

export class CreateOrders1763900000000 implements MigrationInterface {
  name = 'CreateOrders1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orders (
        id              uuid PRIMARY KEY,
        user_id         bigint       NOT NULL,
        customer_email  varchar(100),
        event_id        bigint       NOT NULL,
        reservation_id  varchar(40)  NOT NULL,
        subtotal_cents  integer      NOT NULL,
        tax_cents       integer      NOT NULL,
        total_cents     integer      NOT NULL,
        currency        varchar(3)   NOT NULL,
        status          varchar(20)  NOT NULL DEFAULT 'PENDING',
        payment_id      varchar(64),
        hold_expires_at timestamptz  NOT NULL,
        failure_reason  text,
        created_at      timestamptz  NOT NULL DEFAULT now(),
        updated_at      timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT orders_status_check CHECK (status IN ('PENDING', 'PAYMENT_PROCESSING', 'CONFIRMED', 'FAILED', 'CANCELLED', 'REFUNDED')),
        CONSTRAINT orders_amounts_check CHECK (subtotal_cents >= 0 AND tax_cents >= 0 AND total_cents = subtotal_cents + tax_cents)
      )`);
    // One order per hold: a second order for the same reservation is refused by the database.
    await q.query(`CREATE UNIQUE INDEX orders_reservation_key ON orders (reservation_id)`);
    await q.query(`CREATE INDEX orders_user_idx ON orders (user_id, created_at)`);
    await q.query(`CREATE INDEX orders_event_idx ON orders (event_id)`);
    await q.query(`CREATE INDEX orders_open_idx ON orders (updated_at) WHERE status IN ('PENDING', 'PAYMENT_PROCESSING', 'FAILED')`);

    await q.query(`
      CREATE TABLE order_items (
        id               BIGSERIAL PRIMARY KEY,
        order_id         uuid        NOT NULL,
        seat_id          bigint      NOT NULL,
        seat_code        varchar(50) NOT NULL,
        seat_price_cents integer     NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX order_items_order_seat_key ON order_items (order_id, seat_id)`);

    await q.query(`
      CREATE TABLE tickets (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id       uuid        NOT NULL,
        event_id       bigint      NOT NULL,
        seat_id        bigint      NOT NULL,
        seat_code      varchar(50) NOT NULL,
        ticket_code    varchar(40) NOT NULL,
        signed_payload text        NOT NULL,
        status         varchar(10) NOT NULL DEFAULT 'VALID',
        checked_in_at  timestamptz,
        issued_at      timestamptz NOT NULL DEFAULT now(),
        voided_at      timestamptz,
        CONSTRAINT tickets_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
        CONSTRAINT tickets_status_check CHECK (status IN ('VALID', 'VOID'))
      )`);
    await q.query(`CREATE UNIQUE INDEX tickets_code_key ON tickets (ticket_code)`);
    // Exactly one ticket per seat of an order, and never two valid tickets for one seat of an event.
    await q.query(`CREATE UNIQUE INDEX tickets_order_seat_key ON tickets (order_id, seat_id)`);
    await q.query(`CREATE UNIQUE INDEX tickets_valid_seat_key ON tickets (event_id, seat_id) WHERE status = 'VALID'`);

    // Callbacks already applied, by payment id and status: a repeat is acknowledged and ignored.
    await q.query(`
      CREATE TABLE processed_callbacks (
        callback_key varchar(120) PRIMARY KEY,
        order_id     uuid        NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      )`);

    await createOutboxTable(q);
    await createIdempotencyTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['idempotency_keys', 'outbox', 'processed_callbacks', 'tickets', 'order_items', 'orders']) await q.query(`DROP TABLE ${table}`);
  }
}
