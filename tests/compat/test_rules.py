"""Every resolution rule, in both directions, flat and nested two levels deep."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pytest

from catalog.compat import check_compatibility
from catalog.errors import SchemacatError
from catalog.schema import Field, Schema
from catalog.types import EnumType

TS = pa.timestamp
# (reader type, writer type, expected issue kind or None when the reader can read the writer)
TYPE_RULES: list[tuple[pa.DataType, pa.DataType, str | None]] = [
    (pa.int64(), pa.int32(), None),
    (pa.int32(), pa.int64(), "TYPE_NARROWED"),
    (pa.int16(), pa.int8(), None),
    (pa.int64(), pa.uint32(), None),
    (pa.int32(), pa.uint32(), "TYPE_NARROWED"),
    (pa.uint64(), pa.int8(), "TYPE_NARROWED"),
    (pa.float32(), pa.int32(), None),
    (pa.float64(), pa.int64(), None),
    (pa.float64(), pa.float32(), None),
    (pa.float32(), pa.float64(), "TYPE_NARROWED"),
    (pa.int64(), pa.float64(), "TYPE_NARROWED"),
    (pa.string(), pa.binary(), None),
    (pa.binary(), pa.string(), None),
    (pa.large_string(), pa.string(), None),
    (pa.string(), pa.string_view(), None),
    (pa.string(), pa.int64(), "TYPE_CHANGED"),
    (pa.bool_(), pa.int8(), "TYPE_CHANGED"),
    (pa.decimal128(12, 2), pa.decimal128(10, 2), None),
    (pa.decimal128(10, 2), pa.decimal128(12, 2), "DECIMAL_MISMATCH"),
    (pa.decimal128(12, 3), pa.decimal128(10, 2), "DECIMAL_MISMATCH"),
    (pa.decimal128(20, 0), pa.int64(), None),
    (pa.decimal128(12, 4), pa.int64(), "TYPE_NARROWED"),
    (pa.float64(), pa.decimal128(10, 2), "TYPE_NARROWED"),
    (pa.binary(16), pa.binary(16), None),
    (pa.binary(16), pa.binary(8), "FIXED_SIZE_MISMATCH"),
    (pa.binary(), pa.binary(8), None),
    (pa.binary(8), pa.binary(), "TYPE_NARROWED"),
    (pa.date32(), pa.date64(), None),
    (TS("us"), TS("ms"), None),
    (TS("ms"), TS("us"), "TYPE_NARROWED"),
    (TS("us", "UTC"), TS("us", "Europe/Paris"), None),
    (TS("us", "UTC"), TS("us"), "TYPE_CHANGED"),
    (TS("us"), TS("us", "UTC"), "TYPE_CHANGED"),
    (TS("us"), pa.date32(), "TYPE_CHANGED"),
    (pa.time64("us"), pa.time32("ms"), None),
    (pa.time32("s"), pa.time32("ms"), "TYPE_NARROWED"),
    (pa.duration("ns"), pa.duration("s"), None),
    (pa.month_day_nano_interval(), pa.duration("us"), None),
    (pa.string(), pa.uuid(), None),
    (pa.uuid(), pa.string(), "TYPE_NARROWED"),
    (pa.json_(), pa.struct([("a", pa.int64())]), None),
    (pa.string(), pa.json_(), None),
    (pa.struct([("a", pa.int64())]), pa.json_(), "TYPE_CHANGED"),
    (pa.string(), EnumType(["A"]), None),
    (EnumType(["A", "B"]), pa.string(), "TYPE_NARROWED"),
    (EnumType(["A", "B", "C"]), EnumType(["A", "B"]), None),
    (EnumType(["A", "B"]), EnumType(["A", "B", "C"]), "ENUM_SYMBOL_REMOVED"),
    (EnumType(["A", "B"], default="A"), EnumType(["A", "B", "C"]), None),
    (pa.list_(pa.int64()), pa.list_(pa.int32()), None),
    (pa.list_(pa.int32()), pa.list_(pa.int64()), "TYPE_NARROWED"),
    (pa.large_list(pa.int64()), pa.list_(pa.int64()), None),
    (pa.list_(pa.int64()), pa.list_(pa.int64(), 3), None),
    (pa.list_(pa.int64(), 3), pa.list_(pa.int64()), "TYPE_NARROWED"),
    (pa.list_(pa.int64(), 3), pa.list_(pa.int64(), 4), "FIXED_SIZE_MISMATCH"),
    (pa.map_(pa.string(), pa.int64()), pa.map_(pa.string(), pa.int32()), None),
    (pa.map_(pa.string(), pa.int32()), pa.map_(pa.string(), pa.int64()), "TYPE_NARROWED"),
    (pa.map_(pa.int64(), pa.string()), pa.map_(pa.int32(), pa.string()), None),
    (pa.map_(pa.string(), pa.int64()), pa.list_(pa.int64()), "TYPE_CHANGED"),
    (pa.dictionary(pa.int32(), pa.string()), pa.string(), None),
    (pa.dense_union([pa.field("i", pa.int64()), pa.field("s", pa.string())]), pa.int32(), None),
    (pa.dense_union([pa.field("s", pa.string())]), pa.float64(), "UNION_BRANCH_MISSING"),
    (pa.float64(), pa.dense_union([pa.field("i", pa.int32()), pa.field("f", pa.float32())]), None),
    (pa.dense_union([pa.field("i", pa.int64())]),
     pa.dense_union([pa.field("i", pa.int32()), pa.field("s", pa.string())]), "UNION_BRANCH_MISSING"),
]  # fmt: skip

Wrap = Callable[[pa.DataType], pa.DataType]
NESTINGS: dict[str, tuple[Wrap, str]] = {
    "flat": (lambda t: t, "c"),
    "struct-in-struct": (lambda t: pa.struct([("mid", pa.struct([("leaf", t)]))]), "c.mid.leaf"),
    "list-of-structs": (lambda t: pa.list_(pa.struct([("leaf", t)])), "c[].leaf"),
    "map-of-lists": (lambda t: pa.map_(pa.string(), pa.list_(t)), "c{}[]"),
}


@pytest.mark.parametrize("nesting", NESTINGS)
@pytest.mark.parametrize(("reader", "writer", "kind"), TYPE_RULES)
def test_type_rule_in_both_directions(
    reader: pa.DataType, writer: pa.DataType, kind: str | None, nesting: str
) -> None:
    wrap, path = NESTINGS[nesting]
    r = Schema([Field("c", wrap(reader))])
    w = Schema([Field("c", wrap(writer))])
    backward = check_compatibility(r, w, "BACKWARD").issues  # a reader with the new schema
    forward = check_compatibility(w, r, "FORWARD").issues  # a reader with the old schema
    for issues, direction in ((backward, "backward"), (forward, "forward")):
        assert [i.kind for i in issues] == ([kind] if kind else [])
        for issue in issues:
            assert issue.path.startswith(path)
            assert issue.direction == direction and issue.version == 1
            assert issue.message.startswith(issue.path)


def s(*fields: Field, name: str | None = None) -> Schema:
    return Schema(fields, name=name)


ID = Field("id", pa.int64(), nullable=False)


@pytest.mark.parametrize(
    ("old", "new", "mode", "kinds"),
    [
        # a field added with a default reads old data; without one it does not
        (s(ID), s(ID, Field("x", pa.int64(), default=0)), "FULL", []),
        (s(ID), s(ID, Field("x", pa.int64())), "BACKWARD", ["FIELD_ADDED_WITHOUT_DEFAULT"]),
        (s(ID), s(ID, Field("x", pa.int64(), default=None)), "BACKWARD", []),
        (s(ID), s(ID, Field("x", pa.int64())), "FORWARD", []),
        # a removed field is ignored by new readers, and needs a default for old ones
        (s(ID, Field("x", pa.int64())), s(ID), "BACKWARD", []),
        (s(ID, Field("x", pa.int64())), s(ID), "FORWARD", ["FIELD_REMOVED_WITHOUT_DEFAULT"]),
        (s(ID, Field("x", pa.int64(), default=1)), s(ID), "FULL", []),
        # a rename is matched by the reader's alias (old readers do not know the alias)
        (s(Field("a", pa.int64())), s(Field("b", pa.int64(), aliases=("a",))), "BACKWARD", []),
        (s(Field("a", pa.int64())), s(Field("b", pa.int64(), aliases=("a",))), "FORWARD",
         ["FIELD_REMOVED_WITHOUT_DEFAULT"]),
        # nullability: a NOT NULL reader cannot read a nullable writer
        (s(Field("e", pa.string())), s(Field("e", pa.string(), nullable=False)), "BACKWARD",
         ["NULLABILITY_TIGHTENED"]),
        (s(Field("e", pa.string())), s(Field("e", pa.string(), nullable=False)), "FORWARD", []),
        (s(Field("e", pa.string(), nullable=False)), s(Field("e", pa.string())), "FULL",
         ["NULLABILITY_TIGHTENED"]),
        # names are case-insensitive
        (s(Field("Email", pa.string())), s(Field("email", pa.string())), "FULL", []),
        # record names must agree (unqualified), or the reader lists the old one as an alias
        (s(ID, name="a.Order"), s(ID, name="b.Order"), "FULL", []),
        (s(ID, name="Order"), s(ID, name="Purchase"), "BACKWARD", ["NAME_MISMATCH"]),
    ],
)  # fmt: skip
def test_field_rules(old: Schema, new: Schema, mode: str, kinds: list[str]) -> None:
    assert [i.kind for i in check_compatibility(new, old, mode).issues] == kinds


def test_nested_field_rules_carry_their_path() -> None:
    old = s(Field("customer", pa.struct([("address", pa.struct([("zip", pa.string())]))])))
    inner = Field("country", pa.string(), nullable=False).to_arrow()
    new = s(Field("customer", pa.struct([("address", pa.struct([("zip", pa.string()), inner]))])))
    [issue] = check_compatibility(new, old, "BACKWARD").issues
    assert (issue.path, issue.kind) == ("customer.address.country", "FIELD_ADDED_WITHOUT_DEFAULT")
    assert issue.hint == "give the new column a DEFAULT (a nullable column may use DEFAULT NULL)"


def test_named_types_use_reader_aliases() -> None:
    old = s(Field("t", EnumType(["A"]), metadata={"avro.name": "Old"}))
    renamed = {"avro.name": "New", "avro.aliases": '["Old"]'}
    assert check_compatibility(s(Field("t", EnumType(["A"]), metadata=renamed)), old).compatible
    plain = s(Field("t", EnumType(["A"]), metadata={"avro.name": "New"}))
    assert [i.kind for i in check_compatibility(plain, old).issues] == ["NAME_MISMATCH"]


@pytest.mark.parametrize(
    ("reader", "writer"),
    [
        (pa.timestamp("us"), pa.timestamp("ms")),
        (pa.decimal128(12, 2), pa.int32()),
        (pa.string(), EnumType(["A"])),
        (pa.binary(), pa.binary(4)),
    ],
)
def test_avro_binary_refuses_what_avro_would_misread(
    reader: pa.DataType, writer: pa.DataType
) -> None:
    new, old = s(Field("c", reader)), s(Field("c", writer))
    assert check_compatibility(new, old).compatible
    assert not check_compatibility(new, old, avro_binary=True).compatible


def test_transitive_modes_report_the_version_of_each_issue() -> None:
    v1 = s(ID)
    v2 = s(ID, Field("a", pa.int64(), default=0))
    v3 = s(ID, Field("a", pa.int64(), default=0), Field("b", pa.int64(), default=0))
    new = s(ID, Field("a", pa.int64()), Field("b", pa.int64(), default=0))
    latest_only = check_compatibility(new, [v1, v2, v3], "BACKWARD", versions=[4, 5, 6])
    assert latest_only.compatible
    assert latest_only.checked == (6,)
    every = check_compatibility(new, [v1, v2, v3], "BACKWARD_TRANSITIVE", versions=[4, 5, 6])
    assert [(i.version, i.kind) for i in every.issues] == [(4, "FIELD_ADDED_WITHOUT_DEFAULT")]
    assert every.checked == (4, 5, 6)


def test_none_mode_and_empty_history() -> None:
    assert check_compatibility(s(ID), s(Field("x", pa.string())), "none").compatible
    assert check_compatibility(s(ID), [], "FULL_TRANSITIVE").compatible


def test_unknown_mode_suggests_the_closest() -> None:
    with pytest.raises(SchemacatError) as err:
        check_compatibility(s(ID), s(ID), "BACKWARDS")
    assert err.value.code == "UNKNOWN_COMPATIBILITY_MODE"
    assert err.value.hint == "did you mean BACKWARD?"


def test_messages_name_the_symbols_a_reader_lacks() -> None:
    old = s(Field("status", EnumType(["NEW", "PAID", "SHIPPED"])))
    one = check_compatibility(s(Field("status", EnumType(["NEW", "SHIPPED"]))), old)
    assert [i.message for i in one.issues] == [
        "status in the new schema lacks the symbol PAID that version 1 can write"
    ]
    two = check_compatibility(s(Field("status", EnumType(["NEW"]))), old)
    assert "lacks the symbols PAID, SHIPPED that" in two.issues[0].message
