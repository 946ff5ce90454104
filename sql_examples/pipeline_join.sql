-- A pipeline's output schema: a Kafka topic joined with a PostgreSQL table.
--
--   (the topic and table of sql_examples/kafka.sql and sql_examples/postgres.sql)
--   schemacat --catalog pipeline.db run sql_examples/pipeline_join.sql \
--       --var broker=localhost:9092 --var topic=cars --var pg="$PG"
--
-- schemacat samples the topic, reads the table's catalog, and asks DuckDB to type
-- the query over empty tables of those schemas: every expression below is typed
-- exactly as DuckDB would, and the two sources are kept as the stream's lineage.

DEFINE cars = 'kafka://${broker}/${topic}';

CREATE STREAM cars_by_continent WITH (compatibility = 'FULL') AS
SELECT o.continent,
       o.currency,
       c."Name" AS model,
       CAST(c."Horsepower" AS INTEGER) AS horsepower,
       round(c."Weight_in_lbs" * 0.4536, 1) AS weight_kg,
       CASE WHEN c."Miles_per_Gallon" >= 30 THEN 'frugal' ELSE 'thirsty' END AS economy,
       year(c."Year") AS model_year
FROM '${cars}' AS c
JOIN '${pg}?table=origins' AS o ON c."Origin" = o.origin
EMIT CHANGES;

DESCRIBE cars_by_continent;

-- The same question per continent: aggregates are typed too.
CREATE STREAM continent_power AS
SELECT o.continent, count(*) AS models, avg(c."Horsepower") AS mean_horsepower,
       list(DISTINCT c."Cylinders") AS cylinder_counts
FROM '${cars}' AS c
JOIN '${pg}?table=origins' AS o ON c."Origin" = o.origin
GROUP BY o.continent;

DESCRIBE continent_power;
SHOW SCHEMA VERSIONS FOR cars_by_continent;
