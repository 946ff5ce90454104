"""``schemacat check OLD NEW``: exit 0 when compatible, 1 when not, 2 on bad usage."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from catalog.schema import Field, Schema
from tests.cli.process import schemacat

V1 = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
V2 = {
    **V1,
    "fields": [*V1["fields"], {"name": "note", "type": ["null", "string"], "default": None}],
}
V3 = {**V1, "fields": [*V1["fields"], {"name": "qty", "type": "int"}]}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {}
    for name, doc in {"v1.avsc": V1, "v2.avsc": V2, "v3.avsc": V3}.items():
        (tmp_path / name).write_text(json.dumps(doc))
        paths[name] = str(tmp_path / name)
    schema = Schema([Field("id", pa.int64(), nullable=False), Field("qty", pa.int32())])
    (tmp_path / "v3.schema.json").write_text(json.dumps(schema.to_json_schema()))
    (tmp_path / "v3.canonical.json").write_text(schema.canonical)
    paths["v3.schema.json"] = str(tmp_path / "v3.schema.json")
    paths["v3.canonical.json"] = str(tmp_path / "v3.canonical.json")
    return paths


def test_compatible_exits_0(files: dict[str, str]) -> None:
    out = schemacat("check", files["v1.avsc"], files["v2.avsc"], "--mode", "full")
    assert out.returncode == 0, out.stderr
    assert "compatible under FULL" in out.stdout
    assert "changes: added note VARCHAR" in out.stdout


def test_incompatible_exits_1_and_lists_the_issues(files: dict[str, str]) -> None:
    out = schemacat("check", files["v1.avsc"], files["v3.avsc"])
    assert out.returncode == 1
    assert "incompatible (1 issue) under BACKWARD" in out.stdout
    assert "FIELD_ADDED_WITHOUT_DEFAULT" in out.stdout


def test_json_output(files: dict[str, str]) -> None:
    out = schemacat("check", files["v1.avsc"], files["v3.avsc"], "--format", "json")
    doc = json.loads(out.stdout)
    assert (doc["compatible"], doc["mode"]) == (False, "BACKWARD")
    assert [i["kind"] for i in doc["issues"]] == ["FIELD_ADDED_WITHOUT_DEFAULT"]
    assert doc["plan"] == ["1. add qty (INTEGER); older records have no value for it"]


@pytest.mark.parametrize("new", ["v3.schema.json", "v3.canonical.json"])
def test_json_schema_and_canonical_files(files: dict[str, str], new: str) -> None:
    out = schemacat("check", files["v1.avsc"], files[new], "--mode", "FORWARD", "--format", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["changes"] == "added qty INTEGER"


def test_bad_files_and_usage(files: dict[str, str], tmp_path: Path) -> None:
    missing = schemacat("check", files["v1.avsc"], str(tmp_path / "nope.avsc"))
    assert missing.returncode == 1
    assert "error: cannot read" in missing.stderr and "Traceback" not in missing.stderr
    (tmp_path / "bad.json").write_text('{"type": "record",\n "fields": [}')
    bad = schemacat("check", files["v1.avsc"], str(tmp_path / "bad.json"))
    assert bad.returncode == 1
    assert f"{tmp_path / 'bad.json'}:2:13: not valid JSON" in bad.stderr
    assert schemacat("check", files["v1.avsc"]).returncode == 2
    assert (
        schemacat("check", files["v1.avsc"], files["v2.avsc"], "--mode", "SIDEWAYS").returncode == 2
    )


def test_sql_scripts_as_schema_files(files: dict[str, str], tmp_path: Path) -> None:
    """A .sql file runs in a throwaway catalog: its CREATE STREAM, then its ALTERs."""
    old = tmp_path / "orders_old.sql"
    old.write_text("CREATE STREAM orders (id BIGINT NOT NULL, amount DECIMAL(10,2));\n")
    new = tmp_path / "orders.sql"
    new.write_text(
        "DEFINE currency = 'EUR';\n"
        "CREATE STREAM orders (id BIGINT NOT NULL, amount DECIMAL(10,2));\n"
        "ALTER STREAM orders ADD COLUMN currency VARCHAR DEFAULT '${currency}';\n"
    )
    out = schemacat("check", str(old), str(new), "--mode", "FULL")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "changes: added currency VARCHAR" in out.stdout
    against_avro = schemacat("check", files["v1.avsc"], str(new), "--mode", "FORWARD")
    assert against_avro.returncode == 0, against_avro.stdout + against_avro.stderr

    two = tmp_path / "two.sql"
    two.write_text("CREATE STREAM a (x INT);\nCREATE STREAM b (y INT);\n")
    refused = schemacat("check", str(old), str(two))
    assert refused.returncode == 1
    assert f"error: {two} should leave one stream, not 2 (a, b)" in refused.stderr
    typo = tmp_path / "typo.sql"
    typo.write_text("CREATE STREAM orders (\n  id BIGINT NOT NUL);\n")
    bad = schemacat("check", str(old), str(typo))
    assert bad.returncode == 1
    assert bad.stderr.startswith(f"{typo}:2:17: error: expected NULL after NOT, found 'NUL'")
