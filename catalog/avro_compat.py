"""Avro schemas read as Avro reads them, written as Schema Registry writes them, and
checked by Avro's schema resolution on the schemas themselves.

``parse`` reads an Avro schema (JSON text, or the decoded JSON) into types that may
refer to themselves (a record's field may hold that record), accepting and refusing
what Java Avro 1.12 does (the parser of Schema Registry 8): named types with namespaces
and full names, aliases, enum defaults, logical types (one that is not valid on its
type is kept as a property and otherwise ignored), defaults checked against their
field's type (a union's default may match any branch).  One difference, as the Avro
specification says: a name must be defined before it is used (Avro 1.12 also accepts a
name defined later in the same schema; Avro 1.11 does not).  ``canonical`` and
``normalized`` are the texts Confluent Schema Registry keeps for a schema registered
without and with ``normalize``.

``can_read`` follows Java Avro's ``SchemaCompatibility``: records, enums and fixed
types match by unqualified name or by a reader alias, fields by name or reader-field
alias, a reader field the writer lacks needs a default, numbers promote (int to long,
float, double; long to float, double; float to double), string and bytes read each
other, an enum reads unknown symbols only through its default, every branch of a
writer union must be read by the reader, a reader union reads through any branch,
and a pair of records met again while it is being compared counts as readable, so
recursive schemas end.  One difference, as the Avro specification asks: two decimals
must have one scale (a reader decimal may have more digits of precision), where Java
ignores logical types.  ``check`` applies a compatibility mode to a history.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Any, TypeAlias, TypeGuard, TypeVar

from catalog.compat import CompatibilityResult, Issue, transitive
from catalog.errors import AvroSchemaError, did_you_mean
from catalog.field import NO_DEFAULT
from catalog.modes import normalize_mode

PRIMITIVES = ("null", "boolean", "int", "long", "float", "double", "bytes", "string")
MAX_DEPTH = 100  # how deep types may nest in one schema

JSON: TypeAlias = Any


@dataclass(frozen=True, slots=True)
class Logical:
    """A logical type that is valid on the type it annotates."""

    name: str
    precision: int = 0  # decimal only
    scale: int = 0


@dataclass(eq=False, slots=True)
class Primitive:
    type: str  # one of PRIMITIVES
    props: dict[str, JSON] = dc_field(default_factory=dict)  # logicalType included
    logical: Logical | None = None


@dataclass(eq=False, slots=True)
class Array:
    items: AvroType
    props: dict[str, JSON]


@dataclass(eq=False, slots=True)
class Map:
    values: AvroType
    props: dict[str, JSON]


@dataclass(eq=False, slots=True)
class Union:
    branches: tuple[AvroType, ...]


@dataclass(eq=False, slots=True)
class Field:
    name: str
    type: AvroType
    default: JSON  # NO_DEFAULT when the field has none (None is the JSON null)
    doc: str | None = None
    order: str = "ascending"
    aliases: tuple[str, ...] = ()
    props: dict[str, JSON] = dc_field(default_factory=dict)


@dataclass(eq=False, slots=True, repr=False)
class Named:
    """What records, enums and fixed types share.  ``aliases`` are full names."""

    name: str
    namespace: str | None
    fullname: str
    doc: str | None
    aliases: tuple[str, ...]
    props: dict[str, JSON]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fullname!r})"


@dataclass(eq=False, slots=True, repr=False)
class Record(Named):
    error: bool = False
    fields: tuple[Field, ...] = ()
    by_name: dict[str, Field] = dc_field(default_factory=dict)


@dataclass(eq=False, slots=True, repr=False)
class Enum(Named):
    symbols: tuple[str, ...] = ()
    default: str | None = None


@dataclass(eq=False, slots=True, repr=False)
class Fixed(Named):
    size: int = 0
    logical: Logical | None = None


AvroType: TypeAlias = Primitive | Record | Enum | Fixed | Array | Map | Union
AvroText: TypeAlias = str | Mapping[str, Any] | list[Any]
_N = TypeVar("_N", "Record", "Enum", "Fixed")

_SHARED = {name: Primitive(name) for name in PRIMITIVES}  # the plain ones, without props
_SCHEMA_RESERVED = frozenset(
    {"doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases"}
)
_ENUM_RESERVED = _SCHEMA_RESERVED | {"default"}
_FIELD_RESERVED = frozenset({"default", "doc", "name", "order", "type", "aliases"})
_ORDERS = ("ascending", "descending", "ignore")
_TYPE_WORDS = frozenset({*PRIMITIVES, "record", "enum", "array", "map", "union", "fixed"})
_LOGICAL_BASES = {
    "big-decimal": ("bytes",),
    "uuid": ("string", "fixed"),
    "duration": ("fixed",),
    "date": ("int",),
    "time-millis": ("int",),
    "time-micros": ("long",),
    **{
        f"{kind}-{unit}": ("long",)
        for kind in ("timestamp", "local-timestamp")
        for unit in ("millis", "micros", "nanos")
    },
}
_NAME_HINT = (
    "a name starts with a letter or _ and goes on with letters, digits and _; "
    "a namespace is names joined by dots"
)
_INT32, _INT64 = 2**31, 2**63
_JAVA_DOUBLE = re.compile(r"[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)")


# -- parse -------------------------------------------------------------------------


def parse(
    schema: AvroText, *, validate_defaults: bool = True, references: Sequence[AvroText] = ()
) -> AvroType:
    """The Avro schema ``schema`` (JSON text, or decoded JSON: a bare type name must be
    given as JSON text, ``'"int"'``), checked as Java Avro checks it; ``AvroSchemaError``
    names the place of the first problem.  ``validate_defaults`` checks each field's
    default against its type (Schema Registry skips it for schemas registered before).
    ``references`` are the schemas whose named types it may use by name (other
    subjects' versions, in the order they depend on each other), read first."""
    reader = _Parser()
    for i, referenced in enumerate(references, 1):
        reader.type(_decoded(referenced), None, f"reference {i}", 0)
    root = reader.type(_decoded(schema), None, "the schema", 0)
    if validate_defaults:
        reader.check_defaults()
    return root


def _decoded(schema: AvroText) -> JSON:
    if not isinstance(schema, str):
        return schema
    try:
        decoded: JSON = json.loads(schema, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise AvroSchemaError(
            f"the schema is not valid JSON: {exc}",
            hint='an Avro schema is JSON: a type name in quotes ("string"), an object '
            'such as {"type": "record", ...}, or a list of types for a union',
        ) from None
    return decoded


def _no_constant(word: str) -> None:
    raise ValueError(f"{word} is not a JSON value")


def _error(where: str, problem: str, hint: str | None = None) -> AvroSchemaError:
    return AvroSchemaError(f"{where}: {problem}", hint=hint)


class _Parser:
    """Reads one schema, remembering named types by full name so later uses resolve."""

    def __init__(self) -> None:
        self.named: dict[str, Record | Enum | Fixed] = {}
        self.open: set[str] = set()  # records whose fields are being read
        self.defaults: list[tuple[str, Field]] = []

    def type(self, node: JSON, space: str | None, where: str, depth: int) -> AvroType:
        if depth > MAX_DEPTH:
            raise _error(where, f"types nest more than {MAX_DEPTH} deep", "flatten the schema")
        if isinstance(node, str):
            return self.reference(node, space, where)
        if isinstance(node, list):
            return self.union(node, space, where, depth)
        if not isinstance(node, Mapping):
            raise _error(
                where,
                f"{_json(node)} is not an Avro schema",
                'write a type name ("long"), an object with a "type", or a list for a union',
            )
        kind = node.get("type")
        if not isinstance(kind, str):
            raise _error(
                where,
                f'"type" must be a type name such as "record" or "string", not {_json(kind)}',
                "a type defined inside another goes in a field's \"type\", an array's "
                '"items", a map\'s "values" or a union',
            )
        if kind in PRIMITIVES:
            props = _props(node, _SCHEMA_RESERVED)
            if not props:
                return _SHARED[kind]
            return Primitive(kind, props, _logical(kind, props, 0))
        if kind in ("record", "error"):
            return self.record(node, kind, space, where, depth)
        if kind == "enum":
            return self.enum(node, space, where)
        if kind == "fixed":
            return self.fixed(node, space, where)
        if kind in ("array", "map"):
            part = "items" if kind == "array" else "values"
            if part not in node:
                raise _error(where, f'{kind} needs "{part}"', f'add "{part}": "string", say')
            inner = self.type(node[part], space, where, depth + 1)
            props = _props(node, _SCHEMA_RESERVED)
            return Array(inner, props) if kind == "array" else Map(inner, props)
        known = kind in self.named or f"{space}.{kind}" in self.named
        raise _error(
            where,
            f"unknown type {kind!r}",
            f'write the name of a defined type alone: "{kind}", not {{"type": "{kind}"}}'
            if known
            else did_you_mean(kind, (*PRIMITIVES, "record", "enum", "array", "map", "fixed")),
        )

    def reference(self, name: str, space: str | None, where: str) -> AvroType:
        if name in _SHARED:
            return _SHARED[name]
        full = name if "." in name or space is None else f"{space}.{name}"
        found = self.named.get(full)
        if found is None and name not in self.open:  # as Avro 1.12: only a finished type
            found = self.named.get(name)
        if found is None:
            names = [*PRIMITIVES, *self.named, *(n.name for n in self.named.values())]
            raise _error(
                where,
                f"unknown type {name!r}",
                did_you_mean(name, names)
                or "define a record, enum or fixed before using its name (a name without "
                "dots is looked up in the enclosing namespace, then among finished types "
                "without one)",
            )
        return found

    def union(self, nodes: list[JSON], space: str | None, where: str, depth: int) -> Union:
        branches = tuple(self.type(node, space, where, depth + 1) for node in nodes)
        seen: set[str] = set()
        for branch in branches:
            if isinstance(branch, Union):
                raise _error(
                    where,
                    "a union cannot hold another union",
                    "put the inner union's branches in the outer one",
                )
            key = branch.fullname if isinstance(branch, Named) else _kind(branch)
            if key in seen:
                raise _error(
                    where,
                    f"the union {_describe(Union(branches))} has two {key} branches",
                    "a union holds one branch of each unnamed type (named types need "
                    "different names)",
                )
            seen.add(key)
        return Union(branches)

    def header(
        self, node: Mapping[str, JSON], kind: str, space: str | None, where: str
    ) -> tuple[str, str | None, str]:
        """Name, namespace and full name of a named type."""
        name = node.get("name")
        if not isinstance(name, str):
            raise _error(where, f'a {kind} needs a "name"', 'add "name": "SomeName"')
        namespace = node.get("namespace")
        space = namespace if isinstance(namespace, str) else space
        if "." in name:
            space, name = name.rsplit(".", 1)
        _check_name(name, where)
        for part in space.split(".") if space else ():
            _check_name(part, where)
        full = f"{space}.{name}" if space else name
        if full in PRIMITIVES:
            raise _error(where, f"a {kind} may not be named {full!r} like a primitive type")
        return name, space or None, full

    def aliases(self, node: Mapping[str, JSON], space: str | None, where: str) -> tuple[str, ...]:
        """The full names of a named type's aliases (relative ones in its namespace)."""
        found: list[str] = []
        for alias in _strings(node, where):
            alias_space, _, short = alias.rpartition(".") if "." in alias else (space, "", alias)
            _check_name(short, where)
            full = f"{alias_space}.{short}" if alias_space else short
            if full not in found:
                found.append(full)
        return tuple(found)

    def settle(self, earlier: Record | Enum | Fixed | None, new: _N, where: str) -> _N:
        """``new``, registered; or the same type defined before it."""
        if earlier is None:
            self.named[new.fullname] = new
            return new
        if not isinstance(earlier, type(new)) or canonical(earlier) != canonical(new):
            raise _error(
                where,
                f"{new.fullname} is defined twice, differently",
                "define it once, then refer to it by its name",
            )
        return earlier

    def record(
        self, node: Mapping[str, JSON], kind: str, space: str | None, where: str, depth: int
    ) -> Record:
        name, namespace, full = self.header(node, kind, space, where)
        nodes = node.get("fields")
        if not isinstance(nodes, list):
            raise _error(where, f'record {full} needs "fields", a list', 'add "fields": []')
        if full in self.open:
            raise _error(where, f"{full} is defined inside itself", "refer to it by its name")
        record = Record(
            name,
            namespace,
            full,
            _doc(node),
            self.aliases(node, namespace, where),
            _props(node, _SCHEMA_RESERVED),
            error=kind == "error",
        )
        earlier = self.named.get(full)
        if earlier is None:
            self.named[full] = record  # visible to its own fields: recursion
        self.open.add(full)
        for i, item in enumerate(nodes):
            made = self.field(item, i, record, depth)
            if made.name in record.by_name:
                raise _error(f"record {full}", f"two fields are named {made.name!r}")
            record.by_name[made.name] = made
        self.open.discard(full)
        record.fields = tuple(record.by_name.values())
        return self.settle(earlier, record, where)

    def field(self, node: JSON, index: int, record: Record, depth: int) -> Field:
        at = f"record {record.fullname}"
        if not isinstance(node, Mapping) or not isinstance(node.get("name"), str):
            raise _error(
                at,
                f'field {index + 1} is not an object with a "name"',
                'a field is {"name": "...", "type": ...}',
            )
        name = node["name"]
        _check_name(name, at)
        where = f"field {name!r} of {at}"
        if "type" not in node:
            raise _error(where, 'no "type"', 'add "type": "string", for instance')
        field_type = self.type(node["type"], record.namespace, where, depth + 1)
        order = node.get("order", "ascending")
        if not isinstance(order, str) or order.lower() not in _ORDERS:
            raise _error(where, f'"order" must be one of {", ".join(_ORDERS)}, not {_json(order)}')
        default = node.get("default", NO_DEFAULT)
        if isinstance(default, str) and _kind(field_type) in ("float", "double"):
            default = _java_double_text(default, where)
        made = Field(
            name,
            field_type,
            default,
            _doc(node),
            order.lower(),
            tuple(dict.fromkeys(_strings(node, where))),
            _props(node, _FIELD_RESERVED),
        )
        if default is not NO_DEFAULT:
            self.defaults.append((where, made))
        return made

    def enum(self, node: Mapping[str, JSON], space: str | None, where: str) -> Enum:
        name, namespace, full = self.header(node, "enum", space, where)
        at = f"enum {full}"
        symbols = node.get("symbols")
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            raise _error(at, '"symbols" must be a list of names', 'add "symbols": ["A", "B"]')
        for symbol in symbols:
            _check_name(symbol, at)
        if len(set(symbols)) < len(symbols):
            twice = next(s for i, s in enumerate(symbols) if s in symbols[i + 1 :])
            raise _error(at, f"the symbol {twice!r} is listed twice")
        default = node.get("default")
        default = default if isinstance(default, str) else None
        if default is not None and default not in symbols:
            raise _error(
                at,
                f"its default {default!r} is not one of its symbols",
                did_you_mean(default, symbols),
            )
        made = Enum(
            name,
            namespace,
            full,
            _doc(node),
            self.aliases(node, namespace, where),
            _props(node, _ENUM_RESERVED),
            tuple(symbols),
            default,
        )
        return self.settle(self.named.get(full), made, where)

    def fixed(self, node: Mapping[str, JSON], space: str | None, where: str) -> Fixed:
        name, namespace, full = self.header(node, "fixed", space, where)
        size = node.get("size")
        if not _is_int(size, _INT32) or size < 0:
            raise _error(f"fixed {full}", f'"size" must be a number of bytes, not {_json(size)}')
        props = _props(node, _SCHEMA_RESERVED)
        made = Fixed(
            name,
            namespace,
            full,
            _doc(node),
            self.aliases(node, namespace, where),
            props,
            size,
            _logical("fixed", props, size),
        )
        return self.settle(self.named.get(full), made, where)

    def check_defaults(self) -> None:
        for where, made in self.defaults:
            if not _valid_default(made.type, made.default):
                raise _error(
                    where,
                    f"the default {_json(made.default)} is not a value of {_describe(made.type)}",
                    "a default is a JSON value of the field's type (for a union, of one of "
                    "its branches): a string for bytes and fixed, an object for a record",
                )


def _props(node: Mapping[str, JSON], reserved: frozenset[str]) -> dict[str, JSON]:
    return {key: value for key, value in node.items() if key not in reserved}


def _doc(node: Mapping[str, JSON]) -> str | None:
    doc = node.get("doc")
    return doc if isinstance(doc, str) else None


def _strings(node: Mapping[str, JSON], where: str) -> list[str]:
    """The "aliases" of a type or field."""
    aliases = node.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise _error(where, '"aliases" must be a list of names', 'write "aliases": ["OldName"]')
    return aliases


def _check_name(name: str, where: str) -> None:
    if (
        not name
        or not (name[0].isalpha() or name[0] == "_")
        or not all(c.isalpha() or c.isdecimal() or c == "_" for c in name[1:])
    ):
        raise _error(where, f"{name!r} is not a valid Avro name", _NAME_HINT)


def _is_int(value: JSON, bound: int) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and -bound <= value < bound


def _logical(base: str, props: dict[str, JSON], size: int) -> Logical | None:
    """The logical type ``props`` name, if it is valid on ``base`` (else None, as Avro
    ignores it and reads the underlying type)."""
    name = props.get("logicalType")
    if name == "decimal":
        precision, scale = props.get("precision"), props.get("scale", 0)
        if base not in ("bytes", "fixed") or not (
            _is_int(precision, _INT32) and _is_int(scale, _INT32)
        ):
            return None
        limit = math.floor(math.log10(2) * (8 * size - 1)) if base == "fixed" else _INT32
        if 0 < precision <= limit and 0 <= scale <= precision:
            return Logical("decimal", precision, scale)
        return None
    if not isinstance(name, str) or base not in _LOGICAL_BASES.get(name, ()):
        return None
    if base == "fixed" and size != {"uuid": 16, "duration": 12}[name]:
        return None
    return Logical(name)


def _java_double_text(text: str, where: str) -> float:
    """A float or double field's default written as text, read as Java reads it."""
    if not _JAVA_DOUBLE.fullmatch(text.strip()):
        raise _error(where, f"the default {text!r} is not a number")
    return float(text.strip().rstrip("fFdD"))


_DEFAULT_CHECKS: dict[str, Callable[[JSON], bool]] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "int": lambda v: _is_int(v, _INT32),
    "long": lambda v: _is_int(v, _INT64),
    "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "double": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "bytes": lambda v: isinstance(v, str),
    "string": lambda v: isinstance(v, str),
}


def _valid_default(t: AvroType, value: JSON) -> bool:
    """Whether ``value`` is a default Java Avro accepts for ``t`` (a union: any branch)."""
    if isinstance(t, Primitive):
        return _DEFAULT_CHECKS[t.type](value)
    if isinstance(t, Union):
        return any(_valid_default(branch, value) for branch in t.branches)
    if isinstance(t, Enum | Fixed):
        return isinstance(value, str)
    if isinstance(t, Array):
        return isinstance(value, list) and all(_valid_default(t.items, v) for v in value)
    if isinstance(t, Map):
        return isinstance(value, dict) and all(_valid_default(t.values, v) for v in value.values())
    return isinstance(value, dict) and all(
        _valid_default(f.type, value.get(f.name, f.default)) for f in t.fields
    )


def _as_type(schema: AvroText | AvroType, *, validate_defaults: bool = True) -> AvroType:
    if isinstance(schema, Primitive | Record | Enum | Fixed | Array | Map | Union):
        return schema
    return parse(schema, validate_defaults=validate_defaults)


def names(schema: AvroType) -> set[str]:
    """The full names of the named types ``schema`` defines or uses."""
    found: set[str] = set()
    todo = [schema]
    while todo:
        t = todo.pop()
        if isinstance(t, Named):
            if t.fullname in found:
                continue
            found.add(t.fullname)
        if isinstance(t, Record):
            todo.extend(f.type for f in t.fields)
        elif isinstance(t, Array):
            todo.append(t.items)
        elif isinstance(t, Map):
            todo.append(t.values)
        elif isinstance(t, Union):
            todo.extend(t.branches)
    return found


# -- canonical and normalized text -------------------------------------------------------


def canonical(schema: AvroText | AvroType, known: Iterable[str] = ()) -> str:
    """The schema as Java Avro's ``Schema.toString()`` writes it, the text Schema Registry
    keeps and identifies a schema by (``normalize`` false): no whitespace; each object's
    attributes in Avro's order (type, name, namespace, doc, then fields, symbols, default,
    size, items or values, then the other properties in the order written, then aliases;
    a field's name, type, doc, default, order, aliases, properties); names relative to
    the enclosing namespace; a named type written out once, then referred to by name, as
    are the ``known`` full names (types of referenced schemas) from the start."""
    out: list[str] = []
    try:
        _write(_as_type(schema), None, set(known), out)
    except RecursionError:  # a default or a property nested some hundred levels deep
        raise AvroSchemaError(
            "the schema is nested too deeply to write",
            hint="a schema, its defaults and its properties may nest a few hundred levels",
        ) from None
    return "".join(out)


def normalized(schema: AvroText | AvroType, known: Iterable[str] = ()) -> str:
    """The text Schema Registry keeps for a schema registered with ``normalize=true``: its
    normalization read back and written as ``canonical`` writes it.  Beyond ``canonical``
    (which already makes a name written with its namespace and one written qualified the
    same): other properties of types and fields sorted by name (a valid logical type's
    logicalType, precision and non-zero scale first), keys of JSON objects in properties
    and defaults sorted, aliases sorted, an empty doc of a named type dropped, an
    ``error`` written as a ``record``, and each default as Java reads it for its field's
    type: an integer default of a float or double field written as a decimal number, a
    float field's default rounded to 32 bits, a union's default read by its first non-null
    branch that takes it (a default none takes is dropped)."""
    return canonical(_normalize(_as_type(schema), {}), known)


def _write(t: AvroType, space: str | None, known: set[str], out: list[str]) -> None:
    if isinstance(t, Primitive):
        out.append(
            _quote(t.type) if not t.props else f'{{"type":"{t.type}"{_props_json(t.props)}}}'
        )
    elif isinstance(t, Union):
        out.append("[")
        for i, branch in enumerate(t.branches):
            out.append("," if i else "")
            _write(branch, space, known, out)
        out.append("]")
    elif isinstance(t, Array | Map):
        part, inner = ("items", t.items) if isinstance(t, Array) else ("values", t.values)
        out.append(f'{{"type":"{_kind(t)}","{part}":')
        _write(inner, space, known, out)
        out.append(_props_json(t.props) + "}")
    elif t.fullname in known:
        out.append(_quote(_relative(t.fullname, space)))
    else:
        known.add(t.fullname)
        kind = "error" if isinstance(t, Record) and t.error else _kind(t)
        out.append(f'{{"type":"{kind}","name":{_quote(t.name)}')
        if t.namespace is not None and t.namespace != space:
            out.append(f',"namespace":{_quote(t.namespace)}')
        elif t.namespace is None and space is not None:
            out.append(',"namespace":""')
        if t.doc is not None:
            out.append(f',"doc":{_quote(t.doc)}')
        if isinstance(t, Record):
            out.append(',"fields":[')
            for i, f in enumerate(t.fields):
                out.append(f'{"," if i else ""}{{"name":{_quote(f.name)},"type":')
                _write(f.type, t.namespace, known, out)
                out.append("" if f.doc is None else f',"doc":{_quote(f.doc)}')
                out.append("" if f.default is NO_DEFAULT else f',"default":{_json(f.default)}')
                out.append("" if f.order == "ascending" else f',"order":"{f.order}"')
                out.append(f',"aliases":{_json(list(f.aliases))}' if f.aliases else "")
                out.append(_props_json(f.props) + "}")
            out.append("]")
        elif isinstance(t, Enum):
            out.append(f',"symbols":{_json(list(t.symbols))}')
            out.append("" if t.default is None else f',"default":{_quote(t.default)}')
        else:
            out.append(f',"size":{t.size}')
        out.append(_props_json(t.props))
        if t.aliases:
            out.append(f',"aliases":{_json([_relative(a, t.namespace) for a in t.aliases])}')
        out.append("}")


def _relative(full: str, space: str | None) -> str:
    """A full name as Avro writes it where ``space`` is the namespace in effect."""
    namespace, _, short = full.rpartition(".")
    return short if namespace and namespace == space and short not in _TYPE_WORDS else full


def _props_json(props: dict[str, JSON]) -> str:
    return "".join(f",{_quote(key)}:{_json(value)}" for key, value in props.items())


_ESCAPES = {i: f"\\u{i:04X}" for i in range(32)} | {
    ord('"'): '\\"',
    ord("\\"): "\\\\",
    8: "\\b",
    9: "\\t",
    10: "\\n",
    12: "\\f",
    13: "\\r",
}


def _quote(text: str) -> str:
    """A JSON string as Jackson writes it."""
    return f'"{text.translate(_ESCAPES)}"'


def _json(value: JSON) -> str:
    """Compact JSON as Jackson writes it (doubles as Java prints them)."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_quote(str(k))}:{_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(v) for v in value) + "]"
    return _quote(repr(value))  # not JSON at all: shown, for messages


def _java_double(x: float) -> str:
    """``x`` as Java's ``Double.toString`` prints it (not-a-number and infinities quoted,
    as Jackson writes them)."""
    if math.isnan(x) or math.isinf(x):
        return '"NaN"' if math.isnan(x) else ('"Infinity"' if x > 0 else '"-Infinity"')
    if x == 0 or 1e-3 <= abs(x) < 1e7:
        return repr(x) if x != 0 else ("-0.0" if math.copysign(1, x) < 0 else "0.0")
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    return f"{'-' * sign}{text[0]}.{text[1:] or '0'}E{len(text) - 1 + exponent}"


def _normalize(t: AvroType, done: dict[int, AvroType]) -> AvroType:
    """``t`` as Schema Registry's normalization leaves it (see ``normalized``)."""
    if isinstance(t, Primitive):
        return t if not t.props else Primitive(t.type, _sorted_props(t.props, t.logical), t.logical)
    if isinstance(t, Union):
        return Union(tuple(_normalize(b, done) for b in t.branches))
    if isinstance(t, Array):
        return Array(_normalize(t.items, done), _sorted_props(t.props, None))
    if isinstance(t, Map):
        return Map(_normalize(t.values, done), _sorted_props(t.props, None))
    if id(t) in done:
        return done[id(t)]
    logical = t.logical if isinstance(t, Fixed) else None
    named = replace(
        t,
        doc=t.doc or None,
        aliases=tuple(sorted(t.aliases)),
        props=_sorted_props(t.props, logical),
    )
    done[id(t)] = named
    if isinstance(named, Record):
        named.error = False
        named.fields = tuple(
            replace(
                f,
                type=_normalize(f.type, done),
                default=_java_default(f.default, f.type),
                aliases=tuple(sorted(f.aliases)),
                props=_sorted_props(f.props, None),
            )
            for f in named.fields
        )
        named.by_name = {f.name: f for f in named.fields}
    return named


def _sorted_props(props: dict[str, JSON], logical: Logical | None) -> dict[str, JSON]:
    first = ["logicalType"] if logical else []
    if logical and logical.name == "decimal":
        first += ["precision", "scale"] if logical.scale else ["precision"]
    keys = first + sorted(k for k in props if k not in first)
    return {key: _sorted_json(props[key]) for key in keys}


def _sorted_json(value: JSON) -> JSON:
    if isinstance(value, Mapping):
        return {key: _sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_json(v) for v in value]
    return value


def _java_default(value: JSON, t: AvroType | None) -> JSON:
    """A default as Java Avro hands it to Schema Registry's normalization, read for type
    ``t`` (NO_DEFAULT when Java cannot read it so)."""
    if value is None or value is NO_DEFAULT or isinstance(value, bool):
        return value
    if isinstance(t, Union):
        for branch in t.branches:
            read = NO_DEFAULT if _kind(branch) == "null" else _java_default(value, branch)
            if read is not NO_DEFAULT:
                return read
        return NO_DEFAULT
    kind = None if t is None else _kind(t)
    if isinstance(value, int | float):
        if isinstance(value, int) and not _is_int(value, _INT64):
            return NO_DEFAULT  # Java reads a larger integer for no type
        if kind == "float":
            return _float32(value)
        if kind == "double" or (kind is None and isinstance(value, float)):
            return float(value)
        return value if kind in (None, "int", "long") and isinstance(value, int) else NO_DEFAULT
    if isinstance(value, str):
        if kind in ("bytes", "fixed"):
            return value.encode("latin-1", "replace").decode("latin-1")
        return value if kind in (None, "string", "enum") else NO_DEFAULT
    if isinstance(value, list):
        items = t.items if isinstance(t, Array) else None
        return [_inner(_java_default(v, items)) for v in value]
    if isinstance(value, Mapping):
        return {k: _inner(_java_default(value[k], _value_type(t, k))) for k in sorted(value)}
    return NO_DEFAULT


def _value_type(t: AvroType | None, key: str) -> AvroType | None:
    if isinstance(t, Map):
        return t.values
    if isinstance(t, Record) and key in t.by_name:
        return t.by_name[key].type
    return None


def _inner(value: JSON) -> JSON:
    """A value inside a default that Java cannot read: written as null."""
    return None if value is NO_DEFAULT else value


def _float32(value: float) -> float:
    """``value`` rounded to a 32-bit float, as the shortest decimal that reads back as it."""
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    if math.isnan(single) or math.isinf(single):
        return float(single)
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return float(text)
    return float(single)


# -- compatibility -----------------------------------------------------------------------

_AT = "\x00"  # where the path goes in a problem's text
_READS = {  # reader type: the writer types Avro promotes to it
    "long": ("int",),
    "float": ("int", "long"),
    "double": ("int", "long", "float"),
    "bytes": ("string",),
    "string": ("bytes",),
}
_NO_PROBLEMS: tuple[_Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class _Problem:
    """An issue found below a (reader, writer) pair; its path is relative to the pair,
    so a pair's problems are computed once and reused wherever the pair is met."""

    path: str  # ".field", "[]", "{}", "<branch>" segments
    kind: str
    text: str  # _AT stands for the path
    hint: str


def can_read(
    reader: AvroText | AvroType,
    writer: AvroText | AvroType,
    *,
    reader_label: str = "the reader's schema",
    writer_label: str = "the writer's schema",
    version: int | None = None,
    direction: str = "backward",
) -> list[Issue]:
    """The issues a reader with ``reader`` meets on data written with ``writer`` (none:
    it reads all of it).  Labels name the two schemas in messages; ``version`` and
    ``direction`` (backward: the reader is the new schema) go into each issue."""
    resolver = _Resolver(reader_label, writer_label, direction)
    problems = resolver.compare(_as_type(reader), _as_type(writer))
    return [
        Issue(
            _display(p.path),
            p.kind,
            p.text.replace(_AT, _display(p.path) or "the top-level type"),
            p.hint,
            version,
            direction,
        )
        for p in problems
    ]


def check(
    new: AvroText | AvroType,
    earlier: Sequence[AvroText | AvroType],
    mode: str,
    *,
    versions: Sequence[int],
    new_label: str = "the new schema",
) -> CompatibilityResult:
    """Whether ``new`` may follow ``earlier`` (oldest first, numbered by ``versions``)
    under ``mode``, as ``catalog.compat.check_compatibility`` applies modes: BACKWARD, the
    new schema reads data of the latest earlier one; FORWARD, the latest earlier one reads
    data of the new one; FULL both; the _TRANSITIVE modes against every earlier one.
    Earlier schemas may be given parsed; each is parsed once, without checking defaults."""
    mode = normalize_mode(mode)
    if len(versions) != len(earlier):
        raise ValueError("versions must number every earlier schema")
    if mode == "NONE" or not earlier:
        return CompatibilityResult(mode, (), ())
    pairs = list(zip(versions, earlier, strict=True))
    if not transitive(mode):
        pairs = pairs[-1:]
    schema = _as_type(new)
    issues: list[Issue] = []
    for number, old in pairs:
        before = _as_type(old, validate_defaults=False)
        label = f"version {number}"
        if mode.startswith(("BACKWARD", "FULL")):
            issues += can_read(schema, before, reader_label=new_label, writer_label=label,
                               version=number, direction="backward")  # fmt: skip
        if mode.startswith(("FORWARD", "FULL")):
            issues += can_read(before, schema, reader_label=label, writer_label=new_label,
                               version=number, direction="forward")  # fmt: skip
    return CompatibilityResult(mode, tuple(issues), tuple(number for number, _ in pairs))


def _display(path: str) -> str:
    return path[1:] if path.startswith(".") else path


class _Resolver:
    """Compares one reader with one writer.  Each pair of named types is compared once,
    and counts as readable while it is being compared: every cycle of a recursive schema
    passes through a pair of records, so the walk ends, and a named type used in many
    places is not compared again (the problems' paths are relative to the pair)."""

    def __init__(self, reader_label: str, writer_label: str, direction: str) -> None:
        self.reader, self.writer, self.direction = reader_label, writer_label, direction
        self.done: dict[tuple[int, int], tuple[_Problem, ...] | None] = {}

    def compare(self, r: AvroType, w: AvroType) -> Sequence[_Problem]:
        if isinstance(r, Primitive) and isinstance(w, Primitive):
            return self.primitives(r, w)
        if not isinstance(r, Named) or not isinstance(w, Named):
            return self.types(r, w)
        key = (id(r), id(w))
        if key in self.done:
            return self.done[key] or _NO_PROBLEMS
        self.done[key] = None
        found = tuple(self.types(r, w))
        self.done[key] = found
        return found

    def problem(self, kind: str, text: str, hint: str, path: str = "") -> tuple[_Problem, ...]:
        return (_Problem(path, kind, text, hint),)

    def types(self, r: AvroType, w: AvroType) -> Sequence[_Problem]:
        if isinstance(w, Union):
            if isinstance(r, Union):
                return self.unions(r, w)
            found: list[_Problem] = []
            for branch in w.branches:
                segment = "" if _kind(branch) == "null" else _branch(branch)
                found += _under(self.compare(r, branch), segment)
            return found
        if isinstance(r, Union):
            return self.reader_union(r, w)
        if isinstance(r, Array) and isinstance(w, Array):
            return _under(self.compare(r.items, w.items), "[]")
        if isinstance(r, Map) and isinstance(w, Map):
            return _under(self.compare(r.values, w.values), "{}")
        if type(r) is not type(w) or not isinstance(r, Named) or not isinstance(w, Named):
            return self.mismatch(r, w)
        found = list(self.names(r, w))
        if isinstance(r, Record) and isinstance(w, Record):
            for f in r.fields:
                found += self.field(f, w)
        elif isinstance(r, Enum) and isinstance(w, Enum):
            found += self.symbols(r, w)
        elif isinstance(r, Fixed) and isinstance(w, Fixed):
            found += self.sizes(r, w) or self.decimals(r.logical, w.logical)
        return found

    def primitives(self, r: Primitive, w: Primitive) -> tuple[_Problem, ...]:
        if r.type == w.type:
            return self.decimals(r.logical, w.logical)
        if w.type in _READS.get(r.type, ()):
            return _NO_PROBLEMS
        return self.mismatch(r, w)

    def mismatch(self, r: AvroType, w: AvroType) -> tuple[_Problem, ...]:
        if _kind(w) == "null":
            return self.nullable()
        rd, wd = _describe(r), _describe(w)
        if isinstance(r, Primitive) and r.type in _READS.get(_kind(w), ()):
            return self.problem(
                "TYPE_NARROWED",
                f"{_AT} is {rd} in {self.reader} but {wd} in {self.writer}: {rd} cannot hold "
                f"every {wd} value",
                "widen instead (int to long, float or double; long to float or double; "
                "float to double), never narrow",
            )
        return self.problem(
            "TYPE_CHANGED",
            f"{_AT} is {rd} in {self.reader} but {wd} in {self.writer}, and Avro cannot read "
            f"{wd} as {rd}",
            "keep the type; to change it, add a field of the new type (with a default) "
            "and stop writing this one",
        )

    def nullable(self) -> tuple[_Problem, ...]:
        return self.problem(
            "NULLABILITY_TIGHTENED",
            f"{_AT} may be null in data written with {self.writer}, but {self.reader} does "
            "not allow null there",
            'keep "null" among the types of the union',
        )

    def through(self, branches: Sequence[AvroType], w: AvroType) -> Sequence[_Problem] | None:
        """None when some reader branch reads ``w``; else why the branch Avro would pick
        fails (empty when there is no such branch).  Each branch is compared once."""
        match = _selected(branches, w)
        problems = _NO_PROBLEMS if match is None else self.compare(match, w)
        if match is not None and not problems:
            return None
        if any(not self.compare(b, w) for b in branches if b is not match):
            return None
        return problems if match is None else _under(problems, _branch(match))

    def unions(self, r: Union, w: Union) -> list[_Problem]:
        found: list[_Problem] = []
        for branch in w.branches:
            why = self.through(r.branches, branch)
            if why is None:
                continue
            if _kind(branch) == "null":
                found += self.nullable()
            elif why:
                found += why
            else:
                wd = _describe(branch)
                found += self.problem(
                    "UNION_BRANCH_MISSING",
                    f"{_AT}: {self.writer} can write {wd} here, but no branch of the union in "
                    f"{self.reader} reads {wd}",
                    "keep every branch of the union (adding branches is safe)",
                    _branch(branch),
                )
        return found

    def reader_union(self, r: Union, w: AvroType) -> Sequence[_Problem]:
        why = self.through(r.branches, w)
        if why is None:
            return _NO_PROBLEMS
        if _kind(w) == "null":
            return self.nullable()
        if why:
            return why
        wd = _describe(w)
        return self.problem(
            "UNION_BRANCH_MISSING",
            f"{_AT} is {wd} in {self.writer}, but no branch of the union {_describe(r)} in "
            f"{self.reader} reads it",
            f"add a {wd} branch to the union",
        )

    def names(self, r: Record | Enum | Fixed, w: Named) -> tuple[_Problem, ...]:
        if _names_match(r, w):
            return _NO_PROBLEMS
        kind = _kind(r)
        return self.problem(
            "NAME_MISMATCH",
            f"{_AT} is the {kind} {r.fullname} in {self.reader} but {w.fullname} in "
            f"{self.writer}, and Avro matches {kind} types by name",
            f'keep the name {w.name}, or list "{w.fullname}" in the "aliases" of {r.fullname}',
        )

    def field(self, f: Field, w: Record) -> Sequence[_Problem]:
        found = [w.by_name[n] for n in dict.fromkeys((f.name, *f.aliases)) if n in w.by_name]
        path = f".{f.name}"
        if len(found) == 1:
            return _under(self.compare(f.type, found[0].type), path)
        if found:
            names = ", ".join(g.name for g in found)
            return self.problem(
                "AMBIGUOUS_FIELD",
                f"field {_AT} of {self.reader} matches {len(found)} fields of {self.writer} "
                f"({names}) by its name and aliases",
                "an alias must not name another field of the writer; remove it",
                path,
            )
        if f.default is not NO_DEFAULT:
            return _NO_PROBLEMS
        if self.direction == "backward":
            return self.problem(
                "FIELD_ADDED_WITHOUT_DEFAULT",
                f"field {_AT} was added without a default, so {self.reader} cannot read "
                f"records written with {self.writer}",
                'give it a "default" (an optional field is ["null", ...] with "default": null)',
                path,
            )
        return self.problem(
            "FIELD_REMOVED_WITHOUT_DEFAULT",
            f"field {_AT} was removed, but readers using {self.reader} need it and it has no "
            "default there",
            'keep the field, or first give it a "default" in a version of its own',
            path,
        )

    def symbols(self, r: Enum, w: Enum) -> tuple[_Problem, ...]:
        missing = [s for s in w.symbols if s not in r.symbols]
        if not missing or r.default is not None:
            return _NO_PROBLEMS
        return self.problem(
            "ENUM_SYMBOL_REMOVED",
            f"{_AT} (enum {r.fullname}) in {self.reader} lacks the "
            f"symbol{'s' * (len(missing) > 1)} {', '.join(missing)} that {self.writer} can "
            "write",
            'keep every symbol, or give the enum a "default" symbol to read unknown ones as',
        )

    def sizes(self, r: Fixed, w: Fixed) -> tuple[_Problem, ...]:
        if r.size == w.size:
            return _NO_PROBLEMS
        return self.problem(
            "FIXED_SIZE_MISMATCH",
            f"{_AT} is {r.size} bytes long (fixed {r.fullname}) in {self.reader} but "
            f"{w.size} bytes in {self.writer}",
            "keep the size of a fixed type",
        )

    def decimals(self, r: Logical | None, w: Logical | None) -> tuple[_Problem, ...]:
        if r is None or w is None or r.name != "decimal" or w.name != "decimal":
            return _NO_PROBLEMS
        if r.scale == w.scale and r.precision >= w.precision:
            return _NO_PROBLEMS
        why = (
            "a different scale reads every value at the wrong magnitude"
            if r.scale != w.scale
            else f"{r.precision} digits cannot hold every value of {w.precision} digits"
        )
        return self.problem(
            "DECIMAL_MISMATCH",
            f"{_AT} is decimal({r.precision},{r.scale}) in {self.reader} but "
            f"decimal({w.precision},{w.scale}) in {self.writer}: {why}",
            "keep the scale; the precision may only grow",
        )


def _under(problems: Sequence[_Problem], segment: str) -> list[_Problem]:
    return [replace(p, path=segment + p.path) for p in problems]


def _names_match(r: Named, w: Named) -> bool:
    return r.name == w.name or w.fullname in r.aliases


def _selected(branches: Sequence[AvroType], w: AvroType) -> AvroType | None:
    """The reader branch Avro would pick for ``w``: of its kind, and of its name."""
    for branch in branches:
        if _kind(branch) == _kind(w) and (
            not isinstance(w, Named) or (isinstance(branch, Named) and _names_match(branch, w))
        ):
            return branch
    return None


def _kind(t: AvroType) -> str:
    if isinstance(t, Primitive):
        return t.type
    return {Record: "record", Enum: "enum", Fixed: "fixed", Array: "array", Map: "map"}.get(
        type(t), "union"
    )


def _branch(t: AvroType) -> str:
    """The path segment of a union branch: ``<int>``, ``<Address>``, ``<timestamp-millis>``."""
    if isinstance(t, Named):
        return f"<{t.name}>"
    if isinstance(t, Primitive) and t.logical is not None:
        return f"<{t.logical.name}>"
    return f"<{_kind(t)}>"


def _describe(t: AvroType) -> str:
    """A type in words, for messages."""
    logical = t.logical if isinstance(t, Primitive | Fixed) else None
    if logical is not None and logical.name == "decimal":
        return f"decimal({logical.precision},{logical.scale})"
    if isinstance(t, Named):
        return f"{_kind(t)} {t.fullname}"
    if isinstance(t, Array):
        return f"array<{_describe(t.items)}>"
    if isinstance(t, Map):
        return f"map<{_describe(t.values)}>"
    if isinstance(t, Union):
        return "union [" + ", ".join(_describe(b) for b in t.branches) + "]"
    return t.type if logical is None else f"{logical.name} ({t.type})"
