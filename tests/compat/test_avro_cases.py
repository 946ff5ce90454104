"""Avro's and Confluent Schema Registry's own compatibility cases, through our Avro import."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.compat import can_read, check_compatibility
from catalog.schema import Schema
from tests.compat.avro_cases import COMPATIBLE, INCOMPATIBLE


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


# Confluent Schema Registry, AvroCompatibilityTest (core/src/test/java/.../avro).
def rec(*fields: dict[str, Any]) -> Schema:
    return Schema.from_avro({"type": "record", "name": "myrecord", "fields": list(fields)})


S1 = rec({"type": "string", "name": "f1"})
S2 = rec({"type": "string", "name": "f1"}, {"type": "string", "name": "f2", "default": "foo"})
S3 = rec({"type": "string", "name": "f1"}, {"type": "string", "name": "f2"})
S4 = rec({"type": "string", "name": "f1_new", "aliases": ["f1"]})
S6 = rec({"type": ["null", "string"], "name": "f1", "doc": "doc of f1"})
S7 = rec({"type": ["null", "string", "int"], "name": "f1", "doc": "doc of f1"})
S8 = rec(
    {"type": "string", "name": "f1"},
    {"type": "string", "name": "f2", "default": "foo"},
    {"type": "string", "name": "f3", "default": "bar"},
)

CONFLUENT = [
    # testBasicBackwardsCompatibility
    ("BACKWARD", S2, [S1], True),
    ("BACKWARD", S3, [S1], False),
    ("BACKWARD", S4, [S1], True),
    ("BACKWARD", S6, [S1], True),
    ("BACKWARD", S1, [S6], False),
    ("BACKWARD", S7, [S6], True),
    ("BACKWARD", S6, [S7], False),
    ("BACKWARD", S3, [S1, S2], True),
    # testBasicBackwardsTransitiveCompatibility
    ("BACKWARD_TRANSITIVE", S8, [S1, S2], True),
    ("BACKWARD_TRANSITIVE", S2, [S1], True),
    ("BACKWARD_TRANSITIVE", S3, [S2], True),
    ("BACKWARD_TRANSITIVE", S3, [S2, S1], False),
    # testBasicForwardsCompatibility
    ("FORWARD", S2, [S1], True),
    ("FORWARD", S3, [S1], True),
    ("FORWARD", S3, [S2], True),
    ("FORWARD", S2, [S3], True),
    ("FORWARD", S1, [S3, S2], True),
    # testBasicForwardsTransitiveCompatibility
    ("FORWARD_TRANSITIVE", S1, [S8, S2], True),
    ("FORWARD_TRANSITIVE", S2, [S3], True),
    ("FORWARD_TRANSITIVE", S1, [S2], True),
    ("FORWARD_TRANSITIVE", S1, [S2, S3], False),
    # testBasicFullCompatibility
    ("FULL", S2, [S1], True),
    ("FULL", S3, [S1, S2], True),
    ("FULL", S1, [S3, S2], True),
    # testBasicFullTransitiveCompatibility
    ("FULL_TRANSITIVE", S8, [S1, S2], True),
    ("FULL_TRANSITIVE", S1, [S8, S2], True),
    ("FULL_TRANSITIVE", S2, [S3], True),
    ("FULL_TRANSITIVE", S1, [S2], True),
    ("FULL_TRANSITIVE", S2, [S1], True),
    ("FULL_TRANSITIVE", S3, [S2], True),
    ("FULL_TRANSITIVE", S3, [S2, S1], False),
    ("FULL_TRANSITIVE", S1, [S2, S3], False),
]


@pytest.mark.parametrize(("mode", "new", "old", "compatible"), CONFLUENT)
def test_confluent_cases(mode: str, new: Schema, old: list[Schema], compatible: bool) -> None:
    result = check_compatibility(new, old, mode, avro_binary=True)
    assert result.compatible is compatible, result.issues
