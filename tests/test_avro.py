"""Avro import and export: every Avro construct, validated by fastavro, and round trips."""

from __future__ import annotations

import json
from typing import Any

import fastavro
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.errors import AvroSchemaError
from catalog.schema import NO_DEFAULT, Field, Schema
from catalog.types import EnumType
from tests.strategies import names

ORDER_AVSC: dict[str, Any] = {
    "type": "record",
    "name": "Order",
    "namespace": "com.acme",
    "doc": "an order",
    "fields": [
        {"name": "id", "type": "long", "doc": "primary key"},
        {"name": "customer", "aliases": ["buyer"], "type": {
            "type": "record", "name": "Customer", "aliases": ["Buyer"], "fields": [
                {"name": "name", "type": "string"},
                {"name": "address", "default": None, "type": ["null", {
                    "type": "record", "name": "Address", "namespace": "com.acme.geo",
                    "fields": [{"name": "zip", "type": "string", "default": "00000"}]}]},
            ]}},
        {"name": "items", "type": {"type": "array", "items": {
            "type": "record", "name": "Item", "fields": [
                {"name": "sku", "type": "string"}, {"name": "qty", "type": "int"}]}}},
        {"name": "tags", "type": {"type": "map", "values": ["null", "long"]}},
        {"name": "status", "type": {"type": "enum", "name": "Status",
                                    "symbols": ["NEW", "PAID"], "default": "NEW"}},
        {"name": "hash", "type": {"type": "fixed", "name": "MD5", "size": 16}},
        {"name": "hash_again", "type": "MD5"},
        {"name": "ship_to", "type": ["null", "com.acme.geo.Address"], "default": None},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal",
                                    "precision": 10, "scale": 2}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "local_ts", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "at", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "at_us", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "wait", "type": {"type": "fixed", "name": "Wait", "size": 12,
                                  "logicalType": "duration"}},
        {"name": "choice", "type": ["null", "int", "string", "Item"]},
        {"name": "note", "type": ["string", "null"], "default": "none"},
        {"name": "odd", "type": {"type": "long", "logicalType": "made-up"}},
    ],
}  # fmt: skip


def test_every_construct_is_imported() -> None:
    schema = Schema.from_avro(ORDER_AVSC)
    assert schema.name == "com.acme.Order"
    types = {f.name: f.sql_type for f in schema}
    assert types == {
        "id": "BIGINT",
        "customer": 'STRUCT("name" VARCHAR, address STRUCT(zip VARCHAR))',
        "items": "STRUCT(sku VARCHAR, qty INTEGER)[]",
        "tags": "MAP(VARCHAR, BIGINT)",
        "status": "ENUM('NEW', 'PAID')",
        "hash": "BLOB",
        "hash_again": "BLOB",
        "ship_to": "STRUCT(zip VARCHAR)",
        "amount": "DECIMAL(10,2)",
        "ts": "TIMESTAMP WITH TIME ZONE",
        "local_ts": "TIMESTAMP",
        "day": "DATE",
        "at": "TIME",
        "at_us": "TIME",
        "uid": "UUID",
        "wait": "INTERVAL",
        "choice": 'UNION("int" INTEGER, string VARCHAR, Item STRUCT(sku VARCHAR, qty INTEGER))',
        "note": "VARCHAR",
        "odd": "BIGINT",
    }
    assert [f.name for f in schema if f.nullable] == ["ship_to", "choice", "note"]
    assert schema["id"].comment == "primary key"
    assert schema["customer"].aliases == ("buyer",)
    assert schema["customer"].metadata == {
        "avro.name": "com.acme.Customer",
        "avro.aliases": '["Buyer"]',
    }
    assert schema["hash"].type == pa.binary(16)
    assert schema["status"].type == EnumType(["NEW", "PAID"], default="NEW")
    assert schema["ship_to"].metadata == {"avro.name": "com.acme.geo.Address"}
    zip_field = Field.from_arrow(schema["ship_to"].type.field("zip"))
    assert zip_field.default == "00000" and not zip_field.nullable


def test_a_field_without_default_has_none_and_null_default_is_kept() -> None:
    schema = Schema.from_avro(ORDER_AVSC)
    assert schema["id"].default is NO_DEFAULT
    assert schema["choice"].default is NO_DEFAULT
    assert schema["ship_to"].has_default and schema["ship_to"].default is None
    assert schema["note"].default == "none"


def test_export_is_valid_avro_and_round_trips() -> None:
    schema = Schema.from_avro(ORDER_AVSC)
    exported = schema.to_avro()
    fastavro.parse_schema(exported)
    assert Schema.from_avro(exported) == schema
    assert Schema.from_avro(json.dumps(exported)) == schema
    assert exported["fields"][7]["type"] == ["null", "com.acme.geo.Address"]


def test_export_of_sql_schema() -> None:
    schema = Schema(
        [
            Field("id", pa.int64(), nullable=False),
            Field("email", pa.string()),
            Field("score", pa.float64(), default=0.5),
            Field("tags", pa.list_(pa.string())),
            Field("address", pa.struct([("city", pa.string())])),
            Field("small", pa.int8(), nullable=False),
        ]
    )
    avsc = schema.to_avro("Customer")
    fastavro.parse_schema(avsc)
    assert avsc["fields"] == [
        {"name": "id", "type": "long"},
        {"name": "email", "type": ["null", "string"]},
        {"name": "score", "type": ["double", "null"], "default": 0.5},
        {"name": "tags", "type": ["null", {"type": "array", "items": ["null", "string"]}]},
        {"name": "address", "type": ["null", {"name": "Customer_address", "type": "record",
         "fields": [{"name": "city", "type": ["null", "string"]}]}]},
        {"name": "small", "type": "int"},
    ]  # fmt: skip


AVRO_TYPES = st.recursive(
    st.sampled_from(
        [pa.bool_(), pa.int32(), pa.int64(), pa.float32(), pa.float64(), pa.string(),
         pa.binary(), pa.date32(), pa.time32("ms"), pa.time64("us"), pa.timestamp("ms", "UTC"),
         pa.timestamp("us"), pa.timestamp("ns", "UTC"), pa.decimal128(10, 3), pa.binary(8),
         pa.uuid(), pa.json_(), pa.month_day_nano_interval(), EnumType(["A", "B"])]
    ),
    lambda children: st.one_of(
        st.builds(lambda t, n: pa.list_(pa.field("item", t, n)), children, st.booleans()),
        st.builds(lambda t, n: pa.map_(pa.string(), pa.field("value", t, n)), children, st.booleans()),
        st.lists(st.tuples(names, children, st.booleans()), min_size=1, max_size=3,
                 unique_by=lambda x: x[0]).map(lambda fs: pa.struct([pa.field(*f) for f in fs])),
    ),
    max_leaves=6,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(names, AVRO_TYPES, st.booleans()), min_size=1, max_size=5,
                unique_by=lambda x: x[0]))  # fmt: skip
def test_round_trip_of_everything_avro_can_hold(
    columns: list[tuple[str, pa.DataType, bool]],
) -> None:
    schema = Schema([Field(n, t, nullable) for n, t, nullable in columns])
    exported = schema.to_avro()
    fastavro.parse_schema(exported)
    back = Schema.from_avro(exported)
    assert back.to_arrow().equals(schema.to_arrow(), check_metadata=False)
    assert back.to_avro() == exported


@pytest.mark.parametrize(
    ("avsc", "message"),
    [
        ('{"type": "record", "name": "N", "fields": [', "not valid JSON"),
        ('"string"', "must be a record"),
        ({"type": "record", "name": "Node", "fields": [
            {"name": "next", "type": ["null", "Node"]}]}, "recursive type Node"),
        ({"type": "record", "name": "R", "fields": [{"name": "x", "type": "Missing"}]},
         "unknown Avro type 'Missing'"),
        ({"type": "record", "name": "R", "fields": [{"name": "x", "type": ["int", "int"]}]},
         "two branches of the same type"),
        ({"type": "record", "name": "R", "fields": [{"name": "x", "type": {"type": "enum"}}]},
         "needs a name"),
        ({"type": "record", "name": "R", "fields": [{"name": "x", "type": 5}]}, "not an Avro schema"),
    ],
)  # fmt: skip
def test_bad_avro_is_refused(avsc: Any, message: str) -> None:
    with pytest.raises(AvroSchemaError) as err:
        Schema.from_avro(avsc)
    assert message in err.value.message


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (Field("my col", pa.int64()), "not a valid Avro field name"),
        (Field("n", pa.uint64()), "cannot be written as Avro without loss"),
        (Field("t", pa.time64("ns")), "cannot be written as Avro without loss"),
        (Field("m", pa.map_(pa.int64(), pa.string())), "Avro map keys are strings"),
        (Field("e", EnumType(["ok", "not ok"])), "not valid Avro names"),
    ],
)
def test_what_avro_cannot_hold_is_refused(field: Field, message: str) -> None:
    with pytest.raises(AvroSchemaError) as err:
        Schema([field]).to_avro()
    assert message in err.value.message


def test_two_different_types_with_one_name_are_refused() -> None:
    a = Field("a", pa.struct([("x", pa.int32())]), metadata={"avro.name": "Same"})
    b = Field("b", pa.struct([("y", pa.int32())]), metadata={"avro.name": "Same"})
    with pytest.raises(AvroSchemaError, match="two different types are both named 'Same'"):
        Schema([a, b]).to_avro()
