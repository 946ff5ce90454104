"""Avro's and Confluent Schema Registry's own compatibility cases, through our Avro import."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.compat import can_read, check_compatibility
from catalog.schema import Schema
from tests.compat.avro_cases import COMPATIBLE, INCOMPATIBLE
from tests.compat.avro_native_cases import CONFLUENT


def _is_record(avsc: Any) -> bool:
    return isinstance(avsc, dict) and avsc.get("type") == "record"


def as_schemas(reader: Any, writer: Any) -> tuple[Schema, Schema]:
    """Two records as they are; otherwise each type as the one field of a record."""
    if _is_record(reader) and _is_record(writer):
        return Schema.from_avro(reader), Schema.from_avro(writer)

    def wrap(avsc: Any) -> Schema:
        return Schema.from_avro(
            {"type": "record", "name": "W", "fields": [{"name": "f", "type": avsc}]}
        )

    return wrap(reader), wrap(writer)


@pytest.mark.parametrize("avro_binary", [True, False], ids=["avro-binary", "arrow"])
@pytest.mark.parametrize(("reader", "writer"), COMPATIBLE)
def test_avro_compatible_pairs(reader: Any, writer: Any, avro_binary: bool) -> None:
    assert can_read(*as_schemas(reader, writer), avro_binary=avro_binary) == []


@pytest.mark.parametrize("avro_binary", [True, False], ids=["avro-binary", "arrow"])
@pytest.mark.parametrize(("reader", "writer", "kinds"), INCOMPATIBLE)
def test_avro_incompatible_pairs(
    reader: Any, writer: Any, kinds: list[str], avro_binary: bool
) -> None:
    issues = can_read(*as_schemas(reader, writer), avro_binary=avro_binary)
    assert [i.kind for i in issues] == kinds
    assert all(i.message and i.path is not None for i in issues)


# Confluent Schema Registry, AvroCompatibilityTest: the cases the native Avro checker
# passes, judged the same on the schemas' columns (those of records: a stream's columns
# come from a record).
RECORD_CASES = [case for case in CONFLUENT if case[1]["type"] == "record"]


@pytest.mark.parametrize(("mode", "new", "old", "compatible"), RECORD_CASES)
def test_confluent_cases(mode: str, new: Any, old: list[Any], compatible: bool) -> None:
    earlier = [Schema.from_avro(schema) for schema in old]
    result = check_compatibility(Schema.from_avro(new), earlier, mode, avro_binary=True)
    assert result.compatible is compatible, result.issues
