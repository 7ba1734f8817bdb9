-- The six services' databases on one PostgreSQL server, each owned by the service's own login.
--
-- The postgres image runs this once, as the superuser, when its data volume is empty
-- (docker-compose.yml mounts it in /docker-entrypoint-initdb.d; Kubernetes uses the identical copy
-- k8s/base/postgres/init-db.sql). No password is written here: psql (15 or newer, for \getenv) reads
-- them from its environment, USER_DB_PASSWORD … NOTIFICATION_DB_PASSWORD, which compose and
-- Kubernetes set on the PostgreSQL container. Use letters and digits only: each password also
-- goes into a DATABASE_URL.
--
-- Any other server (a managed PostgreSQL): run it as an administrator with the variables set,
--   USER_DB_PASSWORD=… SEATING_DB_PASSWORD=… CATALOG_DB_PASSWORD=… PAYMENT_DB_PASSWORD=… \
--   ORDER_DB_PASSWORD=… NOTIFICATION_DB_PASSWORD=… psql -v ON_ERROR_STOP=1 -f init-db.sql "$ADMIN_URL"
-- It can run again: what exists is kept, and the passwords are set to the given ones (that is how
-- to change them). Not with --single-transaction: CREATE DATABASE cannot run inside one.
--
-- A login may log in, owns its database (so its migrations create tables and the trusted
-- extension pg_trgm), and nothing more: not superuser, cannot create databases or roles, and
-- cannot connect to the other services' databases.

\set ON_ERROR_STOP on

-- Unset variables stay empty, and the check below names them.
\set user_password ''
\set seating_password ''
\set catalog_password ''
\set payment_password ''
\set order_password ''
\set notification_password ''
\getenv user_password USER_DB_PASSWORD
\getenv seating_password SEATING_DB_PASSWORD
\getenv catalog_password CATALOG_DB_PASSWORD
\getenv payment_password PAYMENT_DB_PASSWORD
\getenv order_password ORDER_DB_PASSWORD
\getenv notification_password NOTIFICATION_DB_PASSWORD

-- One row per service; the passwords stay in this session (never in a logged statement).
CREATE TEMPORARY TABLE etsr_logins (login name, database name, variable text, password text);
INSERT INTO etsr_logins VALUES
  ('user_service', 'userdb', 'USER_DB_PASSWORD', :'user_password'),
  ('seating_service', 'seatingdb', 'SEATING_DB_PASSWORD', :'seating_password'),
  ('catalog_service', 'catalogdb', 'CATALOG_DB_PASSWORD', :'catalog_password'),
  ('payment_service', 'paymentsdb', 'PAYMENT_DB_PASSWORD', :'payment_password'),
  ('order_service', 'orderdb', 'ORDER_DB_PASSWORD', :'order_password'),
  ('notification_service', 'notificationdb', 'NOTIFICATION_DB_PASSWORD', :'notification_password');

DO $$
DECLARE
  missing text;
  entry record;
BEGIN
  SELECT string_agg(variable, ', ' ORDER BY variable) INTO missing FROM etsr_logins WHERE password = '';
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'init-db.sql: % not set in the environment of psql (the PostgreSQL container)', missing;
  END IF;
  FOR entry IN SELECT * FROM etsr_logins ORDER BY login LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = entry.login) THEN
      EXECUTE format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                     entry.login, entry.password);
    ELSE
      EXECUTE format('CREATE ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                     entry.login, entry.password);
    END IF;
  END LOOP;
END
$$;

-- CREATE DATABASE cannot run in a DO block (a transaction): \gexec runs each generated statement.
SELECT format('CREATE DATABASE %I OWNER %I', database, login)
  FROM etsr_logins
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = database)
 ORDER BY login
\gexec

SELECT format('ALTER DATABASE %I OWNER TO %I', database, login) FROM etsr_logins ORDER BY login
\gexec

-- PostgreSQL lets every role connect to every database; only the owner (and superusers) may here.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', database) FROM etsr_logins ORDER BY login
\gexec

DROP TABLE etsr_logins;
