"""Concurrent writers through ``schemacat run``, on both catalog backends: no statement is
lost, and none fails because another wrote first (writers of a stream take turns)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.process import schemacat

DATA = Path(__file__).parents[1] / "sql" / "data"
ADDED = re.compile(r"^stream s: version (\d+) \(added (\w+) VARCHAR\)$")


def run_at_once(url: str, scripts: list[Path]) -> list[subprocess.CompletedProcess[str]]:
    """``schemacat run`` of each script, all started together."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "catalog", "--catalog", url, "run", str(script)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for script in scripts
    ]
    done = []
    for proc, script in zip(procs, scripts, strict=True):
        out, err = proc.communicate(timeout=240)
        done.append(subprocess.CompletedProcess([str(script)], proc.returncode, out, err))
    return done


def script(path: Path, statements: list[str]) -> Path:
    path.write_text("".join(f"{s};\n" for s in statements))
    return path


def rows(url: str, statement: str) -> list[dict[str, object]]:
    out = schemacat("--catalog", url, "run", "-c", statement, "--format", "json")
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout)["rows"])


def assert_each_alter_has_its_version(
    url: str, runs: list[subprocess.CompletedProcess[str]]
) -> int:
    """Every ADD COLUMN reported a version, and that version is exactly its change."""
    reported = [
        m.groups() for r in runs for line in r.stdout.splitlines() if (m := ADDED.match(line))
    ]
    changes = {row["version"]: row["change"] for row in rows(url, "SHOW SCHEMA VERSIONS FOR s")}
    assert {changes[int(version)] for version, _ in reported} == {
        f"added {column} VARCHAR" for _, column in reported
    }
    assert len({version for version, _ in reported}) == len(reported)
    return len(reported)


@pytest.mark.slow
def test_four_writers_of_fifty_alters_lose_nothing(catalog_url: str, tmp_path: Path) -> None:
    created = schemacat("--catalog", catalog_url, "run", "-c", "CREATE STREAM s (id BIGINT)")
    assert created.returncode == 0, created.stderr
    scripts = [
        script(
            tmp_path / f"p{p}.sql",
            [f"ALTER STREAM s ADD COLUMN p{p}_c{j} VARCHAR" for j in range(50)],
        )
        for p in range(4)
    ]
    runs = run_at_once(catalog_url, scripts)
    assert [(r.returncode, r.stderr) for r in runs] == [(0, "")] * 4
    assert assert_each_alter_has_its_version(catalog_url, runs) == 200
    assert len(rows(catalog_url, "SHOW SCHEMA VERSIONS FOR s")) == 201
    columns = [row["column"] for row in rows(catalog_url, "DESCRIBE s")]
    assert len(columns) == 201 and len(set(columns)) == 201


@pytest.mark.slow
def test_alter_set_and_refresh_at_once(catalog_url: str, tmp_path: Path) -> None:
    source = tmp_path / "orders.ndjson"
    shutil.copy(DATA / "orders.ndjson", source)
    create = f"CREATE STREAM s WITH (datasource = '{source}', compatibility = 'NONE')"
    assert schemacat("--catalog", catalog_url, "run", "-c", create).returncode == 0
    scripts = [
        script(
            tmp_path / "alter.sql", [f"ALTER STREAM s ADD COLUMN c{j} VARCHAR" for j in range(40)]
        ),
        script(
            tmp_path / "size.sql", [f"ALTER STREAM s SET (sample_size = {j})" for j in range(1, 41)]
        ),
        script(
            tmp_path / "time.sql", [f"ALTER STREAM s SET (timeout = {j})" for j in range(1, 41)]
        ),
        script(tmp_path / "refresh.sql", ["ALTER STREAM s REFRESH"] * 20),
    ]
    runs = run_at_once(catalog_url, scripts)
    assert [(r.returncode, r.stderr) for r in runs] == [(0, "")] * 4
    assert assert_each_alter_has_its_version(catalog_url, runs) == 40
    [stream] = rows(catalog_url, "SHOW STREAMS")
    created = schemacat("--catalog", catalog_url, "run", "-c", "SHOW CREATE STREAM s")
    assert "sample_size = '40'" in created.stdout and "timeout = '40'" in created.stdout
    assert stream["compatibility"] == "NONE"
