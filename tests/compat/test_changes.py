"""The change report between two versions, and the consumer's migration plan."""

from __future__ import annotations

import pyarrow as pa

from catalog.changes import diff
from catalog.schema import Field, Schema
from catalog.types import EnumType

OLD = Schema(
    [
        Field("id", pa.int64(), nullable=False),
        Field("qty", pa.int32()),
        Field("price", pa.float64(), nullable=False),
        Field("temp_field", pa.string()),
        Field("name", pa.string(), comment="full name"),
        Field("customer", pa.struct([("zip", pa.string())])),
        Field("items", pa.list_(pa.struct([("sku", pa.string()), ("n", pa.int64())]))),
        Field("code", pa.int64()),
    ]
)
NEW = Schema(
    [
        Field("id", pa.int64(), nullable=False),
        Field("qty", pa.int64()),
        Field("price", pa.float64()),
        Field("full_name", pa.string(), comment="full name", aliases=("name",)),
        Field("discount", pa.float64(), default=0.0),
        Field("customer", pa.struct([("zip", pa.string()), ("country", pa.string())])),
        Field("items", pa.list_(pa.struct([("sku", pa.string()), ("n", pa.int32())]))),
        Field("code", pa.string(), default="none"),
    ]
)


def test_each_kind_of_change_is_reported() -> None:
    report = diff(OLD, NEW)
    assert [(c.kind, c.path, c.old, c.new, c.detail) for c in report.changes] == [
        ("retyped", "qty", "INTEGER", "BIGINT", "widened"),
        ("nullable", "price", None, None, None),
        ("renamed", "full_name", "name", "full_name", None),
        ("added", "discount", None, "DOUBLE", "0.0"),
        ("added", "customer.country", None, "VARCHAR", "no default"),
        ("retyped", "items[].n", "BIGINT", "INTEGER", "narrowed"),
        ("retyped", "code", "BIGINT", "VARCHAR", "changed"),
        ("default_changed", "code", "none", '"none"', None),
        ("removed", "temp_field", "VARCHAR", None, None),
    ]


def test_summary_is_one_line() -> None:
    assert diff(OLD, NEW).summary == (
        "qty INTEGER -> BIGINT (widened); price nullable; renamed name to full_name; "
        "added discount DOUBLE; added customer.country VARCHAR; "
        "items[].n BIGINT -> INTEGER (narrowed); code BIGINT -> VARCHAR (changed); "
        'code default none -> "none"; dropped temp_field'
    )
    assert diff(OLD, OLD).summary == "no change"


def test_migration_plan_orders_the_steps() -> None:
    assert diff(OLD, NEW).plan == [
        "1. read full_name where you read name",
        "2. add discount (DOUBLE); backfill older records with 0.0",
        "3. add customer.country (VARCHAR); older records have no value for it",
        "4. widen qty from INTEGER to BIGINT",
        "5. convert items[].n from BIGINT to INTEGER; not every value converts",
        "6. convert code from BIGINT to VARCHAR; not every value converts",
        "7. handle NULL in price",
        '8. missing code now reads as "none" instead of none',
        "9. drop reads of temp_field",
    ]


def test_report_as_data() -> None:
    data = diff(OLD, Schema([*OLD.fields[:-1]])).to_dict()
    assert data["summary"] == "dropped code"
    assert data["changes"] == [
        {"kind": "removed", "path": "code", "old": "BIGINT", "new": None, "detail": None}
    ]
    assert data["plan"] == ["1. drop reads of code"]


def test_not_null_comment_and_map_values() -> None:
    old = Schema([Field("m", pa.map_(pa.string(), pa.int32())), Field("c", pa.int8(), comment="a")])
    new = Schema(
        [
            Field("m", pa.map_(pa.string(), pa.int64())),
            Field("c", pa.int8(), nullable=False, comment="b"),
        ]
    )
    assert [c.text for c in diff(old, new).changes] == [
        "m{} INTEGER -> BIGINT (widened)",
        "c NOT NULL",
        "c comment changed",
    ]


def test_enum_symbols_added_and_removed() -> None:
    """pyarrow's own != ignores an extension type's parameters; the diff must not."""
    two = Schema([Field("status", EnumType(["NEW", "PAID"]))])
    fewer = diff(two, Schema([Field("status", EnumType(["NEW"]))]))
    assert fewer.summary == "status ENUM('NEW', 'PAID') -> ENUM('NEW') (narrowed)"
    more = diff(two, Schema([Field("status", EnumType(["NEW", "PAID", "SHIPPED"]))]))
    assert more.summary == "status ENUM('NEW', 'PAID') -> ENUM('NEW', 'PAID', 'SHIPPED') (widened)"


def test_what_changes_a_fingerprint_is_reported() -> None:
    """Moved columns, annotations (metadata, aliases, the record's name) and an enum declared
    otherwise change the fingerprint; the report says so instead of 'no change'."""
    old = Schema(
        [Field("a", pa.int64()), Field("k", pa.string()), Field("e", EnumType(["x", "y"]))],
        name="Order",
    )
    new = Schema(
        [
            Field("k", pa.string(), metadata={"role": "key"}),
            Field("a", pa.int64(), aliases=("alpha",)),
            Field("e", EnumType(["y", "x"])),
        ],
        name="OrderV2",
    )
    assert diff(old, new).summary == (
        "the record name changed; the columns reordered; k role changed; a aliases changed; "
        "e EnumType(['x', 'y'], default=None) -> EnumType(['y', 'x'], default=None) (redefined)"
    )
    assert diff(old, old).summary == "no change"
