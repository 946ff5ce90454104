"""Hostile schema files for ``schemacat check``: each is a clear error naming the file, never an
internal error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.process import schemacat

GOOD = {"type": "record", "name": "R", "fields": [{"name": "id", "type": "long"}]}

CASES = [
    ("not JSON", b'{"type": "record",', "not valid JSON"),
    ("not UTF-8", b'{"type": "record", "name": "\xff"}', "is not UTF-8 text"),
    ("binary", b"\x00\x01\x02" * 10, "not text"),
    ("a field without a type", json.dumps({"type": "record", "name": "R", "fields": [{"name": "x"}]}).encode(), "an Avro schema schemacat cannot read"),
    ("fields that are not a list", json.dumps({"type": "record", "name": "R", "fields": 3}).encode(), "an Avro schema schemacat cannot read"),
    ("an enum without symbols", json.dumps({"type": "record", "name": "R", "fields": [{"name": "e", "type": {"type": "enum", "name": "E"}}]}).encode(), "cannot read"),
    ("JSON Schema properties of null", json.dumps({"$schema": "x", "properties": None}).encode(), "a JSON Schema schemacat cannot read"),
    ("a $ref to nothing", json.dumps({"properties": {"a": {"$ref": None}}}).encode(), "a JSON Schema schemacat cannot read"),
    ("canonical JSON with a bad type", json.dumps({"fields": [{"name": "a", "type": {"type": "decimal"}, "nullable": True}]}).encode(), "malformed field"),
    ("JSON nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, "nests its JSON too deeply"),
    ("no schema at all", b"[1, 2, 3]", "holds no schema schemacat knows"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "content", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_schema_file_is_a_clear_error(
    what: str, content: bytes, message: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.avsc", tmp_path / "bad.avsc"
    good.write_text(json.dumps(GOOD))
    bad.write_bytes(content)
    out = schemacat("check", str(good), str(bad))
    assert out.returncode == 1
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr
    assert message in out.stderr, out.stderr
    assert str(bad) in out.stderr


def test_a_fifo_or_folder_is_not_a_schema_file(tmp_path: Path) -> None:
    good = tmp_path / "good.avsc"
    good.write_text(json.dumps(GOOD))
    out = schemacat("check", str(good), str(tmp_path))
    assert out.returncode == 1 and f"the schema file {tmp_path}" in out.stderr
    assert "internal error" not in out.stderr
