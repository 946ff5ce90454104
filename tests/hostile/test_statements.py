"""Hostile statements through ``schemacat run``: each is a clear error with its code and place,
never an internal error, and the catalog is left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

import catalog
from catalog.cli.main import main
from catalog.errors import SchemacatError

SETUP = "CREATE STREAM s (id BIGINT, note VARCHAR DEFAULT 'x');"

# (what, statement, error code, line:column)
CASES = [
    ("a negative default keeps its sign", "CREATE STREAM n (x DOUBLE DEFAULT -1.25, y VARCHAR DEFAULT -1)", "BAD_DEFAULT", "1:61"),
    ("a float beyond double", "CREATE STREAM n (x DOUBLE DEFAULT 1e999)", "SQL_SYNTAX", "1:35"),
    ("an integer beyond BIGINT", "CREATE STREAM n (x BIGINT DEFAULT 123456789012345678901)", "BAD_DEFAULT", "1:35"),
    ("version 0", "DESCRIBE s VERSION 0", "SQL_SYNTAX", "1:20"),
    ("a negative version", "DESCRIBE s VERSION -1", "SQL_SYNTAX", "1:21"),
    ("a 21-digit version", "DESCRIBE s VERSION 123456789012345678901", "VERSION_NOT_FOUND", "1:20"),
    ("an empty stream name", 'CREATE STREAM "" (x INT)', "SQL_SYNTAX", "1:15"),
    ("an empty column name", 'CREATE STREAM n ("" INT)', "SQL_SYNTAX", "1:18"),
    ("a 300-character name", f"CREATE STREAM {'n' * 300} (x INT)", "SQL_SYNTAX", "1:15"),
    ("ENUM()", "CREATE STREAM n (x ENUM())", "UNKNOWN_TYPE", "1:20"),
    ("UNION()", "CREATE STREAM n (x UNION())", "UNKNOWN_TYPE", "1:20"),
    ("STRUCT()", "CREATE STREAM n (x STRUCT())", "UNKNOWN_TYPE", "1:20"),
    ("MAP(INT)", "CREATE STREAM n (x MAP(INT))", "UNKNOWN_TYPE", "1:20"),
    ("DECIMAL(-1,2)", "CREATE STREAM n (x DECIMAL(-1,2))", "SQL_SYNTAX", "1:20"),
    ("DECIMAL(80,2)", "CREATE STREAM n (x DECIMAL(80,2))", "UNKNOWN_TYPE", "1:20"),
    ("STRUCT 70 levels deep", "CREATE STREAM n (x " + "STRUCT(a " * 70 + "INT" + ")" * 70 + ")", "UNKNOWN_TYPE", "1:20"),
    ("STRUCT 160 levels deep", "CREATE STREAM n (x " + "STRUCT(a " * 160 + "INT" + ")" * 160 + ")", "SQL_SYNTAX", "1:917"),
    ("INT[] 2000 times", "CREATE STREAM n (x INT" + "[]" * 2000 + ")", "UNKNOWN_TYPE", "1:20"),
    ("an unclosed comment", "CREATE STREAM n (x INT) /* never closed", "SQL_SYNTAX", "1:25"),
    ("an unclosed string", "CREATE STREAM n (x VARCHAR DEFAULT 'open)", "SQL_SYNTAX", "1:36"),
    ("a column twice", "CREATE STREAM n (x INT, X INT)", "DUPLICATE_COLUMN", "1:25"),
    ("an undefined variable", "CREATE STREAM ${nope} (x INT)", "UNDEFINED_VARIABLE", "1:15"),
    ("ALTER of a stream that is not there", "ALTER STREAM nope ADD COLUMN x INT", "STREAM_NOT_FOUND", "1:14"),
    ("an incompatible change", "ALTER STREAM s ALTER COLUMN id TYPE INTEGER", "INCOMPATIBLE_SCHEMA", "1:1"),
    ("a port that is not a number", "CREATE STREAM n WITH (datasource = 'postgresql://u@h:notaport/db?table=t')", "BAD_OPTION", "1:1"),
    ("a negative sample size", "DESCRIBE 'x.csv' WITH (sample_size = -5)", "BAD_OPTION", "1:1"),
    ("SHOW TOPICS of a database", "SHOW TOPICS FROM 'ftp://x/y'", "UNKNOWN_SCHEME", "1:1"),
    ("a script that is a device", "RUN SCRIPT '/dev/zero'", "SCRIPT_NOT_FOUND", "1:12"),
    ("a script that is a folder", "RUN SCRIPT '/tmp'", "SCRIPT_NOT_FOUND", "1:12"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "statement", "code", "where"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_statement_is_a_clear_error_that_changes_nothing(
    what: str,
    statement: str,
    code: str,
    where: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = str(tmp_path / "c.db")
    assert main(["--catalog", db, "run", "-c", SETUP]) == 0
    before = _catalog(db, capsys)
    script = tmp_path / "hostile.sql"
    script.write_text(statement + ";\n")
    assert main(["--catalog", db, "run", str(script), "--format", "json"]) == 1
    _, err = capsys.readouterr()
    assert "internal error" not in err
    assert err.startswith(f"{script}:{where}: error: "), err
    assert _catalog(db, capsys) == before
    with catalog.connect(db) as cat, pytest.raises(SchemacatError) as raised:  # the same, in Python
        cat.sql(statement)
    assert raised.value.code == code


def _catalog(db: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    main(["--catalog", db, "run", "-c", "SHOW SCHEMAS; SHOW CREATE STREAM s", "--format", "json"])
    return capsys.readouterr().out
