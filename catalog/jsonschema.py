"""JSON Schema (draft 2020-12) <-> schemacat fields, for the producers and consumers of JSON data.

Integers carry their range, temporal types the matching ``format``, binary data
``contentEncoding: base64``, maps ``additionalProperties``; a nullable column
accepts ``null`` and a NOT NULL column is ``required``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from catalog.errors import SchemaError
from catalog.field import NO_DEFAULT, Field
from catalog.types import EnumType, TimeTzType
from catalog.visit import LIST, MAP, STRUCT, UNION, children, kind

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_INT_RANGES = {
    pa.int8(): (-(2**7), 2**7 - 1),
    pa.int16(): (-(2**15), 2**15 - 1),
    pa.int32(): (-(2**31), 2**31 - 1),
    pa.int64(): (-(2**63), 2**63 - 1),
    pa.uint8(): (0, 2**8 - 1),
    pa.uint16(): (0, 2**16 - 1),
    pa.uint32(): (0, 2**32 - 1),
    pa.uint64(): (0, 2**64 - 1),
}


def write_object(fields: Iterable[Field], title: str | None = None) -> dict[str, Any]:
    """A JSON Schema of objects with ``fields``."""
    out: dict[str, Any] = {"$schema": DIALECT}
    if title:
        out["title"] = title
    out.update(_object(list(fields)))
    return out


def _object(fields: list[Field]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: _property(f) for f in fields},
        "required": [f.name for f in fields if not f.nullable],
    }


def _property(f: Field) -> dict[str, Any]:
    out = _nullable(_type(f.type), f.nullable)
    if f.has_default:
        out["default"] = f.default
    if f.comment:
        out["description"] = f.comment
    return out


def _nullable(node: dict[str, Any], nullable: bool) -> dict[str, Any]:
    if not nullable or not node:
        return node
    if isinstance(node.get("type"), str) and "enum" not in node:
        return {**node, "type": [node["type"], "null"]}
    return {"anyOf": [node, {"type": "null"}]}


def _nested(pa_field: pa.Field) -> dict[str, Any]:
    return _property(Field.from_arrow(pa_field))


def _type(dtype: pa.DataType) -> dict[str, Any]:
    nested = kind(dtype)
    if nested == LIST:
        out = {"type": "array", "items": _nested(dtype.value_field)}
        if pa.types.is_fixed_size_list(dtype):
            out |= {"minItems": dtype.list_size, "maxItems": dtype.list_size}
        return out
    if nested == MAP:
        return {"type": "object", "additionalProperties": _nested(dtype.item_field)}
    if nested == STRUCT:
        return _object([Field.from_arrow(child) for child in children(dtype)])
    if nested == UNION:
        return {"anyOf": [_type(child.type) for child in children(dtype)]}
    return _leaf(dtype)


def _leaf(dtype: pa.DataType) -> dict[str, Any]:
    if isinstance(dtype, EnumType):
        return {"type": "string", "enum": list(dtype.symbols)}
    if isinstance(dtype, pa.UuidType):
        return {"type": "string", "format": "uuid"}
    if isinstance(dtype, pa.JsonType):
        return {}
    if isinstance(dtype, TimeTzType):
        return {"type": "string", "format": "time"}
    if isinstance(dtype, pa.BaseExtensionType):
        return _type(dtype.storage_type)
    if dtype in _INT_RANGES:
        low, high = _INT_RANGES[dtype]
        return {"type": "integer", "minimum": low, "maximum": high}
    if pa.types.is_boolean(dtype):
        return {"type": "boolean"}
    if pa.types.is_null(dtype):
        return {"type": "null"}
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return {"type": "number"}
    if pa.types.is_string(dtype):
        return {"type": "string"}
    if pa.types.is_binary(dtype):
        return {"type": "string", "contentEncoding": "base64"}
    if pa.types.is_fixed_size_binary(dtype):
        length = (dtype.byte_width + 2) // 3 * 4
        return {
            "type": "string",
            "contentEncoding": "base64",
            "minLength": length,
            "maxLength": length,
        }
    for check, fmt in _FORMATS:
        if check(dtype):
            return {"type": "string", "format": fmt}
    return {}


_FORMATS = [
    (pa.types.is_date, "date"),
    (pa.types.is_time, "time"),
    (pa.types.is_timestamp, "date-time"),
    (pa.types.is_duration, "duration"),
    (pa.types.is_interval, "duration"),
]


# -- import ------------------------------------------------------------------------


def read_object(doc: Mapping[str, Any]) -> tuple[list[Field], str | None]:
    """The fields of a JSON Schema (draft 2020-12 or 7) of an object, and its title.

    ``required`` properties are NOT NULL; ``"type": [T, "null"]`` and
    ``anyOf [T, {"type": "null"}]`` are nullable; local ``$ref``s into
    ``$defs``/``definitions`` are followed; ``{}`` (anything) becomes JSON.
    """
    if not isinstance(doc, Mapping):
        raise SchemaError(f"a JSON Schema is a JSON object, not {type(doc).__name__}")
    reader = _JsonSchemaReader(doc)
    try:
        dtype, _ = reader.read(doc, "")
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        where = reader.at or "the document"
        raise SchemaError(f"{where}: a JSON Schema schemacat cannot read ({exc})") from None
    if not pa.types.is_struct(dtype):
        raise SchemaError("a JSON Schema for a stream must describe an object with properties")
    title = doc.get("title")
    return [Field.from_arrow(f) for f in dtype], title if isinstance(title, str) else None


class _JsonSchemaReader:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.resolving: set[str] = set()
        self.at = ""  # the path being read, for errors

    def read(self, node: Any, path: str) -> tuple[pa.DataType, bool]:
        """The type of ``node`` and whether it admits null."""
        self.at = path
        if node is True or node == {}:
            return pa.json_(), True
        if not isinstance(node, Mapping):
            raise SchemaError(f"{path or 'the document'}: not a JSON Schema: {node!r}")
        if "$ref" in node:
            return self.ref(node["$ref"], path)
        for key in ("anyOf", "oneOf"):
            if key in node:
                return self.alternatives(node[key], path)
        if "enum" in node:
            values = [v for v in node["enum"] if v is not None]
            if all(isinstance(v, str) for v in values):
                return EnumType(values), None in node["enum"]
        kinds = node.get("type", "object" if "properties" in node else None)
        if kinds is None:
            return pa.json_(), True
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        nullable = "null" in kinds
        rest = [k for k in kinds if k != "null"]
        if not rest:
            return pa.null(), True
        if len(rest) > 1:
            return self.alternatives([{**node, "type": k} for k in rest], path)[0], nullable
        return self.single(rest[0], node, path), nullable

    def single(self, kind: str, node: Mapping[str, Any], path: str) -> pa.DataType:
        if kind == "object":
            if "properties" in node or not isinstance(node.get("additionalProperties"), Mapping):
                required = set(node.get("required", ()))
                return pa.struct(
                    [self.property(name, sub, name in required, f"{path}{name}")
                     for name, sub in node.get("properties", {}).items()]
                )  # fmt: skip
            value, nullable = self.read(node["additionalProperties"], f"{path}{{}}")
            return pa.map_(pa.string(), pa.field("value", value, nullable))
        if kind == "array":
            item, nullable = self.read(node.get("items", {}), f"{path}[]")
            size = node.get("minItems")
            fixed = size is not None and size == node.get("maxItems")
            return pa.list_(pa.field("item", item, nullable), size if fixed else -1)
        if kind == "integer":
            bounds = (node.get("minimum"), node.get("maximum"))
            return next((t for t, r in _INT_RANGES.items() if r == bounds), pa.int64())
        if kind == "string":
            if node.get("contentEncoding") == "base64":
                return pa.binary()
            return _STRING_FORMATS.get(str(node.get("format")), pa.string())
        simple = {"number": pa.float64(), "boolean": pa.bool_()}
        if kind in simple:
            return simple[kind]
        raise SchemaError(f"{path or 'the document'}: unknown JSON Schema type {kind!r}")

    def property(self, name: str, node: Any, required: bool, path: str) -> pa.Field:
        dtype, nullable = self.read(node, path)
        node = node if isinstance(node, Mapping) else {}
        return Field(
            name,
            dtype,
            nullable=nullable or not required,
            default=node.get("default", NO_DEFAULT),
            comment=node.get("description"),
        ).to_arrow()

    def alternatives(self, options: list[Any], path: str) -> tuple[pa.DataType, bool]:
        nullable = any(isinstance(o, Mapping) and o.get("type") == "null" for o in options)
        rest = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")]
        if len(rest) == 1:
            dtype, inner_nullable = self.read(rest[0], path)
            return dtype, nullable or inner_nullable
        members = [self.read(o, path)[0] for o in rest]
        names = [_branch_label(o, i) for i, o in enumerate(rest)]
        if len(set(names)) < len(names):
            return pa.json_(), True  # branches that cannot be told apart by name
        fields = [pa.field(n, t) for n, t in zip(names, members, strict=True)]
        return pa.dense_union(fields, type_codes=list(range(len(fields)))), nullable

    def ref(self, ref: str, path: str) -> tuple[pa.DataType, bool]:
        if not ref.startswith("#/"):
            raise SchemaError(f"{path}: only local $ref (#/...) is supported, not {ref!r}")
        if ref in self.resolving:
            raise SchemaError(f"{path}: the recursive reference {ref} cannot be represented")
        target: Any = self.root
        for part in ref[2:].split("/"):
            if not isinstance(target, Mapping) or part not in target:
                raise SchemaError(f"{path}: the reference {ref} points nowhere")
            target = target[part]
        self.resolving.add(ref)
        try:
            return self.read(target, path)
        finally:
            self.resolving.discard(ref)


def _branch_label(node: Any, index: int) -> str:
    """A union member's name: the branch's JSON type, or the name its $ref points at."""
    if isinstance(node, Mapping):
        if isinstance(node.get("type"), str):
            return str(node["type"])
        if "$ref" in node:
            return str(node["$ref"]).rsplit("/", 1)[-1]
    return f"branch{index}"


_STRING_FORMATS = {
    "date": pa.date32(),
    "date-time": pa.timestamp("us", tz="UTC"),
    "time": pa.time64("us"),
    "uuid": pa.uuid(),
    "duration": pa.month_day_nano_interval(),
}
