"""Schema and Field: immutability, canonical JSON, fingerprints, Arrow and Parquet round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings

from catalog.errors import SchemaError
from catalog.schema import NO_DEFAULT, Field, Schema
from catalog.types import EnumType
from tests.strategies import schemas

ORDERS = Schema(
    [
        Field("id", pa.int64(), nullable=False, comment="order id"),
        Field(
            "customer",
            pa.struct(
                [
                    pa.field("name", pa.string()),
                    Field("tier", pa.int8(), default=1, comment="loyalty tier").to_arrow(),
                ]
            ),
        ),
        Field("items", pa.list_(pa.struct([("sku", pa.string()), ("qty", pa.int64())]))),
        Field("tags", pa.map_(pa.string(), pa.list_(pa.string()))),
        Field("total", pa.decimal128(12, 2), default="0.00"),
        Field("status", EnumType(["NEW", "PAID"], default="NEW")),
        Field("placed_at", pa.timestamp("us", "UTC"), aliases=("created_at",)),
    ],
    name="com.acme.Order",
)


@settings(max_examples=300, deadline=None)
@given(schemas())
def test_canonical_json_round_trips_every_type(schema: Schema) -> None:
    back = Schema.from_json(schema.canonical)
    assert back == schema
    assert back.canonical == schema.canonical
    assert back.to_arrow().equals(schema.to_arrow(), check_metadata=True)


@settings(max_examples=300, deadline=None)
@given(schemas())
def test_arrow_round_trip(schema: Schema) -> None:
    assert Schema.from_arrow(schema.to_arrow()) == schema


def test_nested_defaults_comments_and_aliases_survive(tmp_path: Path) -> None:
    back = Schema.from_json(json.dumps(ORDERS.to_json(), indent=4))
    tier = Field.from_arrow(back.field("customer").type.field("tier"))
    assert (tier.default, tier.comment) == (1, "loyalty tier")
    assert back.field("placed_at").aliases == ("created_at",)
    assert back.name == "com.acme.Order"
    pq.write_table(ORDERS.to_arrow().empty_table(), tmp_path / "orders.parquet")
    assert Schema.from_arrow(pq.read_schema(tmp_path / "orders.parquet")) == ORDERS


def test_fingerprint_ignores_whitespace_but_not_order() -> None:
    spaced = json.dumps(ORDERS.to_json(), indent=2, sort_keys=False)
    assert Schema.from_json(spaced).fingerprint == ORDERS.fingerprint
    reordered = Schema(reversed(ORDERS.fields), name=ORDERS.name)
    assert reordered.fingerprint != ORDERS.fingerprint
    assert len(ORDERS.fingerprint) == 64
    assert int(ORDERS.fingerprint, 16)


def test_list_item_and_map_entry_names_do_not_matter() -> None:
    a = Schema([Field("x", pa.list_(pa.field("item", pa.int64())))])
    b = Schema([Field("x", pa.list_(pa.field("element", pa.int64())))])
    assert a.fingerprint == b.fingerprint
    m1 = pa.map_(pa.field("key", pa.string(), False), pa.field("value", pa.int64()))
    m2 = pa.map_(pa.field("k", pa.string(), False), pa.field("v", pa.int64()))
    assert Schema([Field("m", m1)]) == Schema([Field("m", m2)])


def test_no_default_is_not_a_default_of_null() -> None:
    without = Field("email", pa.string())
    null = Field("email", pa.string(), default=None)
    assert without.default is NO_DEFAULT and not without.has_default
    assert null.has_default and null.default is None
    assert without != null
    assert "default" not in without.to_json()
    assert null.to_json()["default"] is None
    assert Schema([without]).fingerprint != Schema([null]).fingerprint
    assert Field.from_json(null.to_json()) == null


def test_everything_that_changes_meaning_changes_the_fingerprint() -> None:
    base = Field("qty", pa.int64())
    variants = [
        base.replace(name="quantity"),
        base.replace(type=pa.int32()),
        base.replace(nullable=False),
        base.replace(default=0),
        base.replace(comment="how many"),
        base.replace(aliases=("count",)),
        base.replace(metadata={"pii": "no"}),
    ]
    prints = {Schema([v]).fingerprint for v in variants} | {Schema([base]).fingerprint}
    assert len(prints) == len(variants) + 1


def test_schemas_are_immutable() -> None:
    with pytest.raises(AttributeError):
        ORDERS.name = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        ORDERS.fields[0].name = "x"  # type: ignore[misc]


def test_lookup_is_case_insensitive() -> None:
    assert ORDERS.field("ID").name == "id"
    assert "Placed_At" in ORDERS
    assert ORDERS["total"].sql_type == "DECIMAL(12,2)"
    assert ORDERS.index("items") == 2
    with pytest.raises(KeyError):
        ORDERS.field("nope")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Schema([Field("a", pa.int8()), Field("A", pa.int8())]), "duplicate column name 'A'"),
        (lambda: Field("", pa.int8()), "non-empty name"),
        (lambda: Field("x", "int"), "expected a pyarrow type"),
        (lambda: Schema.from_json("{not json"), "not valid JSON"),
        (lambda: Schema.from_json('{"columns": []}'), "'fields' list"),
        (lambda: Schema.from_json('{"fields": [{"name": "a", "type": "int65"}]}'), "unknown type 'int65'"),
        (lambda: Schema.from_json('{"fields": [{"type": "int64"}]}'), "malformed field"),
        (lambda: Schema([Field("x", pa.bool8())]).canonical, "extension type arrow.bool8"),
    ],
)  # fmt: skip
def test_malformed_schemas_are_refused(build: object, message: str) -> None:
    with pytest.raises(SchemaError) as err:
        build()  # type: ignore[operator]
    assert message in err.value.message


def test_repr_shows_sql_types() -> None:
    assert repr(Schema([Field("id", pa.int64()), Field("t", pa.list_(pa.string()))])) == (
        "Schema(id BIGINT, t VARCHAR[])"
    )
