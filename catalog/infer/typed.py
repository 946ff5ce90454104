"""Building typed Arrow data: Python records -> Arrow, and raw Arrow -> typed Arrow.

"Raw" data holds dates, timestamps, times and UUIDs as their strings and JSON
values as JSON text; ``cast_array`` turns it into the inferred types, walking
structs, lists and maps and parsing string leaves (``strings.parse``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from catalog.infer import strings
from catalog.visit import LIST, MAP, STRUCT, children, kind, transform

_PARSED_FROM_STRINGS = (pa.types.is_date, pa.types.is_timestamp, pa.types.is_time)


def _parsed_from_string(dtype: pa.DataType) -> bool:
    return isinstance(dtype, pa.UuidType) or any(check(dtype) for check in _PARSED_FROM_STRINGS)


def raw_type(dtype: pa.DataType) -> pa.DataType:
    """The type the raw data has where ``dtype`` is inferred (text where values are parsed)."""
    return transform(dtype, _raw_leaf)


def _raw_leaf(dtype: pa.DataType) -> pa.DataType:
    return pa.string() if isinstance(dtype, pa.JsonType) or _parsed_from_string(dtype) else dtype


def records_to_table(records: Sequence[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """The records as a table of ``schema`` (keys renamed in inference are read by their key)."""
    columns = []
    for field in schema:
        key = _key(field)
        values = [r.get(key) for r in records]
        if _needs_preparing(field.type):
            values = [_prepare(v, field.type) for v in values]
        columns.append(cast_array(pa.array(values, raw_type(field.type)), field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def values_to_array(values: Sequence[Any], dtype: pa.DataType) -> pa.Array:
    return cast_array(pa.array([_prepare(v, dtype) for v in values], raw_type(dtype)), dtype)


def _needs_preparing(dtype: pa.DataType) -> bool:
    """Whether Python values need reshaping before ``pa.array`` takes them (most do not)."""
    if isinstance(dtype, pa.JsonType) or pa.types.is_map(dtype) or pa.types.is_decimal(dtype):
        return True
    if kind(dtype) == STRUCT:
        return any(
            (f.metadata and b"json.key" in f.metadata) or _needs_preparing(f.type)
            for f in children(dtype)
        )
    return kind(dtype) == LIST and _needs_preparing(dtype.value_type)


def _key(field: pa.Field) -> str:
    meta = field.metadata or {}
    return str(meta[b"json.key"].decode()) if b"json.key" in meta else str(field.name)


def _prepare(value: Any, dtype: pa.DataType) -> Any:
    """A Python value in the form ``pa.array`` takes for ``raw_type(dtype)``."""
    if value is None:
        return None
    if isinstance(dtype, pa.JsonType):
        return json.dumps(value, ensure_ascii=False)
    shape = kind(dtype)
    if shape == STRUCT:
        return {f.name: _prepare(value.get(_key(f)), f.type) for f in children(dtype)}
    if shape == LIST:
        return [_prepare(v, dtype.value_type) for v in value]
    if shape == MAP:
        return [(k, _prepare(v, dtype.item_type)) for k, v in value.items()]
    if pa.types.is_decimal(dtype):
        return Decimal(value)
    if pa.types.is_floating(dtype):
        return float(value)
    return value


def cast_array(array: pa.Array | pa.ChunkedArray, target: pa.DataType) -> Any:
    """``array`` (raw) as ``target``."""
    if isinstance(array, pa.ChunkedArray):
        return pa.chunked_array([cast_array(c, target) for c in array.chunks], target)
    if array.type == target:
        return array
    if pa.types.is_string(array.type) and _parsed_from_string(target):
        return strings.parse(array, target)
    if isinstance(target, pa.JsonType):
        storage = array if pa.types.is_string(array.type) else pc.cast(array, pa.string())
        return pa.ExtensionArray.from_storage(target, storage)
    mask = array.is_null() if array.null_count else None
    if pa.types.is_struct(target):
        children = [cast_array(c, f.type) for c, f in zip(array.flatten(), target, strict=True)]
        return pa.StructArray.from_arrays(children, fields=list(target), mask=mask)
    if pa.types.is_list(target):
        values = cast_array(array.values, target.value_type)
        return pa.ListArray.from_arrays(array.offsets, values, type=target, mask=mask)
    if pa.types.is_map(target):
        keys = cast_array(array.keys, target.key_type)
        items = cast_array(array.items, target.item_type)
        return pa.MapArray.from_arrays(array.offsets, keys, items, type=target, mask=mask)
    return pc.cast(array, target)
