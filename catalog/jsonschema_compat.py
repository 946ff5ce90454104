"""JSON Schema subjects (``schemaType: JSON``): parsing, canonical forms, compatibility.

Compatibility follows the rules Confluent Schema Registry applies to JSON Schema (its
default STRICT policy), restated here from its documentation and test cases:

* A reader can read data written with a writer when every difference from the writer
  to the reader is a *compatible* one (``COMPATIBLE``); each difference has Confluent's
  name (``TYPE_NARROWED``, ``PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL`` ...) and a
  JSON-pointer-like path (``#/properties/order/properties/qty``).  BACKWARD compares the
  earlier version (writer) with the new schema (reader); FORWARD the other way round.
* Loosening is compatible, tightening is not: raising a maximum, lowering a minimum,
  dropping ``pattern``/``maxLength``/``required``/``uniqueItems``, a ``multipleOf``
  that divides the old one, ``integer`` to ``number``, more ``enum`` values, more
  ``anyOf``/``oneOf`` branches, fewer ``allOf`` parts, a narrower ``not``.
* Objects have a content model: *open* (``additionalProperties`` absent or true, no
  ``patternProperties``), *closed* (``false``) or *partially open* (a schema).  A reader
  may declare a property the writer lacks only if the writer's model is not open (a
  closed writer never wrote it, a partially open writer wrote values its schema covers,
  which the new property must accept); the empty schema is always fine, a required one
  needs a ``default``.  A reader may drop a property the writer has only if the reader's
  model is open, or partially open with a schema that accepts the property's values, or
  the property was ``false``.  Tuples (``items`` arrays / ``prefixItems``) follow the same
  rules with ``additionalItems``.
* Combined schemas: a new ``anyOf``/``oneOf`` around the old schema, or an old ``allOf``
  one of whose parts is the new schema, is fine; between two combined schemas the
  criterion may only widen (to ``anyOf``, or between singletons) and every subschema of
  the smaller side must pair off with a compatible one of the other.  ``$ref`` is
  followed (recursive schemas are compared once per pair); ``if``/``then``/``else`` and
  ``contains`` are not compared, as in Confluent.

Drafts 4, 6, 7, 2019-09 and 2020-12 are read; ``$schema`` picks one and anything else
(or no ``$schema``) means draft 7, as in Confluent.  ``$ref`` may point into the same
document (JSON pointers, anchors, ``$id`` of a subschema); references to other documents
are not supported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any
from urllib.parse import unquote, urljoin

import jsonschema  # type: ignore[import-untyped]
from jsonschema import exceptions as jsonschema_errors

from catalog.compat import CompatibilityResult, Issue, transitive
from catalog.errors import SchemaError, did_you_mean
from catalog.modes import normalize_mode

Schema = Mapping[str, Any] | bool  # a parsed JSON Schema document
SchemaInput = str | Schema  # text is parsed first

_DRAFTS = {
    "draft-04": jsonschema.Draft4Validator,
    "draft-06": jsonschema.Draft6Validator,
    "draft-07": jsonschema.Draft7Validator,
    "2019-09": jsonschema.Draft201909Validator,
    "2020-12": jsonschema.Draft202012Validator,
}
_DIALECTS = {  # the $schema URLs Confluent knows; "#" at the end is dropped
    f"{scheme}://json-schema.org/{path}": draft
    for scheme in ("http", "https")
    for path, draft in (
        ("draft-04/schema", "draft-04"),
        ("schema", "draft-04"),
        ("draft-06/schema", "draft-06"),
        ("draft-07/schema", "draft-07"),
        ("draft/2019-09/schema", "2019-09"),
        ("draft/2020-12/schema", "2020-12"),
    )
}
_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")

# Node kinds: the shapes of schema the rules tell apart.
EMPTY, FALSE, STRING, NUMBER, BOOLEAN = "EMPTY", "FALSE", "STRING", "NUMBER", "BOOLEAN"
NULL, OBJECT, ARRAY, ENUM, CONST = "NULL", "OBJECT", "ARRAY", "ENUM", "CONST"
COMBINED, NOT, REF, CONDITIONAL = "COMBINED", "NOT", "REF", "CONDITIONAL"

# Differences a reader tolerates (Confluent's STRICT policy); every other one is an issue.
# fmt: off
COMPATIBLE = frozenset((
    "ID_CHANGED", "DESCRIPTION_CHANGED", "TITLE_CHANGED", "DEFAULT_CHANGED", "SCHEMA_REMOVED",
    "TYPE_EXTENDED", "MAX_LENGTH_INCREASED", "MAX_LENGTH_REMOVED", "MIN_LENGTH_DECREASED",
    "MIN_LENGTH_REMOVED", "PATTERN_REMOVED", "MAXIMUM_INCREASED", "MAXIMUM_REMOVED",
    "MINIMUM_DECREASED", "MINIMUM_REMOVED", "EXCLUSIVE_MAXIMUM_INCREASED",
    "EXCLUSIVE_MAXIMUM_REMOVED", "EXCLUSIVE_MINIMUM_DECREASED", "EXCLUSIVE_MINIMUM_REMOVED",
    "MULTIPLE_OF_REDUCED", "MULTIPLE_OF_REMOVED", "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
    "REQUIRED_ATTRIBUTE_REMOVED", "DEPENDENCY_ARRAY_NARROWED", "DEPENDENCY_ARRAY_REMOVED",
    "DEPENDENCY_SCHEMA_REMOVED", "MAX_PROPERTIES_INCREASED", "MAX_PROPERTIES_REMOVED",
    "MIN_PROPERTIES_DECREASED", "MIN_PROPERTIES_REMOVED", "ADDITIONAL_PROPERTIES_ADDED",
    "ADDITIONAL_PROPERTIES_EXTENDED", "UNEVALUATED_PROPERTIES_ADDED",
    "UNEVALUATED_PROPERTIES_EXTENDED", "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
    "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
    "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "MAX_ITEMS_INCREASED",
    "MAX_ITEMS_REMOVED", "MIN_ITEMS_DECREASED", "MIN_ITEMS_REMOVED", "MAX_CONTAINS_INCREASED",
    "MAX_CONTAINS_REMOVED", "MIN_CONTAINS_DECREASED", "MIN_CONTAINS_REMOVED",
    "UNIQUE_ITEMS_REMOVED", "ADDITIONAL_ITEMS_ADDED", "ADDITIONAL_ITEMS_EXTENDED",
    "UNEVALUATED_ITEMS_ADDED", "UNEVALUATED_ITEMS_EXTENDED",
    "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
    "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
    "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "ENUM_ARRAY_EXTENDED",
    "COMBINED_TYPE_EXTENDED", "PRODUCT_TYPE_NARROWED", "SUM_TYPE_EXTENDED", "NOT_TYPE_NARROWED",
))
# fmt: on


# -- parsing and canonical text -------------------------------------------------------
def parse(text: SchemaInput) -> Schema:
    """The JSON Schema in ``text`` (JSON text, or a document already decoded), checked
    against its draft's metaschema and for ``$ref`` targets.  Raises ``SchemaError`` (code
    ``INVALID_JSON_SCHEMA``) saying what is wrong, where, and what to do."""
    try:
        value = _loads(text, float) if isinstance(text, str) else text
        if not isinstance(value, Mapping | bool):
            kind = "an array" if isinstance(value, list) else "a single value"
            raise _invalid(
                f"a JSON Schema is an object or a boolean, not {kind}",
                'wrap it in an object, e.g. {"type": "object", "properties": {...}}',
            )
        draft = dialect(value)
        validator = _DRAFTS[draft]
        errors = validator(validator.META_SCHEMA).iter_errors(value)
        if (error := jsonschema_errors.best_match(errors)) is not None:
            raise _metaschema_error(error, draft)
        for node in _Builder(value).nodes.values():
            _deref(node)
    except RecursionError:
        raise _invalid(
            "the schema is nested too deeply",
            "move repeated parts into definitions and refer to them with $ref",
        ) from None
    return value


def dialect(schema: Schema) -> str:
    """The draft ``schema`` is written in: the one its ``$schema`` names, else draft 7."""
    url = schema.get("$schema") if isinstance(schema, Mapping) else None
    return _DIALECTS.get(url.removesuffix("#"), "draft-07") if isinstance(url, str) else "draft-07"


def canonical(schema: SchemaInput) -> str:
    """Compact JSON in the order written: what identifies a schema for id reuse when
    ``normalize`` is false (Confluent keeps the key order).  Given the text, numbers keep
    their text too (``1.50``, ``1E+2``), as in Confluent."""
    return _dump(_exact(schema), sort=False)


def normalized(schema: SchemaInput) -> str:
    """Confluent's ``normalize=true`` for JSON Schema: the canonical form with the keys
    of every object sorted (by UTF-16 code units, as Java sorts strings); arrays such as
    ``required`` and ``enum`` keep their order, and nothing else is rewritten."""
    return _dump(_exact(schema), sort=True)


def _exact(schema: SchemaInput) -> Any:
    """``schema``, checked; from text, with the numbers that have a fraction or an
    exponent as ``Decimal`` so that they keep their text."""
    if not isinstance(schema, str):
        return schema
    parse(schema)
    return _loads(schema, Decimal)


def _parsed(schema: SchemaInput) -> Schema:
    return parse(schema) if isinstance(schema, str) else schema


def _invalid(message: str, hint: str) -> SchemaError:
    return SchemaError(message, hint=hint, code="INVALID_JSON_SCHEMA")


def parse_json(text: str) -> Any:
    """The JSON in ``text``, unchecked as a schema; numbers with a fraction or an
    exponent as ``Decimal``, keeping their text."""
    return _loads(text, Decimal)


def _loads(text: str, number: type[float | Decimal]) -> Any:
    def constant(name: str) -> Any:
        raise _invalid(
            f"the schema is not valid JSON: {name} is not a JSON value", "write a number"
        )

    try:
        return json.loads(text, parse_float=number, parse_constant=constant)
    except json.JSONDecodeError as e:
        raise _invalid(
            f"the schema is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}",
            "check the quotes, commas and brackets around that place",
        ) from None


def _dump(value: Any, *, sort: bool) -> str:
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be")) if sort else list(value)
        return (
            "{"
            + ",".join(f"{_dump(k, sort=sort)}:{_dump(value[k], sort=sort)}" for k in keys)
            + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ",".join(_dump(v, sort=sort) for v in value) + "]"
    return str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)


def _text(value: Any) -> str | None:
    return None if value is None else _dump(value, sort=False)


def _metaschema_error(error: Any, draft: str) -> SchemaError:
    found = _dump(error.instance, sort=False)
    found = found if len(found) <= 60 else found[:56] + " ..."
    if list(error.schema_path)[-3:-1] == ["properties", "type"]:
        message = f"{found} is not a JSON Schema type"
        hint = f"type is one of {', '.join(_TYPES)}, or a list of them"
        if isinstance(error.instance, str) and (close := did_you_mean(error.instance, _TYPES)):
            hint += f"; {close}"
    elif error.validator == "type":
        expected = error.validator_value
        wanted = " or ".join(map(_a, [expected] if isinstance(expected, str) else expected))
        message, hint = f"{found} is not {wanted}", f"write {wanted} there"
    else:
        message = error.message
        hint = f"see what JSON Schema {draft} allows there ($schema picks the draft)"
    where = _pointer([str(p) for p in error.absolute_path])
    return _invalid(f"the schema is not valid JSON Schema ({draft}) at {where}: {message}", hint)


def _a(word: str) -> str:
    return word if word == "null" else ("an " if word[0] in "aeiou" else "a ") + word


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _pointer(path: Sequence[str]) -> str:
    return "#/" + "/".join(_escape(p) for p in path)


# -- the model: what the rules compare, built from the JSON -----------------------------
@dataclass(eq=False)
class _Node:
    kind: str = EMPTY
    kw: dict[str, Any] = field(default_factory=dict)  # keyword values and child nodes
    key: str = ""  # equal keys: the same subschema (combined schemas drop duplicates)
    notes: tuple[Any, ...] = (None,) * 4  # $id, title, description, default (as JSON)
    connect: Any = None  # Kafka Connect's "connect.type"


_STRING_KW = ("maxLength", "minLength", "pattern")
_NUMBER_KW = ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf")
_GROUPS = {  # the keywords that give a schema without "type" a type
    "string": (*_STRING_KW, "format"),
    "number": _NUMBER_KW,
    "object": (
        *("properties", "required", "additionalProperties", "patternProperties", "dependencies"),
        *("dependentRequired", "dependentSchemas", "minProperties", "maxProperties"),
        *("propertyNames", "unevaluatedProperties"),
    ),
    "array": (
        *("items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"),
        *("contains", "minContains", "maxContains", "unevaluatedItems"),
    ),
}
_MODERN_ONLY = frozenset(
    (
        *("prefixItems", "dependentRequired", "dependentSchemas", "unevaluatedProperties"),
        *("unevaluatedItems", "minContains", "maxContains"),
    )
)
_LEGACY_ONLY = frozenset(("dependencies", "format"))
_KINDS = {"integer": NUMBER, "number": NUMBER, "string": STRING, "boolean": BOOLEAN, "null": NULL}
_KINDS |= {"object": OBJECT, "array": ARRAY}


class _Builder:
    """The nodes of one document, one per JSON pointer and built once, so that a
    recursive ``$ref`` closes on its own node."""

    def __init__(self, root: Schema) -> None:
        self.root = root
        self.draft = dialect(root)
        self.modern = self.draft in ("2019-09", "2020-12")
        self.id_key = "id" if self.draft == "draft-04" else "$id"
        root_id = root.get(self.id_key) if isinstance(root, Mapping) else None
        self.root_id = root_id.removesuffix("#") if isinstance(root_id, str) else ""
        self.ids: dict[str, str] = {}  # $id -> pointer
        self.anchors: dict[str, str] = {}  # plain-name fragment -> pointer
        for pointer, value in _schemas(root, ""):
            if isinstance(value, Mapping):
                self._index(pointer, value)
        self.nodes: dict[str, _Node] = {}
        self.at("")

    def _index(self, pointer: str, value: Mapping[str, Any]) -> None:
        ident = value.get(self.id_key)
        if isinstance(ident, str) and ident.startswith("#") and not self.modern:
            self.anchors[ident[1:]] = pointer
        elif isinstance(ident, str) and ident:
            self.ids[ident.removesuffix("#")] = pointer
            self.ids[urljoin(self.root_id, ident).removesuffix("#")] = pointer
        for anchor in ("$anchor", "$dynamicAnchor"):
            if self.modern and isinstance(value.get(anchor), str):
                self.anchors[value[anchor]] = pointer

    def at(self, pointer: str) -> _Node:
        """The node of the schema at ``pointer`` (``""`` is the root)."""
        node = self.nodes.get(pointer)
        if node is None:
            node = self.nodes[pointer] = _Node()
            value = _lookup(self.root, pointer)
            node.key = _dump(value, sort=True)
            if isinstance(value, bool):
                node.kind = EMPTY if value else FALSE
                return node
            parts = self._parts(value, pointer)
            if len(parts) == 1:
                node.kind, node.kw = parts[0].kind, parts[0].kw
            elif parts:  # several kinds of keyword: all must hold
                node.kind, node.kw = COMBINED, {"criterion": "allOf", "subs": parts}
            default = _text(value["default"]) if "default" in value else None
            node.notes = (*(value.get(k) for k in (self.id_key, "title", "description")), default)
            node.connect = value.get("connect.type")
        return node

    def _parts(self, value: Mapping[str, Any], at: str) -> list[_Node]:
        if "$ref" in value and not self.modern:  # up to draft 7, $ref's siblings are ignored
            return [self._ref(value["$ref"], at)]
        parts = []
        if "enum" in value:
            parts.append(_part(ENUM, "enum", value, values=value["enum"]))
        for crit in ("allOf", "anyOf", "oneOf"):
            if crit in value:
                subs = [self.at(f"{at}/{crit}/{i}") for i in range(len(value[crit]))]
                parts.append(_part(COMBINED, crit, value, criterion=crit, subs=subs))
        if "not" in value:
            parts.append(_part(NOT, "not", value, sub=self.at(f"{at}/not")))
        if "const" in value and self.draft != "draft-04":
            parts.append(_part(CONST, "const", value, value=value["const"]))
        types = value.get("type")
        if isinstance(types, str):
            parts.append(self._typed(types, value, at))
        elif isinstance(types, list):  # a list of types: any of them
            subs = [self._typed(t, value, at) for t in types]
            parts.append(_part(COMBINED, "type", value, criterion="anyOf", subs=subs))
        else:
            groups = [t for t, keys in _GROUPS.items() if any(self._has(k, value) for k in keys)]
            parts += [self._typed(t, value, at) for t in groups]
        if "if" in value and self.draft not in ("draft-04", "draft-06"):
            parts.append(_part(CONDITIONAL, "if", value))
        if "$ref" in value:
            parts.append(self._ref(value["$ref"], at))
        return parts

    def _has(self, keyword: str, value: Mapping[str, Any]) -> bool:
        """Whether ``keyword`` is in ``value`` and counts in this draft."""
        if keyword not in value:
            return False
        if not self.modern:
            return keyword not in _MODERN_ONLY
        if keyword in ("properties", "patternProperties") and not value[keyword]:
            return False  # asserts nothing: Confluent reads it as the empty schema
        return keyword not in _LEGACY_ONLY

    def _typed(self, type_: str, value: Mapping[str, Any], at: str) -> _Node:
        node = _part(_KINDS[type_], type_, value)
        if node.kind == STRING:
            node.kw = {k: value[k] for k in _STRING_KW if k in value}
        elif node.kind == NUMBER:  # (draft 4's boolean exclusiveMaximum is not compared)
            node.kw = {k: value[k] for k in _NUMBER_KW if _is_number(value.get(k))}
            node.kw["integer"] = type_ == "integer"
        elif node.kind == OBJECT:
            node.kw = self._object(value, at)
        elif node.kind == ARRAY:
            node.kw = self._array(value, at)
        return node

    def _object(self, value: Mapping[str, Any], at: str) -> dict[str, Any]:
        kw: dict[str, Any] = {k: value[k] for k in ("maxProperties", "minProperties") if k in value}
        for keyword in ("properties", "patternProperties"):
            names = value.get(keyword, {})
            kw[keyword] = {n: self.at(f"{at}/{keyword}/{_escape(n)}") for n in names}
        kw["required"] = list(value.get("required", []))
        kw |= self._extra(value, "additionalProperties", at)
        kw["dependencies"], kw["schemaDependencies"] = {}, {}
        for keyword in ("dependentRequired", "dependentSchemas", "dependencies"):
            for name, dep in value[keyword].items() if self._has(keyword, value) else ():
                if isinstance(dep, list):
                    kw["dependencies"][name] = set(dep)
                else:
                    kw["schemaDependencies"][name] = self.at(f"{at}/{keyword}/{_escape(name)}")
        if self._has("unevaluatedProperties", value):
            kw["unevaluated"] = self.at(f"{at}/unevaluatedProperties")
        return kw

    def _array(self, value: Mapping[str, Any], at: str) -> dict[str, Any]:
        kw: dict[str, Any] = {k: value[k] for k in ("maxItems", "minItems") if k in value}
        kw["uniqueItems"] = value.get("uniqueItems") is True
        key = "prefixItems" if self.draft == "2020-12" else "items"
        tuple_: list[Any] = value[key] if isinstance(value.get(key), list) else []
        kw["items"] = [self.at(f"{at}/{key}/{i}") for i in range(len(tuple_))]
        kw |= self._extra(value, "additionalItems", at)
        items = value.get("items")
        if self.draft == "2020-12" and items is False:  # after prefixItems, items is the rest
            kw["additional"] = False
        elif self.draft == "2020-12" and isinstance(items, Mapping) and tuple_:
            kw["additionalSchema"] = self.at(f"{at}/items")
        elif isinstance(items, Mapping | bool) and not (self.modern and items is True):
            kw["allItems"] = self.at(f"{at}/items")
        if self.modern and "contains" in value:
            kw["minContains"] = value.get("minContains", 1)
            kw |= {"maxContains": value["maxContains"]} if "maxContains" in value else {}
        if self._has("unevaluatedItems", value):
            kw["unevaluated"] = self.at(f"{at}/unevaluatedItems")
        return kw

    def _extra(self, value: Mapping[str, Any], keyword: str, at: str) -> dict[str, Any]:
        """``additional``: whether undeclared properties (items) may come;
        ``additionalSchema``: the schema they must match, if any."""
        if keyword == "additionalItems" and self.draft == "2020-12":
            return {"additional": True}  # not a keyword there: "items" plays its part
        extra = value.get(keyword, True)
        if isinstance(extra, bool):
            return {"additional": extra}
        return {"additional": True, "additionalSchema": self.at(f"{at}/{keyword}")}

    def _ref(self, ref: str, at: str) -> _Node:
        document, _, fragment = ref.partition("#")
        fragment = unquote(fragment)
        base = (
            self.ids.get(document, self.ids.get(urljoin(self.root_id, document)))
            if document
            else ""
        )
        target = None
        if base is not None:
            target = base + fragment if fragment[:1] in ("", "/") else self.anchors.get(fragment)
        try:
            found = target is not None and isinstance(_lookup(self.root, target), Mapping | bool)
        except (KeyError, IndexError, ValueError, TypeError):
            found = False
        if not found or target is None:
            raise _invalid(
                f"the $ref at {_pointer(_segments(at))} points to {ref}, which is not a schema "
                "in this document",
                "point it at a subschema of this document, e.g. #/definitions/Name "
                "(references to other documents are not supported)",
            )
        return _part(REF, "$ref", {"$ref": ref}, target=self.at(target))


def _part(kind: str, label: str, raw: Mapping[str, Any], **kw: Any) -> _Node:
    return _Node(kind, kw, f"{label}|{_dump(raw, sort=True)}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_SCHEMA_ONE = (
    *("not", "if", "then", "else", "contains", "propertyNames", "additionalProperties"),
    *("additionalItems", "items", "unevaluatedProperties", "unevaluatedItems"),
)


def _schemas(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Every subschema of ``value`` (itself included), with its JSON pointer."""
    yield pointer, value
    for keyword, sub in value.items() if isinstance(value, Mapping) else ():
        at = f"{pointer}/{_escape(keyword)}"
        if isinstance(sub, Mapping) and keyword in (*_SCHEMA_MAPS, "dependencies"):
            for name, child in sub.items():
                if isinstance(child, Mapping | bool):
                    yield from _schemas(child, f"{at}/{_escape(name)}")
        elif isinstance(sub, list) and keyword in _SCHEMA_LISTS:
            for i, child in enumerate(sub):
                yield from _schemas(child, f"{at}/{i}")
        elif keyword in _SCHEMA_ONE:
            yield from _schemas(sub, at)


def _segments(pointer: str) -> list[str]:
    return [s.replace("~1", "/").replace("~0", "~") for s in pointer.split("/")[1:]]


def _lookup(root: Any, pointer: str) -> Any:
    value = root
    for segment in _segments(pointer):
        value = value[int(segment)] if isinstance(value, list) else value[segment]
    return value


def _deref(node: _Node) -> _Node:
    seen = set()
    while node.kind == REF:
        if id(node) in seen:
            raise _invalid(
                "the schema has a $ref that leads back to itself with no schema in between",
                "make one of those references point to an actual schema",
            )
        seen.add(id(node))
        node = node.kw["target"]
    return node


# -- differences --------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One difference from a writer's schema to a reader's, named as Confluent names it."""

    kind: str
    path: tuple[str, ...] = ()
    before: str | None = None  # the writer's side, as text (a value, a type, a count)
    after: str | None = None  # the reader's side

    @property
    def pointer(self) -> str:
        """Where: ``#/properties/order/properties/qty`` (``#/`` is the root)."""
        return _pointer(self.path)

    @property
    def compatible(self) -> bool:
        """Whether a reader tolerates this difference."""
        return self.kind in COMPATIBLE

    def under(self, *segments: str) -> Change:
        """The same change, seen from ``segments`` further up."""
        return Change(self.kind, (*segments, *self.path), self.before, self.after)


_NOTES = ("ID_CHANGED", "TITLE_CHANGED", "DESCRIPTION_CHANGED", "DEFAULT_CHANGED")
_UNSEEN = 1 << 30


class _Diff:
    """Compares each pair of nodes once; a pair met again while it is being compared (a
    recursive ``$ref``) counts as compatible there."""

    def __init__(self) -> None:
        self.memo: dict[tuple[int, int], list[Change]] = {}
        self.stack: dict[tuple[int, int], int] = {}  # the pairs being compared, by depth
        self.low = _UNSEEN  # the shallowest of those a cycle led back to

    def compare(self, o: _Node | None, u: _Node | None) -> list[Change]:
        """The changes from ``o`` (the writer's) to ``u`` (the reader's), paths relative."""
        if o is None or u is None:
            kind = "SCHEMA_ADDED" if o is None else "SCHEMA_REMOVED"
            return [] if o is u else [Change(kind, (), _describe(o), _describe(u))]
        o, u = _deref(o), _deref(u)
        key = (id(o), id(u))
        if key in self.memo:
            return self.memo[key]
        if key in self.stack:
            self.low = min(self.low, self.stack[key])
            return []
        depth = self.stack[key] = len(self.stack)
        outer, self.low = self.low, _UNSEEN
        try:
            found = self._types(o, u)
        finally:
            del self.stack[key]
        if self.low >= depth:  # assumes nothing of a pair still being compared: keep it
            self.memo[key], self.low = found, outer
        else:
            self.low = min(outer, self.low)
        return found

    def _types(self, o: _Node, u: _Node) -> list[Change]:
        if o.kind != COMBINED and u.kind == COMBINED:
            subs = u.kw["subs"]
            if len(subs) == 1 or u.kw["criterion"] != "allOf":  # one of the new branches
                for sub in subs:
                    if _ok(found := self.compare(o, sub)):
                        return found if len(subs) == 1 else [*found, Change("SUM_TYPE_EXTENDED")]
        elif o.kind == COMBINED and u.kind != COMBINED:
            subs = o.kw["subs"]
            if len(subs) == 1 or o.kw["criterion"] == "allOf":  # one of the old parts
                for sub in subs:
                    if _ok(found := self.compare(sub, u)):
                        narrowed = [Change("PRODUCT_TYPE_NARROWED")] if len(subs) > 1 else []
                        return found + narrowed
        if o.kind != u.kind:
            if o.kind == FALSE or u.kind == EMPTY or o.connect == u.connect == "bytes":
                return []  # nothing was written, anything is read, or Connect's bytes
            return [Change("TYPE_CHANGED", (), _describe(o), _describe(u))]
        found = [Change(k) for k, a, b in zip(_NOTES, o.notes, u.notes, strict=True) if a != b]
        if o.kind == STRING:
            found += (
                _bound(o.kw, u.kw, "maxLength") + _bound(o.kw, u.kw, "minLength") + _pattern(o, u)
            )
        elif o.kind == NUMBER:
            found += _number(o, u)
        elif o.kind == OBJECT:
            found += self._object(o.kw, u.kw)
        elif o.kind == ARRAY:
            found += self._array(o.kw, u.kw)
        elif o.kind == ENUM:
            found += _enum(o.kw["values"], u.kw["values"])
        elif o.kind == CONST and (was := _text(o.kw["value"])) != (now := _text(u.kw["value"])):
            found.append(Change("ENUM_ARRAY_CHANGED", ("const",), was, now))
        elif o.kind == COMBINED:
            found += self._combined(o.kw, u.kw)
        elif o.kind == NOT:  # the reader's not must exclude no more than the writer's
            less = _ok(self.compare(u.kw["sub"], o.kw["sub"]))
            found.append(Change(f"NOT_TYPE_{'NARROWED' if less else 'EXTENDED'}", ("not",)))
        return found

    def _object(self, a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
        found = []
        for name in (n for n in a["properties"] if n in b["properties"]):
            if name in a["required"] and name not in b["required"]:
                found.append(Change("REQUIRED_ATTRIBUTE_REMOVED", ("required", name)))
            elif name in b["required"] and name not in a["required"]:
                default = "WITH_DEFAULT_" if _has_default(b["properties"][name]) else ""
                found.append(Change(f"REQUIRED_ATTRIBUTE_{default}ADDED", ("required", name)))
        for name in _union(a["properties"], b["properties"]):
            was, now = a["properties"].get(name), b["properties"].get(name)
            found += [c.under("properties", name) for c in self._member(a, b, was, now, name)]
        for name in _union(a["dependencies"], b["dependencies"]):
            was, now = a["dependencies"].get(name), b["dependencies"].get(name)
            if was != now:
                kind = "REMOVED" if now is None else "ADDED" if was is None else _sets(was, now)
                texts = (None if d is None else _text(sorted(d)) for d in (was, now))
                found.append(Change(f"DEPENDENCY_ARRAY_{kind}", ("dependencies", name), *texts))
        for name in _union(a["schemaDependencies"], b["schemaDependencies"]):
            was, now = a["schemaDependencies"].get(name), b["schemaDependencies"].get(name)
            if was is None or now is None:
                kind = "REMOVED" if now is None else "ADDED"
                found.append(Change(f"DEPENDENCY_SCHEMA_{kind}", ("dependencies", name)))
            else:
                found += [c.under("dependencies", name) for c in self.compare(was, now)]
        found += [c.under("additionalProperties") for c in self._extra(a, b, "PROPERTIES")]
        found += [c.under("unevaluatedProperties") for c in self._unevaluated(a, b, "PROPERTIES")]
        return found + _bound(a, b, "maxProperties") + _bound(a, b, "minProperties")

    def _array(self, a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
        found = [c.under("items") for c in self.compare(a.get("allItems"), b.get("allItems"))]
        for i in range(max(len(a["items"]), len(b["items"]))):
            was, now = (d["items"][i] if i < len(d["items"]) else None for d in (a, b))
            found += [c.under("items", str(i)) for c in self._member(a, b, was, now, None)]
        found += [c.under("additionalItems") for c in self._extra(a, b, "ITEMS")]
        found += [c.under("unevaluatedItems") for c in self._unevaluated(a, b, "ITEMS")]
        found += _bound(a, b, "maxItems") + _bound(a, b, "minItems")
        if a["uniqueItems"] != b["uniqueItems"]:
            kind = "REMOVED" if a["uniqueItems"] else "ADDED"
            found.append(Change(f"UNIQUE_ITEMS_{kind}", ("uniqueItems",)))
        return found + _bound(a, b, "maxContains") + _bound(a, b, "minContains")

    def _member(
        self, a: dict[str, Any], b: dict[str, Any], was: _Node | None, now: _Node | None,
        name: str | None,
    ) -> list[Change]:  # fmt: skip
        """Property ``name`` (a tuple item when None) of object (array) ``a`` or ``b``; when
        one lacks it, that one's content model decides."""
        noun = "ITEM" if name is None else "PROPERTY"
        if was is not None and now is not None:
            return self.compare(was, now)
        if now is None:
            assert was is not None
            if _open(b):
                return [Change(f"{noun}_REMOVED_FROM_OPEN_CONTENT_MODEL")]
            if (partial := _partial(b, name)) is not None:
                return self._covered(was, partial, f"{noun}_REMOVED")
            false = "WITH_FALSE_" if _deref(was).kind == FALSE else ""
            return [Change(f"{noun}_{false}REMOVED_FROM_CLOSED_CONTENT_MODEL")]
        added = "ITEM_ADDED"
        if name is not None:
            required = name in b["required"]
            default = "WITH_DEFAULT_" if required and _has_default(now) else ""
            added = f"{'REQUIRED' if required else 'OPTIONAL'}_PROPERTY_{default}ADDED"
        if _open(a):
            if _deref(now).kind == EMPTY:
                return [Change(f"{noun}_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL")]
            return [Change(f"{added}_TO_OPEN_CONTENT_MODEL", (), None, _describe(now))]
        partial = _partial(a, name)
        found = [] if partial is None else self._covered(partial, now, f"{noun}_ADDED")
        if name is not None:
            return [*found, Change(f"{added}_TO_UNOPEN_CONTENT_MODEL")]
        return found or [Change("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL")]

    def _covered(self, was: _Node, now: _Node, prefix: str) -> list[Change]:
        found = self.compare(was, now)
        verdict = "IS" if _ok(found) else "NOT"
        return [*found, Change(f"{prefix}_{verdict}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL")]

    def _extra(self, a: dict[str, Any], b: dict[str, Any], noun: str) -> list[Change]:
        """additionalProperties (``noun`` PROPERTIES) or additionalItems (ITEMS)."""
        if a["additional"] != b["additional"]:
            return [Change(f"ADDITIONAL_{noun}_{'ADDED' if b['additional'] else 'REMOVED'}")]
        was, now = a.get("additionalSchema"), b.get("additionalSchema")
        if (was is None) != (now is None):
            return [Change(f"ADDITIONAL_{noun}_{'NARROWED' if was is None else 'EXTENDED'}")]
        return self.compare(was, now)

    def _unevaluated(self, a: dict[str, Any], b: dict[str, Any], noun: str) -> list[Change]:
        was, now = a.get("unevaluated"), b.get("unevaluated")
        old, new = (None if n is None else _deref(n).kind for n in (was, now))
        if was is None and now is None:
            return []
        if was is None:
            kind = "REMOVED" if new == FALSE else "NARROWED"
        elif now is None:
            kind = "ADDED" if old == FALSE else "EXTENDED"
        elif (old == FALSE) != (new == FALSE):
            kind = "ADDED" if old == FALSE else "REMOVED"
        elif (old == EMPTY) != (new == EMPTY):
            kind = "NARROWED" if old == EMPTY else "EXTENDED"
        else:
            return self.compare(was, now)
        return [Change(f"UNEVALUATED_{noun}_{kind}")]

    def _combined(self, a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
        was, now = a["criterion"], b["criterion"]
        found = []
        if was != now:
            one_was, one_now = len(a["subs"]) == 1, len(b["subs"]) == 1
            if (
                now == "anyOf"
                or (one_was and (one_now or now == "oneOf"))
                or (one_now and was == "allOf")
            ):
                found.append(Change("COMBINED_TYPE_EXTENDED", (), was, now))
            else:
                return [Change("COMBINED_TYPE_CHANGED", (), was, now)]
        olds, news = _unique(a["subs"]), _unique(b["subs"])
        counts = (str(len(olds)), str(len(news)))
        if len(olds) != len(news):
            grew = len(olds) < len(news)
            product = (now if grew else was) == "allOf"
            kind = ("PRODUCT" if product else "SUM") + (
                "_TYPE_EXTENDED" if grew else "_TYPE_NARROWED"
            )
            found.append(Change(kind, (), *counts))
        edges = {}  # the compatible pairs of an old and a new subschema
        for i, old in enumerate(olds):
            for j, new in enumerate(news):
                if _ok(changed := self.compare(old, new)):
                    edges[i, j] = [c.under(was, str(i)) for c in changed]
        pairs = _matching(list(edges))
        for pair in pairs:
            found += edges[pair]
        if len(pairs) < min(len(olds), len(news)):
            found.append(Change("COMBINED_TYPE_SUBSCHEMAS_CHANGED"))
        return found


def _ok(changes: list[Change]) -> bool:
    return all(c.compatible for c in changes)


def _bound(a: dict[str, Any], b: dict[str, Any], keyword: str) -> list[Change]:
    """A numeric limit (maxLength, minimum, maxItems ...) added, removed, raised or lowered."""
    was, now = a.get(keyword), b.get(keyword)
    if was == now:
        return []
    if was is None or now is None:
        kind = "ADDED" if was is None else "REMOVED"
    else:
        kind = "INCREASED" if was < now else "DECREASED"
    return [Change(f"{_snake(keyword)}_{kind}", (keyword,), _text(was), _text(now))]


def _snake(keyword: str) -> str:
    """``maxLength`` as in Confluent's difference names: ``MAX_LENGTH``."""
    return re.sub("(?<!^)(?=[A-Z])", "_", keyword).upper()


def _pattern(o: _Node, u: _Node) -> list[Change]:
    was, now = o.kw.get("pattern"), u.kw.get("pattern")
    if was == now:
        return []
    kind = "ADDED" if was is None else "REMOVED" if now is None else "CHANGED"
    return [Change(f"PATTERN_{kind}", ("pattern",), _text(was), _text(now))]


def _number(o: _Node, u: _Node) -> list[Change]:
    found = [c for k in _NUMBER_KW[:4] for c in _bound(o.kw, u.kw, k)]
    texts = (_text(o.kw.get("multipleOf")), _text(u.kw.get("multipleOf")))
    was, now = (None if t is None else Fraction(t) for t in texts)  # 0.1 is a tenth here
    if was != now:
        kind = (
            "ADDED" if was is None else "REMOVED" if now is None
            else "EXPANDED" if now % was == 0 else "REDUCED" if was % now == 0 else "CHANGED"
        )  # fmt: skip
        found.append(Change(f"MULTIPLE_OF_{kind}", ("multipleOf",), *texts))
    if o.kw["integer"] != u.kw["integer"]:
        kind = "TYPE_EXTENDED" if o.kw["integer"] else "TYPE_NARROWED"
        found.append(Change(kind, (), _describe(o), _describe(u)))
    return found


def _enum(was_values: list[Any], now_values: list[Any]) -> list[Change]:
    was = {_dump(v, sort=True): v for v in was_values}
    now = {_dump(v, sort=True): v for v in now_values}
    if was.keys() == now.keys():
        return []
    gone = _text([v for k, v in was.items() if k not in now])
    new = _text([v for k, v in now.items() if k not in was])
    return [Change(f"ENUM_ARRAY_{_sets(set(was), set(now))}", ("enum",), gone, new)]


def _sets(was: set[str], now: set[str]) -> str:
    return "EXTENDED" if now >= was else "NARROWED" if was >= now else "CHANGED"


def _union(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[str]:
    return [*first, *(k for k in second if k not in first)]


def _unique(nodes: list[_Node]) -> list[_Node]:
    seen: dict[str, _Node] = {}
    for node in nodes:
        seen.setdefault(node.key, node)
    return list(seen.values())


def _has_default(node: _Node) -> bool:
    return node.notes[3] is not None


def _open(kw: dict[str, Any]) -> bool:
    """Whether anything may come beyond what an object (array) declares."""
    unevaluated = kw.get("unevaluated")
    return bool(
        kw["additional"]
        and "additionalSchema" not in kw
        and not kw.get("patternProperties")
        and (unevaluated is None or _deref(unevaluated).kind == EMPTY)
    )


def _partial(kw: dict[str, Any], name: str | None) -> _Node | None:
    """The schema a partially open object (array) gives an undeclared property (item)."""
    candidates = [
        s for p, s in kw.get("patternProperties", {}).items() if name and _search(p, name)
    ]
    candidates.append(kw.get("additionalSchema"))
    unevaluated = kw.get("unevaluated")
    if (
        kw["additional"]
        and unevaluated is not None
        and _deref(unevaluated).kind not in (FALSE, EMPTY)
    ):
        candidates.append(unevaluated)
    return next((c for c in candidates if c is not None), None)


def _search(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:  # an ECMA 262 construct Python lacks: no match
        return False


def _matching(edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A maximum matching of the bipartite graph ``edges`` (by augmenting paths)."""
    adjacent: dict[int, list[int]] = {}
    for i, j in edges:
        adjacent.setdefault(i, []).append(j)
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in adjacent[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in adjacent:
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


_NOUNS = {
    EMPTY: "any value", FALSE: "no value at all (false)", STRING: "a string", BOOLEAN: "a boolean",
    NULL: "null", OBJECT: "an object", ARRAY: "an array", NOT: "a not schema",
    CONDITIONAL: "an if/then/else schema",
}  # fmt: skip


def _describe(node: _Node | None) -> str | None:
    if node is None:
        return None
    node = _deref(node)
    if node.kind == NUMBER:
        return "an integer" if node.kw["integer"] else "a number"
    if node.kind == ENUM:
        return f"one of {_text(node.kw['values'])}"
    if node.kind == CONST:
        return f"the constant {_text(node.kw['value'])}"
    if node.kind == COMBINED:
        return f"{node.kw['criterion']} of {len(node.kw['subs'])} schemas"
    return _NOUNS[node.kind]


# -- messages -------------------------------------------------------------------------
# fmt: off
_LIMITS = {
    "maxLength": "strings of {} or fewer characters",
    "minLength": "strings of {} or more characters", "maximum": "numbers up to {}",
    "minimum": "numbers from {}", "exclusiveMaximum": "numbers below {}",
    "exclusiveMinimum": "numbers above {}", "maxProperties": "{} or fewer properties",
    "minProperties": "{} or more properties", "maxItems": "{} or fewer items",
    "minItems": "{} or more items", "maxContains": "{} or fewer matching items",
    "minContains": "{} or more matching items", "multipleOf": "multiples of {}",
    "pattern": "strings matching {}",
}
_TO_OPEN = (
    "{at}: {r} declares property {name}, which {w} does not, and {w}'s content model is open "
    "(additionalProperties is not false), so data written with {w} may hold {name} with a value "
    "{r} rejects",
    ("give {name} an empty schema ({{}}) in {new}, or first close the content model "
     "(additionalProperties: false) in a version of its own",
     "keep property {name} in {new}, as in {old}, or close {new}'s content model "
     "(additionalProperties: false)"))
_REQUIRED = (
    "{at}: property {name} is required in {r} but {w} does not declare it, so data written with "
    "{w} lacks it",
    ("make {name} optional in {new}, or give it a default",
     "keep the required property {name} in {new}, as in {old}"))
# kind: (why, (hint when the new schema is the reader, hint when it is the writer))
_TEXTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "TYPE_CHANGED": (
        "{at}: {r} expects {after} where {w} has {before}, so {r} cannot read what {w} writes "
        "there",
        ("keep {old_value} at {at} in {new}, as in {old}; to change a type, add a property",)),
    "TYPE_NARROWED": (
        "{at}: {r} requires integers where {w} allows any number, so fractional values written "
        "with {w} are rejected",
        ("keep type number there in {new}, as in {old} (integer to number is the safe way)",
         "keep type integer there in {new}, as in {old}")),
    "SCHEMA_ADDED": (
        "{at}: {r} requires {after} where {w} allows any value",
        ("leave {at} unconstrained in {new}, as in {old}", "keep {at} as {old_value} in {new}")),
    "UNIQUE_ITEMS_ADDED": (
        "{at}: {r} requires unique items where {w} allows duplicates",
        ("drop uniqueItems from {new}, as in {old}", "keep uniqueItems in {new}, as in {old}")),
    "REQUIRED_ATTRIBUTE_ADDED": (
        "{at}: property {name} is required in {r} but optional in {w}, so data written with {w} "
        "may lack it",
        ("keep {name} optional in {new}, or give it a default", "keep {name} required in {new}")),
    "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL": _REQUIRED,
    "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": _REQUIRED,
    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL": _TO_OPEN,
    "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL": _TO_OPEN,
    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (
        "{at}: {r} declares property {name} with a schema that does not accept every value {w}'s "
        "additionalProperties or patternProperties allows for it",
        ("give {name} a schema in {new} that accepts what {old}'s additionalProperties allows",
         "keep property {name} in {new}, as in {old}")),
    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL": (
        "{at}: {w} declares property {name}, which {r} does not, and {r}'s content model is "
        "closed (additionalProperties: false), so {r} rejects data written with {w} that has it",
        ("keep property {name} in {new}, as in {old} (it may stay optional)",
         "do not add {name} in {new} while {old} rejects undeclared properties")),
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (
        "{at}: {w} declares property {name}, which {r} does not, and {r}'s additionalProperties "
        "or patternProperties schema does not accept its values",
        ("keep property {name} in {new}, or widen {new}'s additionalProperties to accept it",
         "do not add {name} in {new} with values {old}'s additionalProperties rejects")),
    "ITEM_ADDED_TO_OPEN_CONTENT_MODEL": (
        "{at}: {r} requires {after} at tuple position {name}, where {w} allows any value",
        ("leave position {name} out of {new}'s tuple, or give it an empty schema ({{}})",
         "keep position {name} in {new}'s tuple, as in {old}")),
    "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (
        "{at}: {r}'s schema for tuple position {name} does not accept every value {w}'s "
        "additionalItems allows there",
        ("give position {name} a schema in {new} that accepts what {old}'s additionalItems allows",
         "keep position {name} in {new}'s tuple, as in {old}")),
    "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL": (
        "{at}: {w} has tuple position {name}, which {r} lacks while allowing no further items",
        ("keep position {name} in {new}'s tuple, as in {old}",
         "do not add position {name} in {new} while {old} allows no further items")),
    "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL": (
        "{at}: {w} has tuple position {name}, which {r} lacks, and {r}'s additionalItems schema "
        "does not accept its values",
        ("keep position {name} in {new}'s tuple, or widen its additionalItems",
         "do not add position {name} in {new} with values {old}'s additionalItems rejects")),
    "DEPENDENCY_SCHEMA_ADDED": (
        "{at}: {r} requires objects with {name} to match a schema that {w} does not require",
        ("drop the dependency on {name} from {new}", "keep the dependency on {name} in {new}")),
    "MIN_CONTAINS_ADDED": (
        "{at}: {r} requires {after} or more items matching its contains schema where {w} "
        "requires none",
        ("leave contains out of {new}, as in {old}", "keep contains in {new}, as in {old}")),
    "ENUM_ARRAY_NARROWED": (
        "{at}: {r} does not allow {before}, which {w} allows",
        ("keep every value of {old} in {new} (adding values is safe)",
         "do not add {before} to {new}: {old} does not allow it")),
    "ENUM_ARRAY_CHANGED": (
        "{at}: {w} allows {before}, which {r} does not",
        ("keep the values of {old} in {new} (adding values is safe)",
         "do not add {before} to {new}: {old} does not allow it")),
    "COMBINED_TYPE_CHANGED": (
        "{at}: {r} combines its subschemas with {after} where {w} uses {before}, so {r} may "
        "reject data {w} accepts",
        ("keep {old_value} in {new}, as in {old} (or use anyOf, which reads either)",
         "keep {old_value} in {new}, as in {old}")),
    "PRODUCT_TYPE_EXTENDED": (
        "{at}: {r}'s allOf has {after} subschemas where {w}'s has {before}: data must match more",
        ("do not add parts to the allOf in {new}", "keep every part of {old}'s allOf in {new}")),
    "SUM_TYPE_NARROWED": (
        "{at}: {r} offers {after} alternatives where {w} offers {before}, so values matching "
        "only a dropped one are rejected",
        ("keep every alternative of {old} in {new} (adding alternatives is safe)",
         "do not add alternatives in {new} that {old} lacks")),
    "COMBINED_TYPE_SUBSCHEMAS_CHANGED": (
        "{at}: not every subschema of {w} has a compatible counterpart in {r}",
        ("keep each subschema of {old} in {new}, changed only compatibly",)),
    "NOT_TYPE_EXTENDED": (
        "{at}: {r}'s not excludes values that {w}'s does not",
        ("make the not schema in {new} exclude no more than in {old}",
         "make the not schema in {new} exclude no less than in {old}")),
}
for _what, _kw in (("undeclared properties", "Properties"), ("items beyond the tuple", "Items")):
    for _word in (f"additional{_kw}", f"unevaluated{_kw}"):
        _TEXTS[f"{_snake(_word)}_REMOVED"] = (
            f"{{at}}: {{r}} rejects {_what} ({_word}: false) where {{w}} allows them",
            (f"keep {_word} open in {{new}}, as in {{old}}",
             f"keep {_word} false in {{new}}, as in {{old}}"))
        _TEXTS[f"{_snake(_word)}_NARROWED"] = (
            f"{{at}}: {{r}} constrains {_what} with a schema where {{w}} allows any value",
            (f"leave {_word} open in {{new}}, as in {{old}}",
             f"keep the {_word} schema in {{new}}, as in {{old}}"))
for _kind in ("ADDED", "EXTENDED", "CHANGED"):
    _TEXTS[f"DEPENDENCY_ARRAY_{_kind}"] = (
        "{at}: when {name} is present, {r} requires the properties {after} where {w} requires "
        "{before}",
        ("keep the dependencies of {name} in {new} as they are in {old}",))
# fmt: on


def _issue(change: Change, reader: str, writer: str, version: int | None, direction: str) -> Issue:
    """``change`` explained: what differs where, why the reader fails, what to do."""
    backward = direction == "backward"
    new, old = (reader, writer) if backward else (writer, reader)
    old_value = change.before if backward else change.after
    last = change.path[-1] if change.path else ""
    if change.kind in _TEXTS:
        why, hints = _TEXTS[change.kind]
        words = {"at": change.pointer, "r": reader, "w": writer, "new": new, "old": old}
        words |= {"name": last, "before": change.before or "none", "after": change.after or "none"}
        message = why.format(**words, old_value=old_value)
        hint = hints[0 if backward else -1].format(**words, old_value=old_value)
    else:  # a keyword that limits values: maxLength, minimum, multipleOf, pattern ...
        limit = _LIMITS[last]
        allowed = f"accepts {limit.format(change.before)}" if change.before else f"sets no {last}"
        message = (
            f"{change.pointer}: {reader} accepts {limit.format(change.after)} where {writer} "
            f"{allowed}, so {reader} may reject data written with {writer}"
        )
        kept = f"keep {last} at {old_value} in {new}" if old_value else f"leave {last} out of {new}"
        hint = f"{kept}, as in {old}"
        if old_value:
            hint += ", or loosen it" if backward else ", or tighten it"
    return Issue(change.pointer, change.kind, message, hint, version, direction)


# -- compatibility --------------------------------------------------------------------
def changes(writer: SchemaInput, reader: SchemaInput) -> list[Change]:
    """Every difference from ``writer``'s schema to ``reader``'s, compatible ones included
    (what Confluent's diff of an original and an updated schema lists)."""
    return _Diff().compare(_Builder(_parsed(writer)).at(""), _Builder(_parsed(reader)).at(""))


def can_read(
    reader: SchemaInput,
    writer: SchemaInput,
    *,
    reader_label: str = "the reader's schema",
    writer_label: str = "the writer's schema",
    version: int | None = None,
    direction: str = "backward",
) -> list[Issue]:
    """The issues a reader with ``reader`` meets on data written with ``writer``: the
    incompatible differences from writer to reader, explained with both labels.
    ``direction`` is ``backward`` when the reader is the new schema, else ``forward``."""
    return [
        _issue(c, reader_label, writer_label, version, direction)
        for c in changes(writer, reader)
        if not c.compatible
    ]


def check(
    new: SchemaInput,
    earlier: Sequence[SchemaInput],
    mode: str,
    *,
    versions: Sequence[int],
    new_label: str = "the new schema",
) -> CompatibilityResult:
    """Whether ``new`` may follow ``earlier`` (oldest first, numbered by ``versions``),
    with the modes of ``catalog.compat.check_compatibility``: BACKWARD, the new schema
    reads data of the latest; FORWARD, the latest reads data of the new one; FULL, both;
    the ``_TRANSITIVE`` modes against every earlier schema; NONE, nothing."""
    mode = normalize_mode(mode)
    if len(versions) != len(earlier):
        raise ValueError("versions must number every earlier schema")
    if mode == "NONE" or not earlier:
        return CompatibilityResult(mode, (), ())
    pairs = list(zip(versions, map(_parsed, earlier), strict=True))
    if not transitive(mode):
        pairs = pairs[-1:]
    new = _parsed(new)
    issues: list[Issue] = []
    for number, schema in pairs:
        label = f"version {number}"
        if mode.startswith(("BACKWARD", "FULL")):
            issues += can_read(
                new, schema, reader_label=new_label, writer_label=label, version=number
            )
        if mode.startswith(("FORWARD", "FULL")):
            issues += can_read(
                schema, new, reader_label=label, writer_label=new_label, version=number,
                direction="forward",
            )  # fmt: skip
    return CompatibilityResult(mode, tuple(issues), tuple(n for n, _ in pairs))
