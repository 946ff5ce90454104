-- Schema evolution: the same changes under BACKWARD and under FULL.
--
--   schemacat --catalog evolution.db run sql_examples/evolution.sql --continue-on-error
--
-- One change below is rejected on purpose, so the run ends with exit status 1;
-- --continue-on-error lets the statements after it run.  A rejected change
-- registers nothing: the stream stays at the version it had.
--
-- BACKWARD: a consumer on the new schema reads data written with the previous one.
-- FULL:     that, and a consumer still on the previous schema reads new data.

CREATE STREAM orders_backward (
    order_id BIGINT NOT NULL,
    amount   DECIMAL(10, 2) NOT NULL,
    note     VARCHAR
) WITH (compatibility = 'BACKWARD');

CREATE STREAM orders_full (
    order_id BIGINT NOT NULL,
    amount   DECIMAL(10, 2) NOT NULL,
    note     VARCHAR
) WITH (compatibility = 'FULL');

-- A new column with a default: old data reads it as the default, old consumers
-- ignore it.  Both modes accept it.
ALTER STREAM orders_backward ADD COLUMN currency VARCHAR NOT NULL DEFAULT 'EUR';
ALTER STREAM orders_full     ADD COLUMN currency VARCHAR NOT NULL DEFAULT 'EUR';

-- A rename keeps the old name as an alias, so either name resolves.  Both accept it.
ALTER STREAM orders_backward RENAME COLUMN note TO remark;
ALTER STREAM orders_full     RENAME COLUMN note TO remark;

-- Widening DECIMAL(10,2) to DECIMAL(12,2): a new consumer reads every old
-- value, but an old consumer cannot hold every new one.  BACKWARD accepts it;
-- FULL rejects it, naming the column and the reason.
ALTER STREAM orders_backward ALTER COLUMN amount TYPE DECIMAL(12, 2);
ALTER STREAM orders_full     ALTER COLUMN amount TYPE DECIMAL(12, 2);

-- Dropping a nullable column: old consumers fill it with NULL.  Both accept it.
ALTER STREAM orders_backward DROP COLUMN remark;
ALTER STREAM orders_full     DROP COLUMN remark;

SHOW SCHEMA VERSIONS FOR orders_backward;
SHOW SCHEMA VERSIONS FOR orders_full;

-- Each version checked against the one before it, in the stream's mode:
SHOW SCHEMA COMPATIBILITY FOR orders_full;

-- A mode can change; from now on FULL_TRANSITIVE checks against every version.
ALTER STREAM orders_backward SET (compatibility = 'FULL_TRANSITIVE');
SHOW SCHEMAS;
