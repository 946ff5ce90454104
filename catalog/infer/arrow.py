"""Inference over Arrow data that a reader has already typed (pyarrow's JSON reader).

The reader's types are kept where they are what we would infer; strings are
classified (dates, timestamps, UUIDs), lists of nothing become JSON[], and
objects that look like maps, or values nested deeper than ``max_depth``, send
the sample to the value-by-value path (``None``), which can merge the values of
many keys and keeps deep parts as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from catalog.infer import DEFAULT_MAX_DEPTH, strings
from catalog.infer.lattice import MAP_APPEARANCE_THRESHOLD, MAP_KEY_THRESHOLD
from catalog.visit import children


def target_schema(raw: pa.Table) -> pa.Schema | None:
    """The inferred type of each column of ``raw``, or None if only Python can tell."""
    if _map_like(raw.num_rows, raw.columns) or not arrow_shaped(raw.schema):
        return None
    fields = []
    for name, column in zip(raw.column_names, raw.columns, strict=True):
        dtype = _target(column, column.type)
        if dtype is None:
            return None
        fields.append(pa.field(name, dtype))
    return pa.schema(fields)


def _target(array: pa.ChunkedArray, dtype: pa.DataType) -> pa.DataType | None:
    """The inferred type of a column, looked at as pyarrow read it, in chunks: combining
    them copies the column, which costs more than typing it."""
    if pa.types.is_string(dtype):
        return strings.classify(array)
    if pa.types.is_list(dtype):
        values = pa.chunked_array([c.values for c in array.chunks], dtype.value_type)
        if pa.types.is_null(values.type):
            return pa.list_(pa.json_() if len(values) == 0 else pa.null())
        item = _target(values, values.type)
        return None if item is None else pa.list_(item)
    if pa.types.is_struct(dtype):
        children = array.flatten()  # with the struct's own nulls applied
        if _map_like(len(array) - array.null_count, children):
            return None
        fields = []
        for field, child in zip(dtype, children, strict=True):
            child_type = _target(child, field.type)
            if child_type is None:
                return None
            fields.append(pa.field(field.name, child_type))
        return pa.struct(fields)
    if pa.types.is_timestamp(dtype) or pa.types.is_dictionary(dtype):
        return None  # the strings behind it are needed
    return dtype


def _map_like(objects: int, children: Sequence[pa.Array | pa.ChunkedArray]) -> bool:
    """Maybe a map by DuckDB's rules; the value-by-value path then decides exactly."""
    if not children or len(children) > MAP_KEY_THRESHOLD:
        return True
    # a key pyarrow saw only as null is a present key (pyarrow cannot tell absent from null)
    present = sum(len(c) if pa.types.is_null(c.type) else len(c) - c.null_count for c in children)
    return bool(objects) and present / (objects * len(children)) < MAP_APPEARANCE_THRESHOLD


def arrow_shaped(schema: pa.Schema) -> bool:
    """Whether columns of this shape can be typed here: no object of more than
    MAP_KEY_THRESHOLD keys (maybe a map), nothing nested more than DEFAULT_MAX_DEPTH
    levels (JSON there).  Looks no deeper than that, however deep the type."""

    def fits(dtype: pa.DataType, levels: int) -> bool:
        inner = children(dtype)
        if not inner:
            return True
        if levels == 0 or len(inner) > MAP_KEY_THRESHOLD:
            return False
        return all(fits(f.type, levels - 1) for f in inner)

    return len(schema) <= MAP_KEY_THRESHOLD and all(fits(f.type, DEFAULT_MAX_DEPTH) for f in schema)
