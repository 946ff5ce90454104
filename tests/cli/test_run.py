"""``schemacat run``: scripts, folders and -c; variables; formats; errors at FILE:LINE:COL."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from catalog.cli.main import main
from catalog.discovery import Discovery, Options, Provider
from catalog.registry import register_provider
from tests.cli.process import schemacat

DATA = Path(__file__).parents[1] / "sql" / "data"


def test_an_error_points_into_the_file_after_substitution(tmp_path: Path) -> None:
    script = tmp_path / "pipeline.sql"
    script.write_text(
        "-- orders from a file\n"
        "CREATE STREAM orders WITH (datasource = '${data}/orders.ndjson');\n"
        "\n"
        "ALTER STREAM orders\n"
        "    ADD COLUMN ${col} BIGINT,\n"
        "    DROP COLUMN ${missing};\n"
        "SHOW STREAMS;\n"
    )
    db = str(tmp_path / "cat.db")
    out = schemacat(
        "--catalog", db, "run", str(script), "--var", f"data={DATA}", "--var", "col=qty",
        "--var", "missing=nope",
    )  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        f"{script}:6:17: error: no column nope",
        "      DROP COLUMN ${missing};",
        "                  ^",
        "hint: did you mean note?",
    ]
    assert "Traceback" not in out.stderr
    assert "stream orders: version 1, 5 columns, discovered" in out.stdout
    assert "SHOW STREAMS" not in out.stdout and "updated_at" not in out.stdout  # stopped
    kept = schemacat("--catalog", db, "run", "-c", "SHOW SCHEMA VERSIONS FOR orders")
    assert kept.returncode == 0 and "(1 row)" in kept.stdout  # the ALTER changed nothing


def test_json_lines_have_the_contract_shape(tmp_path: Path) -> None:
    out = schemacat(
        "--catalog", str(tmp_path / "c.db"), "run", "--format", "json", "-c",
        "CREATE STREAM s (id BIGINT NOT NULL, note VARCHAR DEFAULT 'n/a'); DESCRIBE s; "
        "SHOW SCHEMA VERSIONS FOR s",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    create, describe, versions = (json.loads(line) for line in out.stdout.splitlines())
    assert create == {
        "statement": "CREATE STREAM",
        "columns": [],
        "rows": [],
        "message": "stream s: version 1, 2 columns, declared",
    }
    assert describe == {
        "statement": "DESCRIBE",
        "columns": ["column", "type", "nullable", "default", "comment"],
        "rows": [
            {"column": "id", "type": "BIGINT", "nullable": False, "default": None, "comment": None},
            {
                "column": "note",
                "type": "VARCHAR",
                "nullable": True,
                "default": "'n/a'",
                "comment": None,
            },
        ],
        "message": None,
    }
    assert versions["statement"] == "SHOW SCHEMA VERSIONS FOR"
    assert versions["rows"][0]["origin"] == "declared"


def test_continue_on_error_runs_the_rest_and_still_fails(tmp_path: Path) -> None:
    out = schemacat(
        "--catalog", str(tmp_path / "c.db"), "run", "--continue-on-error", "--format", "csv",
        "-c", "CREATE STREAM a (id INT);\nDESCRIBE nope;\nDESCRIBE a",
    )  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.splitlines()[:3] == [
        "-c:2:10: error: stream 'nope' does not exist",
        "  DESCRIBE nope;",
        "           ^",
    ]
    assert out.stdout.endswith("column,type,nullable,default,comment\nid,INTEGER,true,,\n")


def test_a_folder_runs_in_name_order(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "002_add.sql").write_text("ALTER STREAM s ADD COLUMN b VARCHAR;")
    (migrations / "001_create.sql").write_text("CREATE STREAM s (a BIGINT);")
    (migrations / "notes.txt").write_text("not SQL")
    db = str(tmp_path / "c.db")
    assert schemacat("--catalog", db, "run", str(migrations)).returncode == 0
    out = schemacat("--catalog", db, "run", "--format", "csv", "-c", "DESCRIBE s")
    assert out.stdout.splitlines()[1:] == ["a,BIGINT,true,,", "b,VARCHAR,true,,"]


def test_a_dash_reads_the_script_from_stdin(tmp_path: Path) -> None:
    script = tmp_path / "piped.sql"
    script.write_text("CREATE STREAM s (a BIGINT);\nDESCRIBE nope;\n")
    db = str(tmp_path / "c.db")
    out = schemacat("--catalog", db, "run", "-", "-c", "SHOW STREAMS", stdin=script)
    assert out.returncode == 1
    assert out.stderr.splitlines()[0] == "<stdin>:2:10: error: stream 'nope' does not exist"
    described = schemacat("--catalog", db, "run", "--format", "csv", "-c", "DESCRIBE s")
    assert described.stdout.splitlines()[1:] == ["a,BIGINT,true,,"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert schemacat("run").returncode == 2
    assert schemacat("run", "-c", "SHOW STREAMS", "--var", "novalue").returncode == 2
    assert schemacat("run", "--format", "xml", "-c", "SHOW STREAMS").returncode == 2
    assert schemacat("frobnicate").returncode == 2


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    plain = schemacat("--catalog", db, "run", "-c", "DESCRIBE nope")
    debug = schemacat("--catalog", db, "--debug", "run", "-c", "DESCRIBE nope")
    assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr
    assert plain.returncode == debug.returncode == 1


def test_piped_tables_are_plain_ascii(tmp_path: Path) -> None:
    out = schemacat(
        "--catalog", str(tmp_path / "c.db"), "run", "-c", "CREATE STREAM s (id INT); DESCRIBE s"
    )
    assert out.returncode == 0
    assert out.stdout.splitlines()[1:4] == [
        "+--------+---------+----------+---------+---------+",
        "| column | type    | nullable | default | comment |",
        "+--------+---------+----------+---------+---------+",
    ]
    assert "\x1b" not in out.stdout


def test_help_has_examples() -> None:
    for command in ([], ["run"], ["shell"], ["discover"], ["check"]):
        out = schemacat(*command, "--help")
        assert out.returncode == 0
        assert "example" in out.stdout and "schemacat " in out.stdout.split("example")[1]


class BrokenProvider(Provider):
    """A third-party provider with a bug in it."""

    schemes = ("broken",)

    async def discover(self, uri: str, options: Options) -> Discovery:
        raise KeyError("columns")

    async def sample(self, uri: str, options: Options) -> pa.Table:
        raise KeyError("columns")

    async def check(self, uri: str, options: Options) -> None:
        return None


def test_a_bug_is_an_internal_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register_provider("broken", BrokenProvider(), clobber=True)
    argv = ["--catalog", str(tmp_path / "c.db"), "run", "-c", "DESCRIBE 'broken://x'"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: internal error: KeyError: 'columns'\n"
        "hint: this is a bug in schemacat; run again with --debug and report the traceback\n"
    )
    assert main(["--debug", *argv]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err
