import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSeating1763800000000 implements MigrationInterface {
  name = 'CreateSeating1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE seats (
        seat_id            BIGSERIAL PRIMARY KEY,
        event_id           bigint       NOT NULL,
        venue_id           bigint       NOT NULL,
        section            varchar(20)  NOT NULL,
        row_label          varchar(10)  NOT NULL,
        seat_number        integer      NOT NULL,
        status             varchar(20)  NOT NULL DEFAULT 'AVAILABLE',
        reservation_id     varchar(40),
        reserved_by        bigint,
        reservation_expiry timestamptz,
        price              numeric(10,2) NOT NULL,
        row_index          integer      NOT NULL,
        row_size           integer      NOT NULL,
        pos_x              real         NOT NULL,
        created_at         timestamptz  NOT NULL DEFAULT now(),
        updated_at         timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT seats_status_check CHECK (status IN ('AVAILABLE', 'RESERVED', 'ALLOCATED', 'BLOCKED')),
        CONSTRAINT seats_hold_check CHECK ((status IN ('RESERVED', 'ALLOCATED')) = (reservation_id IS NOT NULL)),
        CONSTRAINT seats_price_check CHECK (price >= 0)
      )`);
    await q.query(`CREATE UNIQUE INDEX seats_position_key ON seats (event_id, section, row_label, seat_number)`);
    await q.query(`CREATE INDEX seats_event_status_idx ON seats (event_id, status)`);
    await q.query(`CREATE INDEX seats_reservation_idx ON seats (reservation_id) WHERE reservation_id IS NOT NULL`);
    await q.query(`CREATE INDEX seats_hold_expiry_idx ON seats (reservation_expiry) WHERE status = 'RESERVED'`);

    await q.query(`
      CREATE TABLE reservations (
        reservation_id      varchar(40)   PRIMARY KEY,
        event_id            bigint        NOT NULL,
        user_id             bigint        NOT NULL,
        seat_ids            bigint[]      NOT NULL,
        total_amount        numeric(12,2) NOT NULL,
        status              varchar(20)   NOT NULL DEFAULT 'RESERVED',
        expires_at          timestamptz   NOT NULL,
        original_expires_at timestamptz   NOT NULL,
        order_id            uuid,
        created_at          timestamptz   NOT NULL DEFAULT now(),
        updated_at          timestamptz   NOT NULL DEFAULT now(),
        CONSTRAINT reservations_status_check CHECK (status IN ('RESERVED', 'ALLOCATED', 'RELEASED', 'EXPIRED'))
      )`);
    await q.query(`CREATE INDEX reservations_user_event_live_idx ON reservations (user_id, event_id) WHERE status = 'RESERVED'`);
    await q.query(`CREATE INDEX reservations_expiry_idx ON reservations (expires_at) WHERE status = 'RESERVED'`);
    await q.query(`CREATE INDEX reservations_updated_idx ON reservations (updated_at)`);
    await q.query(`CREATE UNIQUE INDEX reservations_order_key ON reservations (order_id) WHERE order_id IS NOT NULL`);

    // Admin changes to seat plans (bulk create, block, unblock): the other source of availability changes.
    await q.query(`
      CREATE TABLE seat_plan_changes (
        id         BIGSERIAL PRIMARY KEY,
        event_id   bigint      NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX seat_plan_changes_changed_idx ON seat_plan_changes (changed_at)`);

    /*
     * A hold in one round trip and one transaction. The seats are locked in seat_id order and
     * updated only if free, so concurrent requests cannot both take a seat, and overlapping
     * requests ({A,B} against {B,A}) queue instead of deadlocking. A request that cannot have all
     * its seats raises, which rolls back the seats it did take (all-or-nothing). Only then does it
     * find out why, so the common path stays short:
     *   EA001 event has no seats   EA002 seats not in this event (DETAIL: ids)
     *   EA003 over the per-user cap (DETAIL: seats already held)   EA004 seats taken (DETAIL: ids)
     * A hold past its expiry counts as free even before the sweeper has run.
     */
    await q.query(`
      CREATE FUNCTION reserve_seats(p_reservation_id text, p_event_id bigint, p_user_id bigint, p_seat_ids bigint[],
                                    p_ttl_seconds integer, p_max_per_user integer)
      RETURNS TABLE (seat_id bigint, section varchar, row_label varchar, seat_number integer, price numeric, expires_at timestamptz)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_expires  timestamptz := now() + make_interval(secs => p_ttl_seconds);
        v_wanted   integer := cardinality(p_seat_ids);
        v_held     integer;
        v_got      integer;
        v_ids      bigint[];
        v_sections varchar[];
        v_rows     varchar[];
        v_numbers  integer[];
        v_prices   numeric[];
        v_bad      bigint[];
      BEGIN
        -- One user's holds on one event are counted under a lock, so parallel requests cannot overshoot the cap.
        PERFORM pg_advisory_xact_lock(hashtextextended('hold:' || p_user_id || ':' || p_event_id, 0));
        SELECT coalesce(sum(cardinality(r.seat_ids)), 0) INTO v_held FROM reservations r
         WHERE r.user_id = p_user_id AND r.event_id = p_event_id AND r.status = 'RESERVED' AND r.expires_at > now();

        WITH taken AS (
          UPDATE seats s
             SET status = 'RESERVED', reservation_id = p_reservation_id, reserved_by = p_user_id,
                 reservation_expiry = v_expires, updated_at = now()
            FROM (SELECT f.seat_id FROM seats f
                   WHERE f.seat_id = ANY (p_seat_ids) AND f.event_id = p_event_id
                     AND (f.status = 'AVAILABLE' OR (f.status = 'RESERVED' AND f.reservation_expiry < now()))
                   ORDER BY f.seat_id
                     FOR UPDATE) AS free
           WHERE s.seat_id = free.seat_id
          RETURNING s.seat_id, s.section, s.row_label, s.seat_number, s.price)
        SELECT count(*), array_agg(t.seat_id ORDER BY t.seat_id), array_agg(t.section ORDER BY t.seat_id), array_agg(t.row_label ORDER BY t.seat_id),
               array_agg(t.seat_number ORDER BY t.seat_id), array_agg(t.price ORDER BY t.seat_id)
          INTO v_got, v_ids, v_sections, v_rows, v_numbers, v_prices
          FROM taken t;

        IF v_got < v_wanted THEN
          IF NOT EXISTS (SELECT 1 FROM seats s WHERE s.event_id = p_event_id) THEN
            RAISE EXCEPTION 'event % has no seats', p_event_id USING ERRCODE = 'EA001';
          END IF;
          SELECT array_agg(x ORDER BY x) INTO v_bad FROM unnest(p_seat_ids) AS x
           WHERE NOT EXISTS (SELECT 1 FROM seats s WHERE s.seat_id = x AND s.event_id = p_event_id);
          IF v_bad IS NOT NULL THEN
            RAISE EXCEPTION 'seats not in event %', p_event_id USING ERRCODE = 'EA002', DETAIL = array_to_string(v_bad, ',');
          END IF;
          SELECT array_agg(x ORDER BY x) INTO v_bad FROM unnest(p_seat_ids) AS x WHERE x <> ALL (coalesce(v_ids, '{}'));
          RAISE EXCEPTION 'seats unavailable' USING ERRCODE = 'EA004', DETAIL = array_to_string(v_bad, ',');
        END IF;
        IF v_held + v_wanted > p_max_per_user THEN
          RAISE EXCEPTION 'hold cap reached' USING ERRCODE = 'EA003', DETAIL = v_held::text;
        END IF;

        INSERT INTO reservations (reservation_id, event_id, user_id, seat_ids, total_amount, expires_at, original_expires_at)
        VALUES (p_reservation_id, p_event_id, p_user_id, v_ids, (SELECT sum(x) FROM unnest(v_prices) AS x), v_expires, v_expires);

        RETURN QUERY SELECT u.*, v_expires FROM unnest(v_ids, v_sections, v_rows, v_numbers, v_prices) AS u;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION reserve_seats(text, bigint, bigint, bigint[], integer, integer)`);
    await q.query(`DROP TABLE seat_plan_changes`);
    await q.query(`DROP TABLE reservations`);
    await q.query(`DROP TABLE seats`);
  }
}
