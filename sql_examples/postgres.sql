-- PostgreSQL tables as streams: types, NOT NULL, defaults, comments and keys come
-- from pg_catalog (no table is scanned; jsonb columns are sampled to type them).
--
--   psql "$PG" -f sql_examples/setup/postgres.sql          (once: the example tables)
--   schemacat --catalog pg.db run sql_examples/postgres.sql --var pg="$PG"
--
-- $PG is a URI such as postgresql://app@localhost:5432/shop.  Give the password
-- with PGPASSWORD or ~/.pgpass; one in the URI is never printed or stored.

CREATE STREAM origins WITH (datasource = '${pg}', table = 'origins');
CREATE STREAM weather_days WITH (datasource = '${pg}', table = 'public.weather_days');

-- The enum becomes VARCHAR (its labels kept with the column), the jsonb column a
-- STRUCT typed from its values, the domain its base type.
DESCRIBE origins;
DESCRIBE EXTENDED weather_days;

-- Declared columns are checked against the table: a subset in any order is fine.
CREATE STREAM rainfall (day DATE NOT NULL, precipitation DECIMAL(4, 1) NOT NULL)
    WITH (datasource = '${pg}', table = 'weather_days');

-- Nothing changed in the database, so nothing drifted.
VALIDATE STREAM weather_days;

SHOW CREATE STREAM origins;
