"""Drift and compatibility modes that tell the truth, through ``schemacat run``: VALIDATE
finds renamed columns by their aliases, a mode the history already breaks is set with a
warning naming each version it fails on, and an incompatible change names every version
it fails against."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.process import schemacat

CARS = Path(__file__).parents[2] / "sql_examples" / "data" / "cars.ndjson"


def test_validate_finds_a_renamed_column_by_its_old_name(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    script = (
        f"CREATE STREAM cars WITH (datasource = '{CARS}');"
        'ALTER STREAM cars RENAME COLUMN "Name" TO model;'
        "ALTER STREAM cars RENAME COLUMN model TO car_model;"
        "VALIDATE STREAM cars"
    )
    out = schemacat("--catalog", db, "run", "-c", script, "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout.splitlines()[-1])["rows"]
    assert {r["status"] for r in rows} == {"ok"}
    assert rows[0] == {
        "column": "car_model",
        "registered_type": "VARCHAR",
        "observed_type": "VARCHAR",
        "status": "ok",
    }
    assert "Name" not in {r["column"] for r in rows}


def test_a_mode_the_history_breaks_is_named_with_each_version(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    setup = (
        "CREATE STREAM s (id INT, price DECIMAL(10,2)) WITH (compatibility = 'NONE');"
        "ALTER STREAM s ADD COLUMN a INT;"
        "ALTER STREAM s ADD COLUMN b INT;"
        "ALTER STREAM s ALTER COLUMN price TYPE DECIMAL(6,2);"
        "ALTER STREAM s ADD COLUMN c INT;"
    )
    assert schemacat("--catalog", db, "run", "-c", setup).returncode == 0
    out = schemacat(
        "--catalog", db, "run", "-c", "ALTER STREAM s SET (compatibility = 'FULL_TRANSITIVE')"
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "stream s: compatibility = FULL_TRANSITIVE"
    assert lines[1].startswith(
        "warning: the versions registered already break FULL_TRANSITIVE: "
        "versions 4 and 5 would not be accepted under it"
    )
    assert lines[2] == (
        "  - price is DECIMAL(6,2) in version 4 but DECIMAL(10,2) in version 1: "
        "DECIMAL(6,2) cannot hold every DECIMAL(10,2) value"
    )
    assert len(lines) == 2 + 6  # versions 4 and 5, each against versions 1, 2 and 3

    change = schemacat("--catalog", db, "run", "-c", "ALTER STREAM s ADD COLUMN d INT NOT NULL")
    assert change.returncode == 1
    assert change.stderr.startswith(
        "-c:1:1: error: the new schema of s is not FULL_TRANSITIVE compatible with "
        "versions 1, 2, 3, 4 and 5; nothing was registered\n"
    )
    assert "so the new schema cannot read records written with version 5" in change.stderr

    quiet = schemacat("--catalog", db, "run", "-c", "ALTER STREAM s SET (compatibility = 'NONE')")
    assert quiet.stdout == "stream s: compatibility = NONE\n"
