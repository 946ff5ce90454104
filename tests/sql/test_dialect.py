"""The dialect: every statement form parses into its node and generates back to an equal one."""

from __future__ import annotations

import pytest

from catalog.errors import SchemacatError
from catalog.sql import alter, create, describe, drop, scripting, setting, show
from catalog.sql.dialect import parse_statement, to_sql
from catalog.sql.script import position
from catalog.sql.table import BY_NODE, STATEMENTS

FORMS = [
    ("CREATE STREAM s (id BIGINT NOT NULL, name STRING DEFAULT 'x' COMMENT 'who', t TIMESTAMPTZ)", create.CreateStream),
    ("CREATE STREAM s (k VARCHAR KEY, h MAP<VARCHAR, BYTES> HEADERS, tr VARCHAR HEADER('trace-id'))", create.CreateStream),
    ("CREATE STREAM s (a INT[], b STRUCT(x INT, y ARRAY<STRUCT<z DOUBLE>>), c DECIMAL(10, 2), d TIMESTAMP WITH TIME ZONE)", create.CreateStream),
    ("create or replace stream if not exists \"Mixed Case\" with (datasource = 's3://b/k', format = json, sample_size = 10, validate = false)", create.CreateStream),
    ("CREATE STREAM s WITH (KAFKA_TOPIC = 'orders', VALUE_FORMAT = 'JSON', KEY_FORMAT = 'KAFKA', PARTITIONS = 6, TIMESTAMP = 'at', VALUE_DELIMITER = ',')", create.CreateStream),
    ("CREATE STREAM d AS SELECT o.id, c.name, CAST(o.total AS DECIMAL(10, 2)) AS total FROM 'kafka://k:9092/o' o JOIN customers c ON o.cid = c.id EMIT CHANGES", create.CreateStream),
    ("CREATE STREAM d WITH (compatibility = 'NONE') AS SELECT region, count(*) AS n, sum(x) FILTER (WHERE x > 0) AS s FROM 's3://lake/*.parquet' GROUP BY region", create.CreateStream),
    ("CREATE STREAM d AS WITH recent AS (SELECT * FROM orders WHERE day > DATE '2024-01-01') SELECT UNNEST(items) AS item FROM recent", create.CreateStream),
    ("ALTER STREAM s ADD COLUMN a INT DEFAULT 0, ADD COLUMN IF NOT EXISTS b DOUBLE COMMENT 'bee'", alter.AlterStream),
    ("ALTER STREAM s DROP COLUMN IF EXISTS a", alter.AlterStream),
    ("ALTER STREAM s RENAME COLUMN a TO b", alter.AlterStream),
    ("ALTER STREAM s ALTER COLUMN a TYPE BIGINT", alter.AlterStream),
    ("ALTER STREAM s ALTER COLUMN a SET DATA TYPE BIGINT", alter.AlterStream),
    ("ALTER STREAM s ALTER COLUMN a SET DEFAULT -1.5", alter.AlterStream),
    ("ALTER STREAM s ALTER COLUMN a DROP DEFAULT", alter.AlterStream),
    ("ALTER STREAM s ALTER COLUMN a SET NOT NULL", alter.AlterStream),
    ("ALTER STREAM s ALTER COLUMN a DROP NOT NULL", alter.AlterStream),
    ("ALTER STREAM s SET (compatibility = 'FULL', sample_size = 100)", alter.AlterStream),
    ("ALTER STREAM s REFRESH", alter.AlterStream),
    ("VALIDATE STREAM s", alter.ValidateStream),
    ("DROP STREAM s", drop.DropStream),
    ("DROP STREAM IF EXISTS s", drop.DropStream),
    ("SHOW STREAMS", show.ShowStreams),
    ("LIST STREAMS", show.ShowStreams),
    ("SHOW SCHEMAS", show.ShowSchemas),
    ("SHOW TOPICS", show.ShowTopics),
    ("SHOW TOPICS FROM 'kafka://localhost:9092'", show.ShowTopics),
    ("SHOW CREATE STREAM s", show.ShowCreateStream),
    ("SHOW SCHEMA VERSIONS FOR s", show.ShowSchemaVersions),
    ("SHOW SCHEMA COMPATIBILITY FOR s", show.ShowSchemaCompatibility),
    ("DESCRIBE s", describe.DescribeStream),
    ("DESCRIBE STREAM s VERSION 2", describe.DescribeStream),
    ("DESCRIBE EXTENDED s", describe.DescribeStream),
    ("DESCRIBE s EXTENDED", describe.DescribeStream),
    ("DESC s", describe.DescribeStream),
    ("DESCRIBE 'data/orders.csv' WITH (sample_size = 5)", describe.DescribeSource),
    ("SET compatibility = 'BACKWARD'", setting.SetSetting),
    ("DEFINE env = 'prod'", scripting.Define),
    ("RUN SCRIPT 'other.sql'", scripting.RunScript),
]  # fmt: skip


def test_every_statement_of_the_table_has_forms_here_and_help() -> None:
    """The table is the one place a statement is declared: each node parses from a form above."""
    assert set(BY_NODE) == {kind for _, kind in FORMS}
    assert all(statement.help for statement in STATEMENTS)


@pytest.mark.parametrize(("sql", "kind"), FORMS)
def test_every_form_round_trips(sql: str, kind: type) -> None:
    node = parse_statement(sql)
    assert type(node) is kind
    generated = to_sql(node)
    assert parse_statement(generated) == node, generated
    assert to_sql(parse_statement(generated)) == generated


def test_quoted_sources_stay_strings_and_names_stay_names() -> None:
    node = parse_statement(
        "CREATE STREAM d AS SELECT * FROM 's3://b/k.json' a JOIN \"Orders EU\" b ON a.id = b.id"
    )
    generated = to_sql(node)
    assert "FROM 's3://b/k.json' AS a" in generated
    assert 'JOIN "Orders EU" AS b' in generated


def test_column_markers_and_options_are_kept() -> None:
    node = parse_statement(
        "CREATE STREAM s (k VARCHAR KEY, t VARCHAR HEADER('trace')) WITH (FORMAT = json)"
    )
    assert isinstance(node, create.CreateStream)
    columns = node.args["columns"]
    assert [c.args.get("role") for c in columns] == ["KEY", "HEADER"]
    assert columns[1].args["header"].this == "trace"
    assert [(o.name, o.args["value"].this) for o in node.args["options"]] == [("FORMAT", "json")]


ERRORS = [
    ("CREAT STREAM s", "SQL_SYNTAX", 1, 1, "did you mean CREATE?"),
    ("SELECT * FROM t", "SQL_SYNTAX", 1, 1, "schemacat catalogs schemas; a query goes in CREATE STREAM name AS SELECT ..."),
    ("SHOW SCHEMA VERSINS FOR s", "SQL_SYNTAX", 1, 13, "did you mean VERSIONS?"),
    ("SHOW STREAMZ", "SQL_SYNTAX", 1, 6, "did you mean STREAMS?"),
    ("CREATE TABLE t (a INT)", "SQL_SYNTAX", 1, 8, "schemacat creates streams: CREATE [OR REPLACE] STREAM name ..."),
    ("CREATE STREAM s (\n  id BIGINT,\n  at TIMESTMP\n)", "SQL_SYNTAX", 3, 6, "did you mean TIMESTAMP?"),
    ("CREATE STREAM s (id BIGINT", "SQL_SYNTAX", 1, 21, "columns are: name TYPE [NOT NULL] [DEFAULT v] [COMMENT 'c']"),
    ("CREATE STREAM s (id BIGINT NOT NUL)", "SQL_SYNTAX", 1, 32, "did you mean NULL?"),
    ("CREATE STREAM s (id BIGINT KEYS)", "SQL_SYNTAX", 1, 28, "did you mean KEY?"),
    ("CREATE STREAM s WITH (datasource 'x')", "SQL_SYNTAX", 1, 34, None),
    ("CREATE STREAM s (id INT) AS SELECT 1", "SQL_SYNTAX", 1, 26, None),
    ("ALTER STREAM s FROB x", "SQL_SYNTAX", 1, 16, "did you mean DROP?"),
    ("ALTER STREAM s ALTER COLUMN a SETT DEFAULT 1", "SQL_SYNTAX", 1, 31, "did you mean SET?"),
    ("ALTER STREAM s ADD COLUMN a INT, REFRESH", "SQL_SYNTAX", 1, 34, "run them as statements of their own"),
    ("DESCRIBE s VERSION two", "SQL_SYNTAX", 1, 20, None),
    ("DROP STREAMS s", "SQL_SYNTAX", 1, 6, "did you mean STREAM?"),
    ("CREATE STREAM d AS SELECT FROM WHERE", "SQL_SYNTAX", 1, 32, None),
    ("SHOW STREAMS extra", "SQL_SYNTAX", 1, 14, None),
    ("RUN SCRIPT other.sql", "SQL_SYNTAX", 1, 12, None),
]  # fmt: skip


@pytest.mark.parametrize(("sql", "code", "line", "column", "hint"), ERRORS)
def test_errors_point_at_the_offending_token(
    sql: str, code: str, line: int, column: int, hint: str | None
) -> None:
    with pytest.raises(SchemacatError) as err:
        parse_statement(sql)
    assert err.value.code == code
    assert err.value.offset is not None
    where = position(sql, err.value.offset, None)
    assert (where.line, where.column) == (line, column), err.value.message
    if hint is not None:
        assert err.value.hint == hint


def test_the_compiled_sqlglot_build_is_named_not_crashed_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """sqlglotc refuses the dialect's subclasses; say so instead of a TypeError deep inside."""
    import sqlglot.parser

    from catalog.sql.dialect import _require_interpreted_sqlglot

    monkeypatch.setattr(sqlglot.parser, "__file__", "/site-packages/sqlglot/parser.cpython.so")
    _require_interpreted_sqlglot.cache_clear()
    try:
        with pytest.raises(SchemacatError) as err:
            parse_statement("SHOW STREAMS")
        assert err.value.code == "SQLGLOT_COMPILED"
        assert err.value.hint is not None and "pip uninstall sqlglotc" in err.value.hint
    finally:
        _require_interpreted_sqlglot.cache_clear()
