"""Small things a new user meets in the first hour, through ``schemacat run``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.process import schemacat


def test_global_options_go_before_or_after_the_command(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    after = schemacat("run", "--catalog", str(db), "-c", "CREATE STREAM a (id INT)")
    assert after.returncode == 0, after.stderr
    assert after.stdout == "stream a: version 1, 1 column, declared\n"
    before = schemacat("--catalog", str(db), "run", "-c", "SHOW STREAMS", "--format", "csv")
    assert before.stdout.splitlines()[1].startswith("a,")
    debug = schemacat("run", "-c", "DESCRIBE nope", "--catalog", str(db), "--debug")
    assert "Traceback" in debug.stderr  # --debug after the command shows the traceback
    assert not (tmp_path / "schemacat.db").exists()


@pytest.mark.parametrize(
    ("statement", "verb", "word"),
    [
        ("ALTER STREAM a ADD COLUM foo VARCHAR", "ADD", "COLUM"),
        ("ALTER STREAM a ADD COLUMNS foo VARCHAR", "ADD", "COLUMNS"),
        ("ALTER STREAM a DROP COLUM id", "DROP", "COLUM"),
        ("ALTER STREAM a RENAME COLMN id TO x", "RENAME", "COLMN"),
        ("ALTER STREAM a ALTER COLUM id TYPE BIGINT", "ALTER", "COLUM"),
    ],
)
def test_a_misspelt_column_keyword_is_named(
    tmp_path: Path, statement: str, verb: str, word: str
) -> None:
    db = str(tmp_path / "x.db")
    assert schemacat("--catalog", db, "run", "-c", "CREATE STREAM a (id INT)").returncode == 0
    out = schemacat("--catalog", db, "run", "-c", statement)
    assert out.returncode == 1
    assert f"hint: did you mean {verb} COLUMN? {word} was read as the column's name" in out.stderr
    versions = schemacat("--catalog", db, "run", "-c", "SHOW SCHEMA VERSIONS FOR a")
    assert "(1 row)" in versions.stdout


def test_a_column_may_be_named_like_the_keyword(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    out = schemacat(
        "--catalog", db, "run", "-c", "CREATE STREAM a (id INT); ALTER STREAM a ADD colum INT"
    )
    assert out.returncode == 0, out.stderr
    assert "stream a: version 2 (added colum INTEGER)" in out.stdout


def test_describe_says_which_columns_come_from_the_key_and_headers(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    create = (
        "CREATE STREAM k (id BIGINT KEY, trace VARCHAR HEADER('Trace-Id'), "
        "hs STRUCT(key VARCHAR, value BLOB)[] HEADERS, v INT)"
    )
    out = schemacat("--catalog", db, "run", "-c", f"{create}; DESCRIBE k", "--format", "json")
    assert out.returncode == 0, out.stderr
    described = json.loads(out.stdout.splitlines()[1])
    assert [(r["column"], r["type"]) for r in described["rows"]] == [
        ("id", "BIGINT (key)"),
        ("trace", "VARCHAR (header('Trace-Id'))"),
        ("hs", 'STRUCT("key" VARCHAR, "value" BLOB)[] (headers)'),
        ("v", "INTEGER"),
    ]
