"""One schema from many files: columns merged by name, types widened.

Types widen the way the compatibility rules allow (INTEGER and BIGINT make
BIGINT, BIGINT and DOUBLE make DOUBLE, a DATE and free text make VARCHAR),
structs merge field by field, and a column missing from some files becomes
nullable.  Types that cannot be merged are an error naming both files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa

from catalog.errors import SchemaConflict
from catalog.infer.stats import ColumnStats
from catalog.schema import Field, Schema
from catalog.typerules import category, representable
from catalog.types import sql_type_name
from catalog.visit import LIST, MAP, STRUCT, kind

_TEXTUAL = ("date", "timestamp", "time", "uuid")


def merge_schemas(parts: Sequence[tuple[str, Schema]]) -> Schema:
    """The schemas of ``parts`` (name, schema) as one, in the order columns were first seen."""
    merged: dict[str, tuple[Field, str]] = {}
    seen_in: dict[str, int] = {}
    for source, schema in parts:
        for f in schema:
            key = f.name.lower()
            seen_in[key] = seen_in.get(key, 0) + 1
            if key not in merged:
                merged[key] = (f, source)
                continue
            first, first_source = merged[key]
            dtype = merge_types(first.type, f.type)
            if dtype is None:
                raise SchemaConflict(
                    f"column {f.name} is {sql_type_name(first.type)} in {first_source} "
                    f"but {sql_type_name(f.type)} in {source}",
                    hint="discover the files separately, or point at files of one layout",
                )
            nullable = first.nullable or f.nullable
            if dtype is not first.type or nullable != first.nullable:  # else no new Field
                merged[key] = (first.replace(type=dtype, nullable=nullable), first_source)
    fields = []
    for key, (f, _) in merged.items():
        missing_somewhere = seen_in[key] < len(parts) and not f.nullable
        fields.append(f.replace(nullable=True, default=None) if missing_somewhere else f)
    names = {schema.name for _, schema in parts}
    return Schema(fields, names.pop() if len(names) == 1 else None)


def merge_types(a: pa.DataType, b: pa.DataType) -> pa.DataType | None:
    """A type that holds the values of both, or None."""
    if a == b:
        return a
    if pa.types.is_null(a):
        return b
    if pa.types.is_null(b):
        return a
    shape = kind(a)
    if shape == kind(b) == STRUCT:
        return _merge_structs(a, b)
    if shape == kind(b) == LIST:
        item = merge_types(a.value_type, b.value_type)
        return None if item is None else pa.list_(item)
    if shape == kind(b) == MAP:
        key, value = merge_types(a.key_type, b.key_type), merge_types(a.item_type, b.item_type)
        return None if key is None or value is None else pa.map_(key, value)
    ca, cb = category(a), category(b)
    if representable(a, b) is None:
        return a
    if representable(b, a) is None:
        return b
    if {ca, cb} <= {"string", *_TEXTUAL}:
        return pa.string()
    return None


def _merge_structs(a: pa.DataType, b: pa.DataType) -> pa.DataType | None:
    fields: dict[str, pa.Field] = {f.name.lower(): f for f in a}
    for f in b:
        key = f.name.lower()
        if key not in fields:
            fields[key] = f.with_nullable(True)
            continue
        dtype = merge_types(fields[key].type, f.type)
        if dtype is None:
            return None
        fields[key] = fields[key].with_type(dtype).with_nullable(fields[key].nullable or f.nullable)
    return pa.struct(list(fields.values()))


def merge_stats(parts: Sequence[tuple[int, dict[str, ColumnStats]]]) -> dict[str, ColumnStats]:
    """Statistics of several samples (rows, stats): null fractions weighted, extremes kept."""
    if len(parts) == 1:
        return dict(parts[0][1])
    names = list(dict.fromkeys(name for _, stats in parts for name in stats))
    out = {}
    for name in names:
        present = [(rows, stats[name]) for rows, stats in parts if name in stats]
        rows = sum(r for r, _ in present)
        fractions = [(r, s.null_fraction) for r, s in present if s.null_fraction is not None]
        null_fraction = (
            round(sum(r * f for r, f in fractions) / rows, 6) if rows and fractions else None
        )
        lows = [s.min for _, s in present if s.min is not None]
        highs = [s.max for _, s in present if s.max is not None]
        out[name] = ColumnStats(
            null_fraction=null_fraction,
            distinct_count=None,
            min=_extreme(min, lows),
            max=_extreme(max, highs),
            example=next((s.example for _, s in present if s.example is not None), None),
            conflicts=tuple(dict.fromkeys(c for _, s in present for c in s.conflicts)),
        )
    return out


def _extreme(pick: Callable[[list[Any]], Any], values: list[Any]) -> Any:
    try:
        return pick(values) if values else None
    except TypeError:  # values of different kinds from different files
        return None
