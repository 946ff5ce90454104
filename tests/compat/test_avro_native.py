"""Avro schemas checked on themselves (``catalog.avro_compat``): Avro's and Confluent's own
compatibility cases, recursive schemas, parse errors, canonical and normalized texts,
messages, and the speed of a long history."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from catalog import avro_compat
from catalog.avro_compat import can_read, canonical, check, normalized, parse
from catalog.compat import check_compatibility
from catalog.errors import AvroSchemaError, SchemacatError
from tests.compat import avro_native_cases as cases
from tests.compat.avro_native_cases import array, decimal, enum, field, fixed, record

COMPATIBLE = cases.READER_WRITER_COMPATIBLE + cases.OTHER_COMPATIBLE + cases.ALIAS_COMPATIBLE


def _ids(rows: list[Any]) -> list[str]:
    return [row[0] for row in rows]


# -- Avro's cases ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "reader", "writer"), COMPATIBLE, ids=_ids(COMPATIBLE))
def test_avro_compatible_pairs(name: str, reader: Any, writer: Any) -> None:
    assert can_read(json.dumps(reader), json.dumps(writer)) == []


@pytest.mark.parametrize(
    ("name", "reader", "writer", "expected"), cases.INCOMPATIBLE, ids=_ids(cases.INCOMPATIBLE)
)
def test_avro_incompatible_pairs(
    name: str, reader: Any, writer: Any, expected: list[tuple[str, str]]
) -> None:
    issues = can_read(
        json.dumps(reader), json.dumps(writer), reader_label="the reader", writer_label="the writer"
    )
    assert [(i.kind, i.path) for i in issues] == expected
    for issue in issues:
        assert "the reader" in issue.message and "the writer" in issue.message, issue.message
        assert issue.hint


def test_avro_multiple_incompatibilities_in_order() -> None:
    issues = can_read(cases.MULTIPLE_READER, cases.MULTIPLE_WRITER)
    assert [(i.kind, i.path) for i in issues] == cases.MULTIPLE_ISSUES
    assert "lacks the symbols B, D" in issues[0].message


def test_the_case_counts() -> None:
    """What was ported (the report quotes these numbers)."""
    assert len(cases.READER_WRITER_COMPATIBLE) == 73
    assert len(cases.OTHER_COMPATIBLE) == 10
    assert len(cases.INCOMPATIBLE) == 66  # and MULTIPLE: one pair, nine issues
    assert len(cases.ALIAS_COMPATIBLE) == 2
    assert len(cases.CONFLUENT) == 33
    assert len(cases.RECURSIVE) == 11


# -- Confluent's cases -------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "new", "earlier", "compatible"), cases.CONFLUENT)
def test_confluent_cases(mode: str, new: Any, earlier: list[Any], compatible: bool) -> None:
    result = check(new, earlier, mode, versions=range(1, len(earlier) + 1))
    assert result.compatible is compatible, result.issues


def test_confluent_accepts_a_string_default_for_a_nullable_string() -> None:
    # AvroCompatibilityTest.testBadDefaultNull: "null" (a string) is a default of the string branch
    parse(cases.BAD_DEFAULT_NULL)


def test_confluent_accepts_non_ascii_names() -> None:
    # AvroSchemaTest.testNonAsciiUtf8NamesAccepted
    schema = parse(record("Café", field("naïve", "string"),
                          field("e", enum("\u03a3", "\u0391", "\u0392")), namespace="a.b"))  # fmt: skip
    assert isinstance(schema, avro_compat.Record)
    assert schema.fullname == "a.b.Café"
    assert "naïve" in schema.by_name


# -- recursive schemas -------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "new", "earlier", "expected"), cases.RECURSIVE)
def test_recursive_schemas(
    mode: str, new: Any, earlier: list[Any], expected: list[tuple[str, str, str]]
) -> None:
    result = check(new, earlier, mode, versions=range(1, len(earlier) + 1))
    assert [(i.kind, i.path, i.direction) for i in result.issues] == expected


def test_a_recursive_type_refers_to_itself() -> None:
    node = parse(cases.NODE_V1)
    assert isinstance(node, avro_compat.Record)
    tail = node.by_name["next"].type
    assert isinstance(tail, avro_compat.Union)
    assert tail.branches[1] is node
    assert repr(node) == "Record('Node')"


# -- check: the modes as catalog.compat has them -------------------------------------------

V1 = record("R", field("a", "int"))
V2 = record("R", field("a", "int"), field("b", "string", default="x"))
V3 = record("R", field("a", "int"), field("b", "string"))


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("NONE", ([], ())),
        ("BACKWARD", ([], (2,))),
        ("BACKWARD_TRANSITIVE", ([("b", "backward", 1)], (1, 2))),
        ("FORWARD", ([], (2,))),
        ("FORWARD_TRANSITIVE", ([], (1, 2))),
        ("FULL", ([], (2,))),
        ("full_transitive", ([("b", "backward", 1)], (1, 2))),
    ],
)
def test_modes(mode: str, expected: tuple[list[tuple[str, str, int]], tuple[int, ...]]) -> None:
    result = check(V3, [V1, V2], mode, versions=[1, 2])
    assert [(i.path, i.direction, i.version) for i in result.issues] == expected[0]
    assert result.checked == expected[1]
    assert result.mode == mode.upper()


def test_modes_agree_with_the_arrow_checker() -> None:
    """Where both can judge (no recursion, no Arrow-only types) the verdicts agree."""
    from catalog.schema import Schema

    history = [V1, V2, V3, V1]
    for mode in ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL",
                 "FULL_TRANSITIVE"):  # fmt: skip
        for i in range(1, len(history)):
            ours = check(history[i], history[:i], mode, versions=range(1, i + 1))
            arrow = check_compatibility(
                Schema.from_avro(history[i]),
                [Schema.from_avro(s) for s in history[:i]],
                mode,
                avro_binary=True,
            )
            assert ours.compatible is arrow.compatible, (mode, i)
            assert [(x.kind, x.path, x.version) for x in ours.issues] == [
                (x.kind, x.path, x.version) for x in arrow.issues
            ]


def test_check_takes_parsed_schemas_and_old_defaults_unchecked() -> None:
    old_text = json.dumps(record("R", field("a", "int", default="not an int")))
    with pytest.raises(AvroSchemaError, match="default"):
        parse(old_text)
    assert check(record("R", field("a", "long")), [old_text], "BACKWARD", versions=[4]).compatible
    parsed = parse(V2)
    assert check(parsed, [parsed, parse(V1)], "FULL_TRANSITIVE", versions=[1, 2]).compatible


def test_check_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="versions"):
        check(V1, [V1], "BACKWARD", versions=[1, 2])
    with pytest.raises(SchemacatError, match="unknown compatibility mode"):
        check(V1, [V1], "SIDEWAYS", versions=[1])
    assert check(V1, [], "FULL", versions=[]).checked == ()


# -- messages ------------------------------------------------------------------------------

ORDER_V1 = record("Order", field("id", "long"), field("qty", "int"), field("customer", [
    "null", record("Customer", field("name", "string"), field("zip", "string"))]),
    field("status", enum("Status", "NEW", "PAID", "SHIPPED")),
    field("price", decimal(10, 2)), namespace="com.shop")  # fmt: skip
ORDER_V2 = record("Order", field("id", "int"), field("qty", "int"), field("customer", [
    "null", record("Customer", field("name", "string"), field("zip", "string"),
                   field("city", "string"))]),
    field("status", enum("Status", "NEW", "PAID")), field("price", decimal(10, 3)),
    field("note", "string"), namespace="com.shop")  # fmt: skip


def test_messages_name_the_place_the_schemas_and_what_to_do() -> None:
    result = check(ORDER_V2, [ORDER_V1], "BACKWARD", versions=[3])
    by_path = {i.path: i for i in result.issues}
    assert list(by_path) == ["id", "customer<Customer>.city", "status", "price", "note"]
    assert by_path["id"].kind == "TYPE_NARROWED"
    assert by_path["id"].message == (
        "id is int in the new schema but long in version 3: int cannot hold every long value"
    )
    assert by_path["customer<Customer>.city"].message == (
        "field customer<Customer>.city was added without a default, so the new schema cannot "
        "read records written with version 3"
    )
    assert by_path["status"].message == (
        "status (enum com.shop.Status) in the new schema lacks the symbol SHIPPED that "
        "version 3 can write"
    )
    assert by_path["status"].hint == (
        'keep every symbol, or give the enum a "default" symbol to read unknown ones as'
    )
    assert by_path["price"].kind == "DECIMAL_MISMATCH"
    assert "decimal(10,3) in the new schema but decimal(10,2) in version 3" in (
        by_path["price"].message
    )
    assert by_path["note"].hint == (
        'give it a "default" (an optional field is ["null", ...] with "default": null)'
    )
    assert {i.version for i in result.issues} == {3}


def test_forward_messages_speak_of_removed_fields_and_nulls() -> None:
    new = record("R", field("a", "int"))
    old = record("R", field("a", "int"), field("b", "string"))
    [removed] = check(new, [old], "FORWARD", versions=[7]).issues
    assert (removed.kind, removed.direction) == ("FIELD_REMOVED_WITHOUT_DEFAULT", "forward")
    assert removed.message == (
        "field b was removed, but readers using version 7 need it and it has no default there"
    )
    [null] = check(record("R", field("a", ["null", "int"])), [new], "FORWARD", versions=[1]).issues
    assert null.kind == "NULLABILITY_TIGHTENED"
    assert null.message == (
        "a may be null in data written with the new schema, but version 1 does not allow null there"
    )


def test_messages_for_names_unions_and_the_top_level() -> None:
    [name] = can_read(record("a.B"), record("c.D"), reader_label="v2", writer_label="v1")
    assert name.path == ""
    assert name.message == (
        "the top-level type is the record a.B in v2 but c.D in v1, and Avro matches record "
        "types by name"
    )
    assert name.hint == 'keep the name D, or list "c.D" in the "aliases" of a.B'
    [branch] = can_read(["null", "string"], ["null", "string", "long"])
    assert (branch.kind, branch.path) == ("UNION_BRANCH_MISSING", "<long>")
    assert "can write long here, but no branch of the union" in branch.message
    [reader_union] = can_read({"type": "array", "items": ["null", "int"]}, array("string"))
    assert reader_union.path == "[]"
    assert reader_union.hint == "add a string branch to the union"


def test_an_ambiguous_field_alias_is_an_issue() -> None:
    # Java throws "Reader record field ... matches multiple fields"; Confluent reports it
    reader = record("R", field("a", "int", aliases=["b"]))
    writer = record("R", field("a", "int"), field("b", "int"))
    [issue] = can_read(reader, writer)
    assert (issue.kind, issue.path) == ("AMBIGUOUS_FIELD", "a")


# -- logical types -------------------------------------------------------------------------


def fixed_decimal(precision: int, scale: int, size: int = 8) -> dict[str, Any]:
    return fixed("D", size, logicalType="decimal", precision=precision, scale=scale)


@pytest.mark.parametrize(
    ("reader", "writer", "kinds"),
    [
        (decimal(3, 3), decimal(3, 2), ["DECIMAL_MISMATCH"]),
        (decimal(3, 3), decimal(4, 3), ["DECIMAL_MISMATCH"]),
        (decimal(5, 2), decimal(4, 2), []),
        (fixed_decimal(4, 2), fixed_decimal(4, 1), ["DECIMAL_MISMATCH"]),
        (decimal(4, 2), "bytes", []),  # only two decimals are compared
        ({"type": "long", "logicalType": "timestamp-millis"},
         {"type": "long", "logicalType": "timestamp-micros"}, []),  # as Java: units are not compared
        ({"type": "int", "logicalType": "date"}, "int", []),
        (decimal(4, 2), fixed_decimal(4, 2), ["TYPE_CHANGED"]),
    ],
)  # fmt: skip
def test_logical_types(reader: Any, writer: Any, kinds: list[str]) -> None:
    assert [i.kind for i in can_read(json.dumps(reader), json.dumps(writer))] == kinds


@pytest.mark.parametrize(
    ("schema", "logical"),
    [
        (decimal(4, 2), avro_compat.Logical("decimal", 4, 2)),
        ({"type": "bytes", "logicalType": "decimal", "precision": 4}, avro_compat.Logical("decimal", 4)),
        (decimal(2, 3), None),  # scale above precision: ignored, as Avro does
        (decimal(0, 0), None),
        ({"type": "bytes", "logicalType": "decimal", "precision": 4.0}, None),
        (fixed_decimal(10, 0, 4), None),  # 4 bytes hold 9 digits
        (fixed_decimal(9, 0, 4), avro_compat.Logical("decimal", 9)),
        (decimal(4, 2, "string"), None),
        ({"type": "string", "logicalType": "uuid"}, avro_compat.Logical("uuid")),
        (fixed("U", 16, logicalType="uuid"), avro_compat.Logical("uuid")),
        (fixed("U", 15, logicalType="uuid"), None),
        (fixed("W", 12, logicalType="duration"), avro_compat.Logical("duration")),
        (fixed("W", 10, logicalType="duration"), None),
        ({"type": "int", "logicalType": "date"}, avro_compat.Logical("date")),
        ({"type": "long", "logicalType": "date"}, None),
        ({"type": "int", "logicalType": "time-millis"}, avro_compat.Logical("time-millis")),
        ({"type": "long", "logicalType": "time-micros"}, avro_compat.Logical("time-micros")),
        ({"type": "long", "logicalType": "timestamp-nanos"}, avro_compat.Logical("timestamp-nanos")),
        ({"type": "long", "logicalType": "local-timestamp-millis"},
         avro_compat.Logical("local-timestamp-millis")),
        ({"type": "int", "logicalType": "timestamp-millis"}, None),
        ({"type": "bytes", "logicalType": "big-decimal"}, avro_compat.Logical("big-decimal")),
        ({"type": "string", "logicalType": "made-up"}, None),
    ],
)  # fmt: skip
def test_logical_types_valid_or_ignored(schema: Any, logical: avro_compat.Logical | None) -> None:
    parsed = parse(schema)
    assert isinstance(parsed, avro_compat.Primitive | avro_compat.Fixed)
    assert parsed.logical == logical
    assert canonical(parsed) == canonical(schema)  # an ignored one is kept as a property


# -- parse errors --------------------------------------------------------------------------

OK_FIELD = field("a", "int")


@pytest.mark.parametrize(
    ("schema", "message", "hint"),
    [
        (record("Order", field("a", "strin"), namespace="com.x"),
         "field 'a' of record com.x.Order: unknown type 'strin'", "did you mean string?"),
        ('{"type": "record",', "the schema is not valid JSON", "an Avro schema is JSON"),
        ('{"type": "double", "x": NaN}', "not valid JSON", None),
        ('"int" "long"', "not valid JSON", None),
        (5, "the schema: 5 is not an Avro schema", None),
        ({"name": "x"}, 'the schema: "type" must be a type name', None),
        ({"type": {"type": "int"}}, '"type" must be a type name such as', "a type defined inside"),
        ({"type": "strng"}, "the schema: unknown type 'strng'", "did you mean string?"),
        (record("R", field("a", fixed("F", 2)), field("b", {"type": "F"})),
         "field 'b' of record R: unknown type 'F'", 'write the name of a defined type alone: "F"'),
        (record("R", field("a", "Later"), field("b", fixed("Later", 2))),
         "field 'a' of record R: unknown type 'Later'", "define a record, enum or fixed before"),
        (record("R", field("a", ["int", ["long"]])), "a union cannot hold another union", None),
        (record("R", field("a", ["int", "int"])), "has two int branches", None),
        (record("R", field("a", [array("int"), array("long")])), "has two array branches", None),
        (record("R", field("a", [fixed("F", 1), "F"])), "has two F branches", None),
        ({"type": "record", "fields": []}, 'a record needs a "name"', None),
        (record("1R"), "'1R' is not a valid Avro name", "a name starts with a letter"),
        (record("a-b.R"), "'a-b' is not a valid Avro name", None),
        (record("R", namespace="x..y"), "'' is not a valid Avro name", None),
        (fixed("int", 1), "may not be named 'int' like a primitive type", None),
        ({"type": "record", "name": "R"}, 'record R needs "fields", a list', None),
        (record("R", OK_FIELD, OK_FIELD), "record R: two fields are named 'a'", None),
        (record("R", {"type": "int"}), 'record R: field 1 is not an object with a "name"', None),
        (record("R", field("a b", "int")), "'a b' is not a valid Avro name", None),
        (record("R", {"name": "a"}), "field 'a' of record R: no \"type\"", None),
        (record("R", field("a", "int", order="up")), '"order" must be one of', None),
        (record("R", field("a", "int", aliases="b")), '"aliases" must be a list of names', None),
        (record("R", aliases=["1x"]), "'1x' is not a valid Avro name", None),
        (enum("E", "A", "A"), "enum E: the symbol 'A' is listed twice", None),
        (enum("E", "A", "B-C"), "enum E: 'B-C' is not a valid Avro name", None),
        ({"type": "enum", "name": "E"}, 'enum E: "symbols" must be a list of names', None),
        (enum("E", "AB", "CD", default="ABC"), "its default 'ABC' is not one of its symbols",
         "did you mean AB?"),
        ({"type": "fixed", "name": "F"}, 'fixed F: "size" must be a number of bytes, not null', None),
        (fixed("F", -1), '"size" must be a number of bytes, not -1', None),
        (fixed("F", 2.0), '"size" must be a number of bytes, not 2.0', None),
        ({"type": "array"}, 'array needs "items"', None),
        ({"type": "map", "items": "int"}, 'map needs "values"', None),
        (record("R", field("a", "int", default="x")),
         'field \'a\' of record R: the default "x" is not a value of int', "a default is a JSON"),
        (record("R", field("a", "int", default=2**31)), "the default 2147483648 is not", None),
        (record("R", field("a", "long", default=1.5)), "the default 1.5 is not a value of long", None),
        (record("R", field("a", ["null", "int"], default="x")),
         'the default "x" is not a value of union [null, int]', None),
        (record("R", field("a", "bytes", default=None)), "the default null is not", None),
        (record("R", field("r", record("S", field("x", "int")), default={"y": 1})),
         "is not a value of record S", None),
        (record("R", field("a", "float", default="one")), "the default 'one' is not a number", None),
        (record("R", field("a", fixed("F", 1)), field("b", fixed("F", 2))),
         "F is defined twice, differently", "define it once, then refer to it by its name"),
        (record("R", field("a", record("R"))), "R is defined inside itself", None),
        (record("R", field("a", ".R")), "unknown type '.R'", None),  # as Avro 1.12
    ],
)  # fmt: skip
def test_parse_errors(schema: Any, message: str, hint: str | None) -> None:
    with pytest.raises(AvroSchemaError) as caught:
        parse(schema)
    assert message in caught.value.message
    if hint is not None:
        assert caught.value.hint is not None and hint in caught.value.hint


def test_nesting_is_bounded() -> None:
    deep: Any = "int"
    for _ in range(avro_compat.MAX_DEPTH + 1):
        deep = array(deep)
    with pytest.raises(AvroSchemaError, match="nest more than"):
        parse(deep)
    with pytest.raises(AvroSchemaError, match="not valid JSON"):
        parse("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    "schema",
    [
        record("R", field("a", ["null", "string"], default="null")),  # any branch, as Java
        record("R", field("a", ["string", "null"], default=None)),
        record("R", field("a", "double", default="NaN")),
        record("R", field("a", "float", default="1.5")),
        record("R", field("a", "double", default=1)),
        record("R", field("a", "long", default=2**63 - 1)),
        record("R", field("a", array(["null", "int"]), default=[None, 1])),
        record("R", field("a", {"type": "map", "values": "string"}, default={"k": "v"})),
        record(
            "R",
            field(
                "r", record("S", field("x", "int"), field("y", "int", default=0)), default={"x": 1}
            ),
        ),
        record("R", field("a", fixed("F", 1)), field("b", fixed("F", 1))),  # same definition twice
        record("R", namespace=None),
        record("R", field("a", "int", doc=5)),  # a doc that is not text is dropped, as Java does
        enum("E", "A", default=None),
        record("x.R", field("a", "R")),  # a record holds itself
    ],
)
def test_schemas_avro_accepts(schema: Any) -> None:
    parse(schema)


def test_names_resolve_as_avro_resolves_them() -> None:
    schema = parse(record("Outer",
        field("x", fixed("F", 1, namespace="b")),
        field("y", "b.F"),
        field("z", fixed("G", 1)),
        field("w", "G"),  # a.G
        field("v", record("H", namespace="")),
        field("u", "H"),  # not a.H: then the null namespace
        namespace="a"))  # fmt: skip
    assert isinstance(schema, avro_compat.Record)
    names = [getattr(f.type, "fullname", None) for f in schema.fields]
    assert names == ["b.F", "b.F", "a.G", "a.G", "H", "H"]
    with pytest.raises(AvroSchemaError, match="unknown type 'F'"):
        parse(record("Outer", field("x", fixed("F", 1, namespace="b")), field("y", "F"),
                     namespace="a"))  # fmt: skip
    # as Avro 1.12: a name without namespace is found from inside a namespace once finished
    parse(record("R", field("f", fixed("F", 1)), field("s", record("S", field("g", "F"),
                                                                    namespace="x"))))  # fmt: skip
    with pytest.raises(AvroSchemaError, match=r"field 'g' of record x\.S: unknown type 'R'"):
        parse(record("R", field("s", record("S", field("g", "R"), namespace="x"))))


# -- canonical -----------------------------------------------------------------------------

RESERVED = {"type", "name", "namespace", "doc", "fields", "symbols", "items", "values", "size",
            "aliases", "default", "order"}  # fmt: skip


def _reordered(node: Any) -> Any:
    """``node`` with Avro's own attributes in reverse order (other properties keep theirs)."""
    if isinstance(node, list):
        return [_reordered(n) for n in node]
    if not isinstance(node, dict):
        return node
    keys = [k for k in reversed(node) if k in RESERVED] + [k for k in node if k not in RESERVED]
    return {k: _reordered(node[k]) for k in keys}


ALL_SCHEMAS = (
    [s for _, r, w in COMPATIBLE for s in (r, w)]
    + [s for _, r, w, _ in cases.INCOMPATIBLE for s in (r, w)]
    + [cases.MULTIPLE_READER, cases.MULTIPLE_WRITER, cases.PERSON_V2, ORDER_V2]
)


@pytest.mark.parametrize("schema", ALL_SCHEMAS)
def test_canonical_ignores_whitespace_and_attribute_order(schema: Any) -> None:
    schema = json.dumps(schema)
    text = canonical(schema)
    assert canonical(json.dumps(_reordered(json.loads(schema)), indent=4)) == text
    assert canonical(text) == text
    assert json.loads(text) is not None
    assert normalized(normalized(schema)) == normalized(schema)
    assert normalized(canonical(schema)) == normalized(schema)


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        # Confluent AvroSchemaTest.testNormalization: what canonicalString() gives
        ('{"type":"record","name":"myrecord","doc":"hi\\"there","fields":[{"type":"string",'
         '"name":"f1","doc":"bye\\"now"}]}',
         '{"type":"record","name":"myrecord","doc":"hi\\"there","fields":[{"name":"f1",'
         '"type":"string","doc":"bye\\"now"}]}'),
        ("\n \"int\" ", '"int"'),
        ({"type": "int"}, '"int"'),
        ({"type": "int", "name": "ignored", "x": [1, {"b": 2, "a": 1.0}]},
         '{"type":"int","x":[1,{"b":2,"a":1.0}]}'),
        (record("a.b.C"), '{"type":"record","name":"C","namespace":"a.b","fields":[]}'),
        (record("C", namespace="a.b"), '{"type":"record","name":"C","namespace":"a.b","fields":[]}'),
        (record("C", namespace=""), '{"type":"record","name":"C","fields":[]}'),
        (record("R", field("a", record("S")), field("b", "S"), field("c", record("x.T")),
                field("d", "x.T"), field("e", record("U", namespace="")), namespace="n"),
         '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":'
         '"record","name":"S","fields":[]}},{"name":"b","type":"S"},{"name":"c","type":{"type":'
         '"record","name":"T","namespace":"x","fields":[]}},{"name":"d","type":"x.T"},{"name":'
         '"e","type":{"type":"record","name":"U","namespace":"","fields":[]}}]}'),
        (record("n.R", field("a", record("record")), field("b", "record")),
         '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":'
         '"record","name":"record","fields":[]}},{"name":"b","type":"n.record"}]}'),
        ({"aliases": ["Old", "x.Older", "Old"], "fields": [{"aliases": ["b", "c"], "order":
          "DESCENDING", "default": 1, "doc": "", "type": "int", "name": "a", "p": True}],
          "doc": "d", "type": "error", "name": "n.R", "q": None},
         '{"type":"error","name":"R","namespace":"n","doc":"d","fields":[{"name":"a","type":'
         '"int","doc":"","default":1,"order":"descending","aliases":["b","c"],"p":true}],'
         '"q":null,"aliases":["Old","x.Older"]}'),
        ({"default": "A", "symbols": ["A"], "name": "E", "type": "enum", "doc": "e", "z": 1},
         '{"type":"enum","name":"E","doc":"e","symbols":["A"],"default":"A","z":1}'),
        ({"size": 16, "logicalType": "uuid", "name": "U", "type": "fixed"},
         '{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}'),
        ({"scale": 2, "type": "bytes", "precision": 4, "logicalType": "decimal"},
         '{"type":"bytes","scale":2,"precision":4,"logicalType":"decimal"}'),  # written order
        ({"values": "int", "type": "map", "x": 1}, '{"type":"map","values":"int","x":1}'),
        (record("R", field("a", "double", default="1e-7"), field("b", "double", default=1e7),
                field("c", "float", default="-Infinity"), field("d", "double", default=0.001),
                field("e", "double", default=-0.0), field("f", "double", default=123.5e20)),
         '{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1.0E-7},'
         '{"name":"b","type":"double","default":1.0E7},{"name":"c","type":"float","default":'
         '"-Infinity"},{"name":"d","type":"double","default":0.001},{"name":"e","type":"double",'
         '"default":-0.0},{"name":"f","type":"double","default":1.235E22}]}'),
        (record("R", doc='tab\there "quoted" \\ é \x01 \u2028'),
         '{"type":"record","name":"R","doc":"tab\\there \\"quoted\\" \\\\ é \\u0001 \u2028",'
         '"fields":[]}'),
    ],
)  # fmt: skip
def test_canonical_is_javas_to_string(schema: Any, text: str) -> None:
    assert canonical(schema) == text


def test_canonical_writes_a_recursive_type_once() -> None:
    assert canonical(cases.INT_LIST_RECORD) == (
        '{"type":"record","name":"List","fields":[{"name":"head","type":"int"},'
        '{"name":"tail","type":"List"}]}'
    )


# -- normalized ----------------------------------------------------------------------------

DEBEZIUM = """{"connect.name": "some.scope.Envelope", "fields": [
  {"default": null, "name": "before", "type": ["null", {"connect.name": "some.scope.Value",
    "fields": [{"name": "created_at", "type": {"connect.name": "io.debezium.time.Timestamp",
      "connect.version": 1, "type": "long"}}, {"name": "normal_long", "type": "long"}],
    "name": "Value", "type": "record"}]},
  {"default": null, "name": "after", "type": ["null", "Value"]}],
  "name": "Envelope", "namespace": "some.scope", "type": "record"}"""
DEBEZIUM_NORMALIZED = (
    '{"type":"record","name":"Envelope","namespace":"some.scope","fields":[{"name":"before",'
    '"type":["null",{"type":"record","name":"Value","fields":[{"name":"created_at","type":'
    '{"type":"long","connect.name":"io.debezium.time.Timestamp","connect.version":1}},'
    '{"name":"normal_long","type":"long"}],"connect.name":"some.scope.Value"}],"default":null},'
    '{"name":"after","type":["null","Value"],"default":null}],"connect.name":'
    '"some.scope.Envelope"}'
)


def test_confluent_normalization_facts() -> None:
    # AvroSchemaTest.testNormalizationPreservesMetadataForPrimitiveTypes: both texts equal
    assert canonical(DEBEZIUM) == DEBEZIUM_NORMALIZED
    assert normalized(DEBEZIUM) == DEBEZIUM_NORMALIZED
    # AvroSchemaTest.testNormalization
    text = '{"type":"record","name":"myrecord","doc":"hi","fields":[{"type":"string","name":"f1"}]}'
    assert normalized(text) == canonical(text)


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        ({"type": "string", "b": 1, "a": {"y": 1, "x": [{"d": 1, "c": 2}]}},
         '{"type":"string","a":{"x":[{"c":2,"d":1}],"y":1},"b":1}'),
        ({"type": "bytes", "scale": 2, "x": 1, "precision": 4, "logicalType": "decimal"},
         '{"type":"bytes","logicalType":"decimal","precision":4,"scale":2,"x":1}'),
        ({"type": "bytes", "scale": 0, "x": 1, "precision": 4, "logicalType": "decimal"},
         '{"type":"bytes","logicalType":"decimal","precision":4,"scale":0,"x":1}'),
        ({"type": "long", "z": 1, "logicalType": "made-up"},
         '{"type":"long","logicalType":"made-up","z":1}'),
        ({"type": "error", "name": "E", "doc": "", "aliases": ["Z", "A"], "fields": [
            {"name": "f", "type": "int", "aliases": ["z", "a"], "doc": "", "y": 1, "x": 2}]},
         '{"type":"record","name":"E","fields":[{"name":"f","type":"int","doc":"","aliases":'
         '["a","z"],"x":2,"y":1}],"aliases":["A","Z"]}'),
        (record("R", field("a", "double", default=1), field("b", "float", default=0.1),
                field("c", "float", default=3.14159265358979), field("d", ["null", "double"],
                default=None), field("e", ["null", "string"], default="null"),
                field("f", ["int", "string"], default="x"), field("g", array("float"),
                default=[1, 2.5]), field("h", record("S", field("z", "double"), field("y", "int")),
                default={"z": 1, "y": 2}), field("i", "bytes", default="\u00ff\u0100"),
                namespace="n"),
         '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"double",'
         '"default":1.0},{"name":"b","type":"float","default":0.1},{"name":"c","type":"float",'
         '"default":3.1415927},{"name":"d","type":["null","double"],"default":null},{"name":"e",'
         '"type":["null","string"],"default":"null"},{"name":"f","type":["int","string"],'
         '"default":"x"},{"name":"g","type":{"type":"array","items":"float"},"default":[1.0,2.5]},'
         '{"name":"h","type":{"type":"record","name":"S","fields":[{"name":"z","type":"double"},'
         '{"name":"y","type":"int"}]},"default":{"y":2,"z":1.0}},{"name":"i","type":"bytes",'
         '"default":"\u00ff?"}]}'),
    ],
)  # fmt: skip
def test_normalized_sorts_and_reads_defaults_as_java(schema: Any, text: str) -> None:
    assert normalized(schema) == text


def test_normalized_makes_every_spelling_of_a_name_one() -> None:
    spellings = [
        record("a.b.R", field("s", record("S", field("x", "int"))), field("t", "S")),
        record(
            "R",
            field("s", record("a.b.S", field("x", "int"))),
            field("t", "a.b.S"),
            namespace="a.b",
        ),
        record(
            "R",
            field("s", record("S", field("x", "int"), namespace="a.b")),
            field("t", "S"),
            namespace="a.b",
        ),
    ]
    assert len({normalized(s) for s in spellings}) == 1
    assert len({canonical(s) for s in spellings}) == 1


# -- speed ---------------------------------------------------------------------------------


def test_a_thousand_versions_of_a_fifty_field_record() -> None:
    def version(n: int) -> dict[str, Any]:
        fields = [field(f"f{j}", ["null", "long"], default=None) for j in range(48)]
        fields += [field("id", "long"), field("note", "string", default=f"v{n}")]
        return record("com.acme.Big", *fields)

    earlier = [json.dumps(version(n)) for n in range(1000)]
    started = time.perf_counter()
    result = check(version(1000), earlier, "FULL_TRANSITIVE", versions=range(1, 1001))
    elapsed = time.perf_counter() - started
    assert result.compatible and len(result.checked) == 1000
    assert elapsed < 10, elapsed
