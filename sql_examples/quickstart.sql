-- schemacat quickstart: three small public datasets, no services needed.
--
--   schemacat --catalog quickstart.db run sql_examples/quickstart.sql
--
-- Run it from the repository root (the paths below are relative to it).  The
-- data and its licenses: sql_examples/data/README.md.

-- 1. Discover: point a stream at data and schemacat samples it for the schema.
--    CSV goes through DuckDB's sniffer; the penguins file writes NA for "unknown".
CREATE STREAM penguins WITH (datasource = 'sql_examples/data/penguins.csv', nullstr = 'NA');

--    Parquet: the footer alone gives exact types, and statistics for free.
CREATE STREAM weather WITH (datasource = 'sql_examples/data/seattle_weather.parquet');

--    Newline-delimited JSON: types are inferred from the records, dates included.
CREATE STREAM cars WITH (datasource = 'sql_examples/data/cars.ndjson');

SHOW STREAMS;

DESCRIBE penguins;

-- What the schema is based on: nulls, distinct values, range and an example per column.
DESCRIBE EXTENDED weather;

-- 2. Declare: columns written by hand are checked against the data they describe.
--    (Declare a column the file does not have, or the wrong type, and it is an error.)
CREATE STREAM car_models (
    "Name" VARCHAR NOT NULL COMMENT 'make and model',
    "Horsepower" DOUBLE,
    "Year" DATE
) WITH (datasource = 'sql_examples/data/cars.ndjson');

-- 3. Evolve: every change is a new version, checked against the stream's
--    compatibility mode (BACKWARD unless you SET another) before it is registered.
ALTER STREAM penguins ADD COLUMN colony VARCHAR DEFAULT 'unknown' COMMENT 'breeding colony';
ALTER STREAM penguins RENAME COLUMN sex TO recorded_sex;

SHOW SCHEMA VERSIONS FOR penguins;

-- 4. Derive: the schema of a query over streams (or quoted URIs) is typed by DuckDB.
CREATE STREAM penguin_sizes AS
SELECT species, island, count(*) AS birds, avg(body_mass_g) AS mean_mass_g,
       max(flipper_length_mm) AS longest_flipper_mm
FROM penguins
GROUP BY species, island;

DESCRIBE penguin_sizes;

-- The DDL that recreates a stream anywhere (a derived stream keeps its query):
SHOW CREATE STREAM penguin_sizes;
