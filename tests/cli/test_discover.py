"""``schemacat discover URI``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.process import schemacat
from tests.providers import samples


def test_table_output(tmp_path: Path) -> None:
    path = tmp_path / "orders.ndjson"
    path.write_bytes(samples.ndjson())
    out = schemacat("discover", str(path), "--sample-size", "10")
    assert out.returncode == 0, out.stderr
    assert f"{path}: json, 10 records sampled" in out.stdout
    assert "| placed_at | TIMESTAMP WITH TIME ZONE" in out.stdout


def test_json_output_has_the_contract_shape(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(samples.csv() + b"x\n")
    doc = json.loads(schemacat("discover", str(path), "--format", "json").stdout)
    assert doc == {
        "uri": str(path),
        "format": "csv",
        "columns": [
            {"name": "id", "type": "BIGINT", "nullable": True},
            {"name": "name", "type": "VARCHAR", "nullable": True},
            {"name": "amount", "type": "DOUBLE", "nullable": True},
            {"name": "day", "type": "DATE", "nullable": True},
        ],
        "sampled": 30,
        "malformed": 1,
    }


def test_errors_exit_1_without_traceback(tmp_path: Path) -> None:
    out = schemacat("discover", str(tmp_path / "missing.json"))
    assert out.returncode == 1
    assert out.stderr.startswith("error: no such file or folder")
    assert "Traceback" not in out.stderr
    assert schemacat("discover").returncode == 2


def test_the_shipped_sample_data() -> None:
    root = Path(__file__).parents[2] / "sql_examples" / "data"
    for name, fmt in (
        ("penguins.csv", "csv"),
        ("seattle_weather.parquet", "parquet"),
        ("cars.ndjson", "json"),
    ):
        out = schemacat("discover", str(root / name), "--format", "json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["format"] == fmt
