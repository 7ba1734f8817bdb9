import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every seating replica which events' seats changed, so each can refresh its in-memory seat
 * map (SeatMapService) instead of querying per request. Statement-level triggers with transition
 * tables: one NOTIFY per event per statement (a hold of 10 seats or a sweep of 2,000 is one
 * message), the payload is only the event id (NOTIFY payloads are limited to 8000 bytes).
 * NOTIFY is transactional: a rolled-back hold notifies nobody, and listeners hear of a change only
 * once it is committed and visible to the query they make next.
 * An UPDATE notifies only when a status or a hold's expiry changed (the two things a map shows or
 * depends on); an UPDATE touching no row notifies nothing.
 */
export class SeatChangeNotify1764700000200 implements MigrationInterface {
  name = 'SeatChangeNotify1764700000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_seats_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        v_event bigint;
      BEGIN
        FOR v_event IN SELECT DISTINCT event_id FROM inserted_seats LOOP
          PERFORM pg_notify('seat_changes', v_event::text);
        END LOOP;
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE FUNCTION notify_seats_updated() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        v_event bigint;
      BEGIN
        FOR v_event IN
          SELECT DISTINCT n.event_id FROM updated_seats n JOIN previous_seats o ON o.seat_id = n.seat_id
           WHERE n.status IS DISTINCT FROM o.status OR n.reservation_expiry IS DISTINCT FROM o.reservation_expiry
        LOOP
          PERFORM pg_notify('seat_changes', v_event::text);
        END LOOP;
        RETURN NULL;
      END
      $fn$`);
    // PostgreSQL allows transition tables only on single-event triggers, hence two.
    await q.query(`
      CREATE TRIGGER seats_notify_insert AFTER INSERT ON seats
        REFERENCING NEW TABLE AS inserted_seats
        FOR EACH STATEMENT EXECUTE FUNCTION notify_seats_inserted()`);
    await q.query(`
      CREATE TRIGGER seats_notify_update AFTER UPDATE ON seats
        REFERENCING OLD TABLE AS previous_seats NEW TABLE AS updated_seats
        FOR EACH STATEMENT EXECUTE FUNCTION notify_seats_updated()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER seats_notify_update ON seats`);
    await q.query(`DROP TRIGGER seats_notify_insert ON seats`);
    await q.query(`DROP FUNCTION notify_seats_updated()`);
    await q.query(`DROP FUNCTION notify_seats_inserted()`);
  }
}
