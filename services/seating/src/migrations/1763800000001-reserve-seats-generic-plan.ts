import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * reserve_seats(), second version, after measuring it under a flash sale (bench/seating.mjs):
 * - its statements are planned once per connection (plan_cache_mode = force_generic_plan) instead
 *   of on every call; they look seats up by primary key, so the generic plan is the right one, and
 *   statistics changes (the ANALYZE after a seat plan is loaded) still invalidate it;
 * - a request that loses (a third of them in a sale) finds out why with one primary-key lookup
 *   instead of three queries.
 * Same behaviour and error codes as the first version.
 */
export class ReserveSeatsGenericPlan1763800000001 implements MigrationInterface {
  name = 'ReserveSeatsGenericPlan1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION reserve_seats(p_reservation_id text, p_event_id bigint, p_user_id bigint, p_seat_ids bigint[],
                                               p_ttl_seconds integer, p_max_per_user integer)
      RETURNS TABLE (seat_id bigint, section varchar, row_label varchar, seat_number integer, price numeric, expires_at timestamptz)
      LANGUAGE plpgsql
      SET plan_cache_mode = force_generic_plan
      AS $fn$
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
        v_known    bigint[];
      BEGIN
        -- One user's holds on one event are counted under a lock, so parallel requests cannot overshoot the cap.
        PERFORM pg_advisory_xact_lock(hashtextextended('hold:' || p_user_id || ':' || p_event_id, 0));
        SELECT coalesce(sum(cardinality(r.seat_ids)), 0) INTO v_held FROM reservations r
         WHERE r.user_id = p_user_id AND r.event_id = p_event_id AND r.status = 'RESERVED' AND r.expires_at > now();

        -- Lock the free ones among the requested seats in seat_id order, then take them.
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
          -- Which of the requested seats belong to this event at all?
          SELECT array_agg(s.seat_id ORDER BY s.seat_id) INTO v_known FROM seats s WHERE s.seat_id = ANY (p_seat_ids) AND s.event_id = p_event_id;
          IF cardinality(v_known) = v_wanted THEN
            RAISE EXCEPTION 'seats unavailable' USING ERRCODE = 'EA004',
              DETAIL = (SELECT array_to_string(array_agg(x ORDER BY x), ',') FROM unnest(p_seat_ids) AS x WHERE x <> ALL (coalesce(v_ids, '{}')));
          END IF;
          IF v_known IS NULL AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.event_id = p_event_id) THEN
            RAISE EXCEPTION 'event % has no seats', p_event_id USING ERRCODE = 'EA001';
          END IF;
          RAISE EXCEPTION 'seats not in event %', p_event_id USING ERRCODE = 'EA002',
            DETAIL = (SELECT array_to_string(array_agg(x ORDER BY x), ',') FROM unnest(p_seat_ids) AS x WHERE x <> ALL (coalesce(v_known, '{}')));
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
    // The first version lives in 1763800000000; reverting that migration drops the function.
    await q.query(`ALTER FUNCTION reserve_seats(text, bigint, bigint, bigint[], integer, integer) RESET plan_cache_mode`);
  }
}
