import { MigrationInterface, QueryRunner } from 'typeorm';

/** catalogdb: venues and events (fields in the catalog README) and the availability sync's shared state. */
export class CreateCatalog1763800000000 implements MigrationInterface {
  name = 'CreateCatalog1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE venues (
        venue_id     BIGSERIAL PRIMARY KEY,
        name         varchar(200) NOT NULL,
        address      text         NOT NULL,
        city         varchar(100) NOT NULL,
        state        varchar(100),
        country      varchar(100) NOT NULL,
        postal_code  varchar(20),
        capacity     integer      NOT NULL,
        venue_type   varchar(50)  NOT NULL DEFAULT 'OTHER',
        facilities   json         NOT NULL DEFAULT '{}',
        created_at   timestamptz  NOT NULL DEFAULT now(),
        updated_at   timestamptz  NOT NULL DEFAULT now(),
        CONSTRAINT venues_venue_type_check CHECK (venue_type IN ('STADIUM', 'THEATER', 'ARENA', 'CONVENTION_CENTER', 'OTHER')),
        CONSTRAINT venues_capacity_check CHECK (capacity > 0),
        CONSTRAINT venues_facilities_check CHECK (json_typeof(facilities) = 'object')
      )`);
    // Search compares cities case-insensitively: lower(city) = lower($1).
    await q.query(`CREATE INDEX venues_city_lower_idx ON venues (lower(city))`);
    await q.query(`CREATE INDEX venues_venue_type_idx ON venues (venue_type)`);

    await q.query(`
      CREATE TABLE events (
        event_id         BIGSERIAL PRIMARY KEY,
        venue_id         bigint        NOT NULL,
        name             varchar(200)  NOT NULL,
        description      text,
        event_type       varchar(50)   NOT NULL,
        start_date       timestamptz   NOT NULL,
        end_date         timestamptz   NOT NULL,
        status           varchar(20)   NOT NULL DEFAULT 'UPCOMING',
        total_seats      integer       NOT NULL,
        available_seats  integer       NOT NULL,
        base_price       numeric(10,2) NOT NULL,
        created_at       timestamptz   NOT NULL DEFAULT now(),
        updated_at       timestamptz   NOT NULL DEFAULT now(),
        CONSTRAINT events_venue_fk FOREIGN KEY (venue_id) REFERENCES venues (venue_id) ON DELETE RESTRICT,
        CONSTRAINT events_event_type_check CHECK (event_type IN ('CONCERT', 'SPORTS', 'THEATER', 'CONFERENCE')),
        CONSTRAINT events_status_check CHECK (status IN ('UPCOMING', 'ONGOING', 'COMPLETED', 'CANCELLED')),
        CONSTRAINT events_dates_check CHECK (end_date > start_date),
        CONSTRAINT events_seats_check CHECK (total_seats > 0 AND available_seats >= 0 AND available_seats <= total_seats),
        CONSTRAINT events_base_price_check CHECK (base_price >= 0)
      )`);
    // One index per search filter, plus the foreign key (joins, and the RESTRICT check on venue delete).
    await q.query(`CREATE INDEX events_venue_idx ON events (venue_id)`);
    await q.query(`CREATE INDEX events_event_type_idx ON events (event_type)`);
    await q.query(`CREATE INDEX events_status_idx ON events (status)`);
    await q.query(`CREATE INDEX events_start_date_idx ON events (start_date)`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE INDEX events_name_trgm_idx ON events USING gin ((lower(name)) gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE availability_sync_state (
        id               smallint PRIMARY KEY,
        changed_since    timestamptz,
        runs_since_full  integer NOT NULL DEFAULT 0,
        last_run_at      timestamptz,
        CONSTRAINT availability_sync_state_singleton_check CHECK (id = 1)
      )`);
    await q.query(`INSERT INTO availability_sync_state (id) VALUES (1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE availability_sync_state`);
    await q.query(`DROP TABLE events`);
    await q.query(`DROP TABLE venues`);
  }
}
