-- A Kafka topic as a stream: schemacat samples the newest messages of every
-- partition (no consumer group, nothing written to the cluster).
--
--   kcat -b localhost:9092 -t cars -P -l sql_examples/data/cars.ndjson   (once: a topic)
--   schemacat --catalog kafka.db run sql_examples/kafka.sql --var broker=localhost:9092 --var topic=cars
--
-- SASL and TLS options go in WITH (...): security_protocol, sasl_mechanism,
-- sasl_plain_username, sasl_plain_password (never stored: REFRESH reads it from
-- $SCHEMACAT_KAFKA_SASL_PASSWORD), ssl_cafile, ssl_certfile, ssl_keyfile.

SHOW TOPICS FROM 'kafka://${broker}';

-- Ad hoc: what is on the topic, registering nothing.
DESCRIBE 'kafka://${broker}/${topic}' WITH (sample_size = 100);

CREATE STREAM cars WITH (datasource = 'kafka://${broker}/${topic}', sample_size = 500);

-- What the schema rests on: the sample's nulls, distinct values and ranges.
DESCRIBE EXTENDED cars;

-- ksqlDB's spellings work too; KAFKA_TOPIC uses $SCHEMACAT_KAFKA_BOOTSTRAP, so here
-- the datasource is given in full and VALUE_FORMAT pins the format.
CREATE STREAM car_specs ("Name" VARCHAR, "Cylinders" BIGINT, "Horsepower" DOUBLE)
    WITH (datasource = 'kafka://${broker}/${topic}', VALUE_FORMAT = 'JSON');

-- Compare the registered schema with what the topic holds now; REFRESH would
-- register the difference as a new version (checked like any other change).
VALIDATE STREAM cars;
ALTER STREAM cars REFRESH;
SHOW SCHEMA VERSIONS FOR cars;
