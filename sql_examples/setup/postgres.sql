-- Tables for sql_examples/postgres.sql and sql_examples/pipeline_join.sql.
--
--   psql "postgresql://user@localhost:5432/yourdb" -f sql_examples/setup/postgres.sql
--
-- origins: the three origins of the cars in sql_examples/data/cars.ndjson.
-- weather_days: the first week of sql_examples/data/seattle_weather.parquet
-- (NOAA, public domain), with a few PostgreSQL types schemacat maps.

CREATE TYPE car_origin AS ENUM ('USA', 'Europe', 'Japan');

CREATE TABLE origins (
    origin    car_origin PRIMARY KEY,
    continent text NOT NULL,
    currency  char(3) NOT NULL,
    facts     jsonb
);
COMMENT ON COLUMN origins.currency IS 'ISO 4217 code';

INSERT INTO origins VALUES
    ('USA', 'North America', 'USD', '{"makers": 18, "first_year": 1970}'),
    ('Europe', 'Europe', 'EUR', '{"makers": 12, "first_year": 1970}'),
    ('Japan', 'Asia', 'JPY', '{"makers": 7, "first_year": 1970}');

CREATE DOMAIN millimetres AS numeric(4, 1) CHECK (VALUE >= 0);

CREATE TABLE weather_days (
    day           date PRIMARY KEY,
    precipitation millimetres NOT NULL,
    temp_max      real,
    temp_min      real,
    wind          real,
    weather       text NOT NULL DEFAULT 'sun',
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    tags          text[]
);
CREATE INDEX weather_days_weather ON weather_days (weather);

INSERT INTO weather_days (day, precipitation, temp_max, temp_min, wind, weather) VALUES
    ('2012-01-01', 0.0, 12.8, 5.0, 4.7, 'drizzle'),
    ('2012-01-02', 10.9, 10.6, 2.8, 4.5, 'rain'),
    ('2012-01-03', 0.8, 11.7, 7.2, 2.3, 'rain'),
    ('2012-01-04', 20.3, 12.2, 5.6, 4.7, 'rain'),
    ('2012-01-05', 1.3, 8.9, 2.8, 6.1, 'rain'),
    ('2012-01-06', 2.5, 4.4, 2.2, 2.2, 'rain'),
    ('2012-01-07', 0.0, 7.2, 2.8, 2.3, 'rain');
