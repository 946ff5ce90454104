"""JSON Schema (2020-12) export: a valid schema that accepts the records it describes."""

from __future__ import annotations

from typing import Any

import jsonschema
import pyarrow as pa
import pytest
from hypothesis import given, settings

from catalog.errors import SchemaError
from catalog.schema import Field, Schema
from catalog.types import EnumType
from tests.strategies import schemas

SCHEMA = Schema(
    [
        Field("id", pa.int32(), nullable=False, comment="order id"),
        Field("email", pa.string()),
        Field("status", EnumType(["NEW", "PAID"])),
        Field("placed", pa.timestamp("us", "UTC"), nullable=False),
        Field("items", pa.list_(pa.struct([("sku", pa.string()), ("qty", pa.int64())]))),
        Field("attrs", pa.map_(pa.string(), pa.float64())),
        Field("raw", pa.binary()),
        Field("score", pa.float64(), default=0.0),
    ],
    name="Order",
)

GOOD = {
    "id": 7,
    "email": None,
    "status": "PAID",
    "placed": "2024-05-01T10:00:00Z",
    "items": [{"sku": "A1", "qty": 2}],
    "attrs": {"weight": 1.5},
    "raw": "AAEC",
}


def validator() -> jsonschema.Draft202012Validator:
    doc = SCHEMA.to_json_schema()
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(doc, format_checker=jsonschema.FormatChecker())


def test_the_document_is_a_2020_12_schema() -> None:
    doc = SCHEMA.to_json_schema()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["title"] == "Order"
    assert doc["required"] == ["id", "placed"]
    assert doc["properties"]["id"] == {
        "type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1, "description": "order id"
    }  # fmt: skip
    assert doc["properties"]["score"]["default"] == 0.0


def test_records_that_fit_are_accepted() -> None:
    validator().validate(GOOD)


@pytest.mark.parametrize(
    "change",
    [
        {"id": 2**40},
        {"id": None},
        {"status": "LOST"},
        {"items": [{"sku": 5}]},
        {"attrs": {"w": "heavy"}},
        {"placed": 12},
    ],
)
def test_records_that_do_not_fit_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validator().validate({**GOOD, **change})


def test_missing_required_column_is_refused() -> None:
    record = dict(GOOD)
    del record["placed"]
    with pytest.raises(jsonschema.ValidationError, match="'placed' is a required property"):
        validator().validate(record)


@settings(max_examples=100, deadline=None)
@given(schemas())
def test_every_schema_exports_a_valid_document(schema: Schema) -> None:
    jsonschema.Draft202012Validator.check_schema(schema.to_json_schema())


def test_import_reads_back_what_export_wrote() -> None:
    back = Schema.from_json_schema(SCHEMA.to_json_schema())
    assert [(f.name, f.sql_type, f.nullable) for f in back] == [
        (f.name, f.sql_type, f.nullable) for f in SCHEMA
    ]
    assert back["score"].default == 0.0
    assert back["id"].comment == "order id"
    assert back.name == "Order"


def test_import_of_a_hand_written_schema() -> None:
    doc = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": ["id", "address"],
        "definitions": {"address": {"type": "object", "properties": {"zip": {"type": "string"}}}},
        "properties": {
            "id": {"type": "integer"},
            "address": {"$ref": "#/definitions/address"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "price": {"type": ["number", "null"]},
            "either": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
            "meta": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "anything": {},
        },
    }
    schema = Schema.from_json_schema(doc)
    assert [(f.name, f.sql_type, f.nullable) for f in schema] == [
        ("id", "BIGINT", False),
        ("address", "STRUCT(zip VARCHAR)", False),
        ("tags", "VARCHAR[]", True),
        ("price", "DOUBLE", True),
        ("either", 'UNION("integer" BIGINT, string VARCHAR)', True),
        ("meta", "MAP(VARCHAR, BOOLEAN)", True),
        ("anything", "JSON", True),
    ]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"type": "string"}, "must describe an object"),
        ({"properties": {"a": {"$ref": "other.json#/x"}}}, "only local $ref"),
        ({"properties": {"a": {"$ref": "#/$defs/missing"}}}, "points nowhere"),
        ({"$defs": {"n": {"properties": {"next": {"$ref": "#/$defs/n"}}}},
          "properties": {"head": {"$ref": "#/$defs/n"}}}, "recursive reference"),
        ({"properties": {"a": {"type": "money"}}}, "unknown JSON Schema type 'money'"),
    ],
)  # fmt: skip
def test_import_errors(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError, match=message.replace("$", r"\$")):
        Schema.from_json_schema(doc)
