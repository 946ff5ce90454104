"""JSON Schema subjects: parsing, canonical forms and Confluent's compatibility rules."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest

from catalog.errors import SchemacatError, SchemaError
from catalog.jsonschema_compat import (
    can_read,
    canonical,
    changes,
    check,
    dialect,
    normalized,
    parse,
)
from tests.compat.jsonschema_native_cases import (
    DIFF_CASES,
    DOC_CASES,
    EXCEPTIONS,
    POLICY_CASES,
    RULE_CASES,
)

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"


# -- Confluent's cases ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("original", "update", "expected", "compatible"),
    [pytest.param(*case[2:], id=case[0]) for case in DIFF_CASES],
)
def test_confluent_diff_cases(
    original: Any, update: Any, expected: list[str], compatible: bool, request: Any
) -> None:
    """The differences Confluent lists (as a multiset: its order follows Java hash sets)
    and its STRICT verdict; the original is the writer, the update the reader."""
    case_id = request.node.callspec.id
    found = changes(parse(original), parse(update))
    listed = EXCEPTIONS[case_id][0] if case_id in EXCEPTIONS else expected
    assert sorted(f"{c.kind} {c.pointer}" for c in found) == sorted(listed)
    assert all(c.compatible for c in found) is compatible
    issues = can_read(update, original, reader_label="the update", writer_label="the original")
    assert [i.kind for i in issues] == [c.kind for c in found if not c.compatible]
    for issue in issues:
        assert issue.message.startswith(f"{issue.path}: ")
        assert "the update" in issue.message and "the original" in issue.message
        assert issue.hint and "{" not in issue.hint.replace("({})", "")


def test_exceptions_name_real_cases() -> None:
    ids = {case[0] for case in DIFF_CASES}
    assert set(EXCEPTIONS) <= ids
    assert len(DIFF_CASES) == 104 + 113 + 28 + 18


@pytest.mark.parametrize(
    ("writer", "reader", "expected"), [pytest.param(*case[1:], id=case[0]) for case in RULE_CASES]
)
def test_rules(writer: Any, reader: Any, expected: list[str]) -> None:
    found = changes(parse(writer), parse(reader))
    assert sorted(f"{c.kind} {c.pointer}" for c in found) == sorted(expected)
    issues = can_read(reader, writer, reader_label="version 2", writer_label="version 1")
    assert [i.kind for i in issues] == [c.kind for c in found if not c.compatible]
    assert all(i.message.startswith(f"{i.path}: ") and i.hint for i in issues)


@pytest.mark.parametrize(
    ("original", "updated", "compatible"),
    [pytest.param(*case[1:], id=case[0]) for case in POLICY_CASES],
)
def test_confluent_policy_matrix(original: Any, updated: Any, compatible: bool) -> None:
    assert check(updated, [original], "BACKWARD", versions=[1]).compatible is compatible


@pytest.mark.parametrize(
    ("mode", "earlier", "new", "compatible"),
    [pytest.param(*case[1:], id=case[0]) for case in DOC_CASES],
)
def test_documented_content_models(mode: str, earlier: Any, new: Any, compatible: bool) -> None:
    assert check(new, [earlier], mode, versions=[1]).compatible is compatible


def _recursive(category_id: str) -> dict[str, Any]:
    """Confluent's recursive-schema.json (draft 4), with the type of category_id given."""
    categories = {"type": "array", "items": {"$ref": "#/definitions/Category"}}
    category = {
        "type": "object",
        "properties": {"category_id": {"type": category_id}, "categories": categories},
        "required": ["category_id", "categories"],
    }
    return {
        "$schema": DRAFT4,
        "type": "object",
        "properties": {"categories": categories},
        "required": ["categories"],
        "definitions": {"Category": category},
    }


def test_recursive_schema() -> None:
    assert changes(_recursive("integer"), _recursive("integer")) == []
    found = changes(_recursive("integer"), _recursive("string"))
    assert [(c.kind, c.pointer) for c in found] == [
        ("TYPE_CHANGED", "#/properties/categories/items/properties/category_id")
    ]


def _circular(branches: int, props: int) -> dict[str, Any]:
    """Confluent's CircularRefSchemaDiffTest schema: a oneOf of types whose properties
    refer back to the oneOf."""
    defs: dict[str, Any] = {
        "SimpleId": {
            "type": "object",
            "properties": {"id": {"type": "string"}},
            "required": ["id"],
        },
        "Base": {"type": "object", "properties": {"name": {"type": "string"}}},
        "ProductOrId": {"oneOf": [{"$ref": "#/$defs/SimpleId"}, {"$ref": "#/$defs/Product"}]},
        "Product": {"oneOf": [{"$ref": f"#/$defs/Type{i}"} for i in range(branches)]},
    }
    for i in range(branches):
        properties = {f"ref{p}": {"$ref": "#/$defs/ProductOrId"} for p in range(props)}
        properties["tag"] = {"type": "string", "const": f"type{i}"}
        defs[f"Type{i}"] = {
            "$ref": "#/$defs/Base",
            "type": "object",
            "properties": properties,
            "required": ["ref0", "tag"],
        }
    return {"$schema": DRAFT2020, "$defs": defs, "$ref": "#/$defs/Product"}


def test_circular_references_terminate_quickly() -> None:
    schema = _circular(12, 5)
    started = time.monotonic()
    assert changes(schema, copy.deepcopy(schema)) == []
    assert time.monotonic() - started < 5
    changed = copy.deepcopy(schema)
    changed["$defs"]["SimpleId"]["properties"]["id"] = {"type": "integer"}
    issues = can_read(changed, schema)  # a oneOf branch no longer matches its old self
    assert [(i.kind, i.path) for i in issues] == [("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "#/")]


# -- modes ----------------------------------------------------------------------------
def _string(max_length: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length}


def test_backward_compares_the_latest_and_transitive_every_version() -> None:
    earlier = [_string(20), _string(5)]
    assert check(_string(10), earlier, "BACKWARD", versions=[1, 2]).compatible
    result = check(_string(10), earlier, "BACKWARD_TRANSITIVE", versions=[1, 2])
    assert result.checked == (1, 2)
    assert [(i.version, i.kind, i.direction) for i in result.issues] == [
        (1, "MAX_LENGTH_DECREASED", "backward")
    ]


def test_forward_reads_the_new_schema_with_the_earlier_one() -> None:
    earlier = [_string(20), _string(40)]
    assert check(_string(30), earlier, "FORWARD", versions=[3, 4]).checked == (4,)
    [issue] = check(_string(30), earlier, "FORWARD_TRANSITIVE", versions=[3, 4]).issues
    assert (issue.version, issue.direction, issue.path) == (3, "forward", "#/maxLength")
    assert issue.message == (
        "#/maxLength: version 3 accepts strings of 20 or fewer characters where the new schema "
        "accepts strings of 30 or fewer characters, so version 3 may reject data written with "
        "the new schema"
    )
    assert issue.hint == "keep maxLength at 20 in the new schema, as in version 3, or tighten it"


def test_full_checks_both_directions() -> None:
    result = check(_string(10), [_string(10), _string(20)], "FULL", versions=[1, 2])
    assert [(i.direction, i.kind) for i in result.issues] == [("backward", "MAX_LENGTH_DECREASED")]
    result = check(_string(10), [_string(5)], "FULL_TRANSITIVE", versions=[7])
    assert [(i.direction, i.kind) for i in result.issues] == [("forward", "MAX_LENGTH_DECREASED")]


def test_none_and_empty_history_check_nothing() -> None:
    assert check(_string(1), [_string(9)], "none", versions=[1]).checked == ()
    assert check(_string(1), [], "BACKWARD", versions=[]).compatible


def test_mode_and_versions_are_checked() -> None:
    with pytest.raises(SchemacatError, match="unknown compatibility mode"):
        check(_string(1), [_string(1)], "BACKWARDS", versions=[1])
    with pytest.raises(ValueError, match="versions"):
        check(_string(1), [_string(1)], "BACKWARD", versions=[1, 2])


def test_text_is_parsed() -> None:
    result = check('{"type": "integer"}', ['{"type": "number"}'], "BACKWARD", versions=[1])
    assert [i.kind for i in result.issues] == ["TYPE_NARROWED"]


# -- messages -------------------------------------------------------------------------
ORDER_V3 = {
    "type": "object",
    "properties": {
        "order": {
            "type": "object",
            "properties": {"qty": {"type": "number"}, "status": {"enum": ["new", "paid", "sent"]}},
        }
    },
}


def _order(**changed: Any) -> dict[str, Any]:
    schema = copy.deepcopy(ORDER_V3)
    schema["properties"]["order"]["properties"].update(changed)
    return schema


def _issues(new: Any, mode: str = "BACKWARD") -> list[Any]:
    return list(check(new, [ORDER_V3], mode, versions=[3]).issues)


def test_message_for_a_changed_type() -> None:
    [issue] = _issues(_order(qty={"type": "string"}))
    assert (issue.path, issue.kind) == ("#/properties/order/properties/qty", "TYPE_CHANGED")
    assert issue.message == (
        "#/properties/order/properties/qty: the new schema expects a string where version 3 "
        "has a number, so the new schema cannot read what version 3 writes there"
    )
    assert issue.hint == (
        "keep a number at #/properties/order/properties/qty in the new schema, as in version 3; "
        "to change a type, add a property"
    )


def test_message_for_a_property_added_to_an_open_content_model() -> None:
    [issue] = _issues(_order(note={"type": "string"}))
    assert issue.kind == "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
    assert issue.path == "#/properties/order/properties/note"
    assert "version 3's content model is open" in issue.message
    assert issue.hint == (
        "give note an empty schema ({}) in the new schema, or first close the content model "
        "(additionalProperties: false) in a version of its own"
    )


def test_message_for_a_property_the_old_closed_reader_rejects() -> None:
    closed = copy.deepcopy(ORDER_V3)
    closed["properties"]["order"]["additionalProperties"] = False
    new = copy.deepcopy(closed)
    new["properties"]["order"]["properties"]["note"] = {"type": "string"}
    [issue] = check(new, [closed], "FORWARD", versions=[3]).issues
    assert issue.kind == "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    assert issue.message.startswith(
        "#/properties/order/properties/note: the new schema declares property note, which "
        "version 3 does not, and version 3's content model is closed"
    )
    assert issue.hint == (
        "do not add note in the new schema while version 3 rejects undeclared properties"
    )


def test_message_for_a_narrowed_enum() -> None:
    [issue] = _issues(_order(status={"enum": ["new", "paid"]}))
    assert (issue.kind, issue.path) == (
        "ENUM_ARRAY_NARROWED",
        "#/properties/order/properties/status/enum",
    )
    assert issue.message == (
        '#/properties/order/properties/status/enum: the new schema does not allow ["sent"], '
        "which version 3 allows"
    )


def test_message_for_a_new_required_property() -> None:
    closed = {"type": "object", "properties": {}, "additionalProperties": False}
    new = {**closed, "properties": {"id": {"type": "string"}}, "required": ["id"]}
    [issue] = check(new, [closed], "BACKWARD", versions=[1]).issues
    assert issue.kind == "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
    assert issue.hint == "make id optional in the new schema, or give it a default"
    with_default = {**new, "properties": {"id": {"type": "string", "default": ""}}}
    assert check(with_default, [closed], "BACKWARD", versions=[1]).compatible


# -- parsing --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ('{"type": "object",', "not valid JSON: Expecting property name", "quotes, commas"),
        ("[1, 2]", "an object or a boolean, not an array", "wrap it in an object"),
        ('{"a": NaN}', "NaN is not a JSON value", "write a number"),
        (
            '{"type": "int"}',
            '(draft-07) at #/type: "int" is not a JSON Schema type',
            "did you mean integer?",
        ),
        (
            '{"properties": {"sku": {"type": "strnig"}}}',
            'at #/properties/sku/type: "strnig" is not a JSON Schema type',
            "did you mean string?",
        ),
        ('{"required": "id"}', 'at #/required: "id" is not an array', "write an array there"),
        ('{"maxLength": -1}', "at #/maxLength: -1 is less than the minimum of 0", "draft-07"),
        (
            '{"$schema": "https://json-schema.org/draft/2020-12/schema", "minContains": "1"}',
            '(2020-12) at #/minContains: "1" is not an integer',
            "write an integer there",
        ),
        (
            '{"properties": {"a": {"$ref": "#/definitions/A"}}}',
            "the $ref at #/properties/a points to #/definitions/A, which is not a schema",
            "e.g. #/definitions/Name",
        ),
        ('{"items": {"$ref": "other.json#/X"}}', "points to other.json#/X", "other documents"),
        ('{"not": ' * 1000 + "{}" + "}" * 1000, "nested too deeply", "definitions"),
        (
            '{"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}}',
            "a $ref that leads back to itself",
            "an actual schema",
        ),
    ],
)
def test_invalid_schemas(text: str, message: str, hint: str) -> None:
    with pytest.raises(SchemaError) as raised:
        parse(text)
    assert raised.value.code == "INVALID_JSON_SCHEMA"
    assert message in raised.value.message
    assert raised.value.hint is not None and hint in raised.value.hint


def test_the_draft_comes_from_schema_and_defaults_to_draft_7() -> None:
    draft4_exclusive = {"$schema": DRAFT4, "minimum": 0, "exclusiveMinimum": True}
    assert parse(draft4_exclusive) == draft4_exclusive
    with pytest.raises(SchemaError, match=r"\(draft-07\) at #/exclusiveMinimum"):
        parse({"minimum": 0, "exclusiveMinimum": True})
    assert dialect({"$schema": "http://json-schema.org/schema#"}) == "draft-04"
    assert dialect({"$schema": "https://json-schema.org/draft/2019-09/schema"}) == "2019-09"
    assert dialect({"$schema": "https://example.com/my-dialect"}) == "draft-07"
    assert dialect({}) == dialect(True) == "draft-07"


def test_parse_gives_plain_json_and_accepts_booleans() -> None:
    schema = parse('{"type": "number", "multipleOf": 0.50, "maximum": 1e3, "minimum": 1}')
    assert schema == {"type": "number", "multipleOf": 0.5, "maximum": 1000.0, "minimum": 1}
    assert json.loads(json.dumps(schema)) == schema
    assert parse("true") is True and parse("false") is False
    assert parse('{"maxLength": 5.0}') == {"maxLength": 5.0}  # an integer since draft 6
    with pytest.raises(SchemaError, match=r"\(draft-04\) at #/maxLength"):
        parse({"$schema": DRAFT4, "maxLength": 5.0})


def test_references_by_anchor_and_id() -> None:
    by_anchor = {
        "$schema": DRAFT2020,
        "properties": {"a": {"$ref": "#item"}},
        "$defs": {"item": {"$anchor": "item", "type": "string"}},
    }
    by_id = {
        "$id": "https://example.com/root.json",
        "properties": {"a": {"$ref": "item.json"}},
        "definitions": {"item": {"$id": "item.json", "type": "string"}},
    }
    draft7_fragment = {
        "properties": {"a": {"$ref": "#item"}},
        "definitions": {"item": {"$id": "#item", "type": "string"}},
    }
    for schema in (by_anchor, by_id, draft7_fragment):
        [change] = changes(schema, {**schema, "properties": {"a": {"type": "integer"}}})
        assert (change.kind, change.pointer) == ("TYPE_CHANGED", "#/properties/a")


def test_modern_ref_keeps_its_siblings_and_draft_7_ignores_them() -> None:
    base = {"definitions": {"s": {"type": "string"}}}
    capped = {**base, "$ref": "#/definitions/s", "maxLength": 3}
    assert changes(base | {"$ref": "#/definitions/s"}, capped) == []
    modern = {"$schema": DRAFT2020, **capped}
    assert [c.kind for c in changes({"type": "string"}, modern)] == ["TYPE_CHANGED"]


# -- canonical forms ------------------------------------------------------------------
TEXT = '{ "type": "object",\n  "properties": {"b": {"type": "number", "maximum": 1.50},\n "a": {"enum": [2, 1e2]}},\n  "required": ["b", "a"] }'


def test_canonical_keeps_the_order_and_the_numbers_as_written() -> None:
    expected = (
        '{"type":"object","properties":{"b":{"type":"number","maximum":1.50},'
        '"a":{"enum":[2,1E+2]}},"required":["b","a"]}'
    )
    assert canonical(TEXT) == expected
    assert json.loads(canonical(TEXT)) == json.loads(TEXT)
    # a decoded document has lost the text of its numbers: Python writes them its way
    assert canonical(parse(TEXT)) == expected.replace("1.50", "1.5").replace("1E+2", "100.0")


def test_normalized_sorts_every_object_but_no_array() -> None:
    assert normalized(TEXT) == (
        '{"properties":{"a":{"enum":[2,1E+2]},"b":{"maximum":1.50,"type":"number"}},'
        '"required":["b","a"],"type":"object"}'
    )
    reordered = '{"required": ["b", "a"], "properties": {"a": {"enum": [2, 1E+2]}, "b": {"maximum": 1.50, "type": "number"}}, "type": "object"}'
    assert normalized(reordered) == normalized(TEXT)
    assert canonical(reordered) != canonical(TEXT)


def test_normalized_sorts_keys_as_java_does() -> None:
    """By UTF-16 code units: a character outside the BMP sorts before U+E000."""
    schema = {"properties": {"\ue000": True, "\U0001f600": True, "z": True}}
    assert normalized(schema) == '{"properties":{"z":true,"\U0001f600":true,"\ue000":true}}'
    assert canonical(True) == "true"
