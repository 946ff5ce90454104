"""Arrow types <-> the JSON of the canonical schema form.

Primitive types are plain strings (``"int64"``); parameterised and nested
types are objects with a ``"type"`` key.  Types are written in their canonical
form (``visit.canonical``); the large, view and dictionary forms that catalogs
of store 1 may hold are still read.  Nested fields are written by the
``field_to_json`` callback the schema module passes in, so a nested field keeps
its default, comment and aliases.  Every type here survives the round trip;
an extension type we do not know is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from catalog.errors import SchemaError
from catalog.types import EnumType, TimeTzType
from catalog.visit import TypeVisitor

FieldToJson = Callable[[pa.Field], dict[str, Any]]
FieldFromJson = Callable[[Mapping[str, Any]], pa.Field]

_PRIMITIVES: dict[str, pa.DataType] = {
    "null": pa.null(),
    "bool": pa.bool_(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "uint8": pa.uint8(),
    "uint16": pa.uint16(),
    "uint32": pa.uint32(),
    "uint64": pa.uint64(),
    "float16": pa.float16(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "string": pa.string(),
    "large_string": pa.large_string(),
    "string_view": pa.string_view(),
    "binary": pa.binary(),
    "large_binary": pa.large_binary(),
    "binary_view": pa.binary_view(),
    "date32": pa.date32(),
    "date64": pa.date64(),
    "interval_month_day_nano": pa.month_day_nano_interval(),
    "uuid": pa.uuid(),
    "json": pa.json_(),
    "timetz": TimeTzType(),
}
_PRIMITIVE_NAMES = {t: name for name, t in _PRIMITIVES.items()}


def type_to_json(dtype: pa.DataType, to_json: FieldToJson) -> Any:
    """The JSON of a (canonical) type; nested fields written by ``to_json``."""
    return _Writer(to_json).visit(dtype)


class _Writer(TypeVisitor[Any]):
    def __init__(self, to_json: FieldToJson) -> None:
        self.to_json = to_json

    def child(self, field: pa.Field) -> Any:
        return self.to_json(field)

    def leaf(self, dtype: pa.DataType) -> Any:
        name = _PRIMITIVE_NAMES.get(dtype)
        if name is not None:
            return name
        if isinstance(dtype, EnumType):
            return {"type": "enum", "symbols": list(dtype.symbols), "default": dtype.default}
        if isinstance(dtype, pa.BaseExtensionType):
            raise SchemaError(
                f"the extension type {dtype.extension_name} is not supported",
                hint=f"cast the column to its storage type, {dtype.storage_type}",
            )
        if pa.types.is_decimal(dtype):
            return {
                "type": "decimal",
                "precision": dtype.precision,
                "scale": dtype.scale,
                "bits": dtype.bit_width,
            }
        if pa.types.is_fixed_size_binary(dtype):
            return {"type": "fixed_size_binary", "size": dtype.byte_width}
        if pa.types.is_time(dtype):
            return {"type": "time", "unit": dtype.unit}
        if pa.types.is_timestamp(dtype):
            return {"type": "timestamp", "unit": dtype.unit, "tz": dtype.tz}
        if pa.types.is_duration(dtype):
            return {"type": "duration", "unit": dtype.unit}
        raise SchemaError(f"the Arrow type {dtype} is not supported in a schema")

    def list(self, dtype: pa.DataType, item: Any) -> Any:
        if pa.types.is_fixed_size_list(dtype):
            return {"type": "fixed_size_list", "size": dtype.list_size, "item": _unnamed(item)}
        return {"type": "list", "item": _unnamed(item)}

    def map(self, dtype: pa.DataType, key: Any, value: Any) -> Any:
        return {
            "type": "map",
            "key": _unnamed(key),
            "value": _unnamed(value),
            "keys_sorted": dtype.keys_sorted,
        }

    def struct(self, dtype: pa.DataType, fields: Sequence[Any]) -> Any:
        return {"type": "struct", "fields": list(fields)}

    def union(self, dtype: pa.DataType, branches: Sequence[Any]) -> Any:
        return {
            "type": "union",
            "mode": dtype.mode,
            "fields": list(branches),
            "type_codes": list(dtype.type_codes),
        }


def _unnamed(item: dict[str, Any]) -> dict[str, Any]:
    """A list item or map entry: its Arrow name means nothing, so it is left out."""
    return {k: v for k, v in item.items() if k != "name"}


def type_from_json(data: Any, from_json: FieldFromJson) -> pa.DataType:
    if isinstance(data, str):
        if data not in _PRIMITIVES:
            raise SchemaError(f"unknown type {data!r} in canonical JSON")
        return _PRIMITIVES[data]
    if not isinstance(data, Mapping) or "type" not in data:
        raise SchemaError(f"malformed type in canonical JSON: {data!r}")
    kind = data["type"]

    def item(key: str, name: str) -> pa.Field:
        return from_json({**data[key], "name": name})

    if kind == "enum":
        return EnumType(data["symbols"], data.get("default"))
    if kind == "decimal":
        factory = {32: pa.decimal32, 64: pa.decimal64, 128: pa.decimal128, 256: pa.decimal256}
        return factory[data.get("bits", 128)](data["precision"], data["scale"])
    if kind == "fixed_size_binary":
        return pa.binary(data["size"])
    if kind == "time":
        unit = data["unit"]
        return pa.time32(unit) if unit in ("s", "ms") else pa.time64(unit)
    if kind == "timestamp":
        return pa.timestamp(data["unit"], tz=data.get("tz"))
    if kind == "duration":
        return pa.duration(data["unit"])
    if kind == "fixed_size_list":
        return pa.list_(item("item", "item"), data["size"])
    if kind == "list":
        return pa.list_(item("item", "item"))
    if kind == "large_list":
        return pa.large_list(item("item", "item"))
    if kind == "map":
        return pa.map_(item("key", "key"), item("value", "value"), data.get("keys_sorted", False))
    if kind == "struct":
        return pa.struct([from_json(f) for f in data["fields"]])
    if kind == "union":
        fields = [from_json(f) for f in data["fields"]]
        return pa.union(fields, data["mode"], data.get("type_codes"))
    if kind == "dictionary":
        index = type_from_json(data["index"], from_json)
        value = type_from_json(data["value"], from_json)
        return pa.dictionary(index, value, data.get("ordered", False))
    raise SchemaError(f"unknown type {kind!r} in canonical JSON")
