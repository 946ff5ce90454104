"""Avro record schemas <-> schemacat fields (``Schema.from_avro`` and ``to_avro`` use these).

Import: records become structs, ``["null", T]`` a nullable ``T``, other unions
Arrow dense unions (one member per branch, named after the branch), enums
``EnumType``, fixed ``fixed_size_binary``, and the logical types their Arrow
counterparts (timestamp-* carry ``UTC``, local-timestamp-* no zone).  A field
without ``default`` has no default (``NO_DEFAULT``), which is not a default of
null.  Names of named types (records, enums, fixed) and their aliases are kept
in the metadata of the field that holds them (``avro.name``, ``avro.aliases``),
field aliases in ``Field.aliases``, ``doc`` in the comment.

Export is the inverse; what Avro cannot hold without loss (UBIGINT, TIME with
nanoseconds, non-string map keys, names that are not Avro names) is refused
with an error that names the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

import pyarrow as pa

from catalog.errors import AvroSchemaError
from catalog.field import NO_DEFAULT, Field
from catalog.types import EnumType
from catalog.visit import LIST, MAP, STRUCT, UNION, children, kind

AVRO_NAME = "avro.name"
AVRO_ALIASES = "avro.aliases"

_PRIMITIVES: dict[str, pa.DataType] = {
    "null": pa.null(),
    "boolean": pa.bool_(),
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "bytes": pa.binary(),
    "string": pa.string(),
}
_TIMESTAMPS = {"millis": "ms", "micros": "us", "nanos": "ns"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# -- import ------------------------------------------------------------------------


def read_record(
    avsc: str | Mapping[str, Any], *, recursion_as_json: bool = False
) -> tuple[list[Field], str]:
    """The fields of an Avro record (a dict, or its JSON text) and its full name.  A type
    that refers to itself cannot be an Arrow type: it is refused, or with
    ``recursion_as_json`` the inner reference is JSON (a registry's view of it)."""
    if isinstance(avsc, str):
        try:
            avsc = json.loads(avsc)
        except ValueError as exc:
            raise AvroSchemaError(f"the Avro schema is not valid JSON: {exc}") from None
    if not isinstance(avsc, Mapping) or avsc.get("type") != "record":
        raise AvroSchemaError(
            "the top level of an Avro schema for a stream must be a record",
            hint='wrap the value in {"type": "record", "name": ..., "fields": [...]}',
        )
    reader = _AvroReader(recursion_as_json)
    try:
        struct, meta = reader.read(avsc, namespace=None)
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise AvroSchemaError(
            f"{reader.at or 'the schema'}: an Avro schema schemacat cannot read "
            f"({type(exc).__name__}: {exc})",
            hint="check it with Avro's own tools (avro-tools, fastavro.parse_schema)",
        ) from None
    return [Field.from_arrow(f) for f in struct], meta[AVRO_NAME]


class _AvroReader:
    """Reads one schema; remembers named types so later references resolve."""

    def __init__(self, recursion_as_json: bool = False) -> None:
        self.named: dict[str, tuple[pa.DataType, dict[str, str]]] = {}
        self.in_progress: set[str] = set()
        self.recursion_as_json = recursion_as_json
        self.at = ""  # the name of the record or field being read, for errors

    def read(self, node: Any, namespace: str | None) -> tuple[pa.DataType, dict[str, str]]:
        """The Arrow type of ``node`` and the field metadata that goes with it."""
        if isinstance(node, str):
            if node in _PRIMITIVES:
                return _PRIMITIVES[node], {}
            return self._reference(node, namespace)
        if isinstance(node, list):
            return self._union(node, namespace)
        if not isinstance(node, Mapping) or "type" not in node:
            raise AvroSchemaError(f"not an Avro schema: {node!r}")
        kind = node["type"]
        if kind in ("record", "error", "enum", "fixed"):
            return self._named(node, namespace)
        logical = _logical_type(node)
        if logical is not None:
            return logical, {}
        if kind == "array":
            item_type, item_nullable, meta = self._member(node["items"], namespace)
            return pa.list_(pa.field("item", item_type, item_nullable, metadata=meta)), {}
        if kind == "map":
            value_type, value_nullable, meta = self._member(node["values"], namespace)
            value = pa.field("value", value_type, value_nullable, metadata=meta)
            return pa.map_(pa.field("key", pa.string(), False), value), {}
        return self.read(kind, namespace)  # {"type": "string"} and the like

    def _member(self, node: Any, namespace: str | None) -> tuple[pa.DataType, bool, dict[str, str]]:
        """Type, nullability and metadata of a field, item or map value."""
        if isinstance(node, list) and "null" in node:
            rest = [b for b in node if b != "null"]
            dtype, meta = self.read(rest[0] if len(rest) == 1 else rest or "null", namespace)
            return dtype, True, meta
        dtype, meta = self.read(node, namespace)
        return dtype, node == "null", meta

    def _union(
        self, branches: list[Any], namespace: str | None
    ) -> tuple[pa.DataType, dict[str, str]]:
        members = []
        for branch in branches:
            dtype, meta = self.read(branch, namespace)
            label = meta.get(AVRO_NAME, "").rsplit(".", 1)[-1] or _branch_label(branch)
            members.append(pa.field(label, dtype, metadata=meta or None))
        if len({m.name for m in members}) < len(members):
            raise AvroSchemaError(f"a union has two branches of the same type: {branches!r}")
        return pa.dense_union(members, type_codes=list(range(len(members)))), {}

    def _reference(self, name: str, namespace: str | None) -> tuple[pa.DataType, dict[str, str]]:
        full = name if "." in name or namespace is None else f"{namespace}.{name}"
        for candidate in (full, name):
            if candidate in self.in_progress and self.recursion_as_json:
                return pa.json_(), {AVRO_NAME: candidate}
            if candidate in self.in_progress:
                raise AvroSchemaError(
                    f"the recursive type {candidate} cannot be represented",
                    hint="Arrow and SQL types cannot refer to themselves; flatten the recursion",
                )
            if candidate in self.named:
                return self.named[candidate]
        raise AvroSchemaError(f"unknown Avro type {name!r}", hint="define a named type before use")

    def _named(
        self, node: Mapping[str, Any], namespace: str | None
    ) -> tuple[pa.DataType, dict[str, str]]:
        name = node.get("name")
        if not isinstance(name, str) or not name:
            raise AvroSchemaError(f"a {node['type']} needs a name: {dict(node)!r}")
        ns = node.get("namespace", namespace)
        full = name if "." in name or not ns else f"{ns}.{name}"
        inner_ns = full.rsplit(".", 1)[0] if "." in full else None
        meta = {AVRO_NAME: full}
        if node.get("aliases"):
            meta[AVRO_ALIASES] = json.dumps(list(node["aliases"]))
        kind = node["type"]
        if kind == "enum":
            dtype: pa.DataType = EnumType(node["symbols"], node.get("default"))
        elif kind == "fixed":
            dtype = _logical_type(node) or pa.binary(int(node["size"]))
        else:
            self.in_progress.add(full)
            dtype = pa.struct([self._field(f, inner_ns) for f in node.get("fields", [])])
            self.in_progress.discard(full)
        self.named[full] = (dtype, meta)
        return dtype, meta

    def _field(self, node: Mapping[str, Any], namespace: str | None) -> pa.Field:
        self.at = f"field {node['name']}"
        dtype, nullable, meta = self._member(node["type"], namespace)
        field = Field(
            name=node["name"],
            type=dtype,
            nullable=nullable,
            default=node.get("default", NO_DEFAULT),
            comment=node.get("doc"),
            aliases=tuple(node.get("aliases", ())),
            metadata=meta,
        )
        return field.to_arrow()


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _branch_label(branch: Any) -> str:
    if isinstance(branch, str):
        return branch.rsplit(".", 1)[-1]
    if isinstance(branch, Mapping):
        return str(branch.get("logicalType") or branch.get("type"))
    return "union"


def _logical_type(node: Mapping[str, Any]) -> pa.DataType | None:
    logical, base = node.get("logicalType"), node.get("type")
    if logical is None:
        return None
    if logical == "decimal" and base in ("bytes", "fixed"):
        precision, scale = node.get("precision"), node.get("scale", 0)
        if not (
            _whole(precision) and _whole(scale) and 0 <= scale <= precision and 0 < precision <= 76
        ):
            return None  # Avro ignores a decimal it cannot read; Arrow holds up to 76 digits
        return (
            pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)
        )
    if logical == "uuid" and base in ("string", "fixed"):
        return pa.uuid()
    if logical == "json" and base == "string":
        return pa.json_()
    if logical == "date" and base == "int":
        return pa.date32()
    if logical == "time-millis" and base == "int":
        return pa.time32("ms")
    if logical == "time-micros" and base == "long":
        return pa.time64("us")
    if logical == "duration" and base == "fixed":
        return pa.month_day_nano_interval()
    kind, _, unit = str(logical).rpartition("-")
    if base == "long" and unit in _TIMESTAMPS and kind in ("timestamp", "local-timestamp"):
        return pa.timestamp(_TIMESTAMPS[unit], tz="UTC" if kind == "timestamp" else None)
    return None  # unknown logical types fall back to the underlying type, as the spec says


# -- export ------------------------------------------------------------------------


def write_record(fields: Iterable[Field], name: str) -> dict[str, Any]:
    """An Avro record named ``name`` with ``fields``."""
    writer = _AvroWriter()
    record = {"type": "record", "name": name, "fields": [writer.field(f, name) for f in fields]}
    writer.named_type(record)
    return record


class _AvroWriter:
    """Writes one schema; a named type defined twice the same way is referenced by name."""

    def __init__(self) -> None:
        self.defined: dict[str, dict[str, Any]] = {}

    def named_type(self, definition: dict[str, Any]) -> Any:
        full = definition["name"]
        for part in full.split("."):
            if not _NAME.fullmatch(part):
                raise AvroSchemaError(f"{full!r} is not a valid Avro name")
        if full not in self.defined:
            self.defined[full] = definition
            return definition
        if self.defined[full] != definition:
            raise AvroSchemaError(
                f"two different types are both named {full!r}",
                hint="give one of them another avro.name",
            )
        return full

    def field(self, f: Field, path: str) -> dict[str, Any]:
        if not _NAME.fullmatch(f.name):
            raise AvroSchemaError(
                f"column {f.name!r} is not a valid Avro field name",
                hint="Avro names are letters, digits and _, not starting with a digit; rename it",
            )
        out: dict[str, Any] = {"name": f.name}
        out["type"] = self.member(f.type, f.nullable, f.default, f.metadata, f"{path}.{f.name}")
        if f.has_default and (f.default is not None or f.nullable or pa.types.is_null(f.type)):
            out["default"] = f.default  # a NOT NULL column's null default is no Avro default
        if f.comment is not None:
            out["doc"] = f.comment
        if f.aliases:
            out["aliases"] = list(f.aliases)
        return out

    def member(
        self, dtype: pa.DataType, nullable: bool, default: Any, meta: Mapping[str, str], path: str
    ) -> Any:
        avro = self.type(dtype, meta, path)
        if not nullable or pa.types.is_null(dtype):
            return avro
        branches = avro if isinstance(avro, list) else [avro]
        # Avro checks a default against the first branch, so null goes last for other defaults.
        if default is NO_DEFAULT or default is None:
            return ["null", *branches]
        return [*branches, "null"]

    def nested(self, pa_field: pa.Field, path: str) -> Any:
        f = Field.from_arrow(pa_field)
        return self.member(f.type, f.nullable, f.default, f.metadata, path)

    def type(self, dtype: pa.DataType, meta: Mapping[str, str], path: str) -> Any:
        simple = _simple_avro(dtype)
        if simple is not None:
            return simple
        full = meta.get(AVRO_NAME) or _generated_name(path)
        named: dict[str, Any] = {"name": full}
        if meta.get(AVRO_ALIASES):
            named["aliases"] = json.loads(meta[AVRO_ALIASES])
        if isinstance(dtype, EnumType):
            bad = [s for s in dtype.symbols if not _NAME.fullmatch(s)]
            if bad:
                raise AvroSchemaError(f"{path}: enum symbols {bad!r} are not valid Avro names")
            named.update(type="enum", symbols=list(dtype.symbols))
            if dtype.default is not None:
                named["default"] = dtype.default
            return self.named_type(named)
        if pa.types.is_fixed_size_binary(dtype):
            return self.named_type({**named, "type": "fixed", "size": dtype.byte_width})
        if pa.types.is_interval(dtype):
            duration = {"name": meta.get(AVRO_NAME, "duration"), "type": "fixed", "size": 12}
            return self.named_type({**duration, "logicalType": "duration"})
        nested = kind(dtype)
        if nested == STRUCT:
            fields = [self.field(Field.from_arrow(child), full) for child in children(dtype)]
            return self.named_type({**named, "type": "record", "fields": fields})
        if nested == MAP:
            if not pa.types.is_string(dtype.key_type):
                raise AvroSchemaError(f"{path}: Avro map keys are strings, not {dtype.key_type}")
            return {"type": "map", "values": self.nested(dtype.item_field, path)}
        if nested == LIST:
            return {"type": "array", "items": self.nested(dtype.value_field, path)}
        if nested == UNION:
            return [
                self.type(child.type, _str_meta(child), f"{path}.{child.name}")
                for child in children(dtype)
            ]
        raise AvroSchemaError(f"{path}: the type {dtype} cannot be written as Avro without loss")


def _str_meta(pa_field: pa.Field) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in (pa_field.metadata or {}).items()}


def _generated_name(path: str) -> str:
    return "_".join(re.sub(r"\W", "_", part) for part in path.split(".")).lstrip("0123456789")


def _simple_avro(dtype: pa.DataType) -> Any:
    """The Avro form of a type that is not named or nested, or None."""
    if isinstance(dtype, pa.UuidType):
        return {"type": "string", "logicalType": "uuid"}
    if isinstance(dtype, pa.JsonType):
        return {"type": "string", "logicalType": "json"}
    if isinstance(dtype, EnumType):
        return None
    for check, avro in _SIMPLE_CHECKS:
        if check(dtype):
            return avro
    if pa.types.is_decimal(dtype):
        return {
            "type": "bytes",
            "logicalType": "decimal",
            "precision": dtype.precision,
            "scale": dtype.scale,
        }
    if pa.types.is_time32(dtype):
        return {"type": "int", "logicalType": "time-millis"}
    if pa.types.is_time64(dtype) and dtype.unit == "us":
        return {"type": "long", "logicalType": "time-micros"}
    if pa.types.is_timestamp(dtype):
        precision = {"s": "millis", "ms": "millis", "us": "micros", "ns": "nanos"}[dtype.unit]
        kind = "timestamp" if dtype.tz is not None else "local-timestamp"
        return {"type": "long", "logicalType": f"{kind}-{precision}"}
    return None


_SIMPLE_CHECKS: list[tuple[Any, Any]] = [
    (pa.types.is_null, "null"),
    (pa.types.is_boolean, "boolean"),
    (lambda t: t in (pa.int8(), pa.int16(), pa.int32(), pa.uint8(), pa.uint16()), "int"),
    (lambda t: t in (pa.int64(), pa.uint32()), "long"),
    (lambda t: t in (pa.float16(), pa.float32()), "float"),
    (pa.types.is_float64, "double"),
    (pa.types.is_string, "string"),
    (pa.types.is_binary, "bytes"),
    (pa.types.is_date, {"type": "int", "logicalType": "date"}),
]
