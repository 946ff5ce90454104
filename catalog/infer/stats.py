"""Per-column statistics of a sample: null fraction, distinct count, min, max, one example.

Computed with pyarrow.compute over the typed sample.  The distinct count is
exact over the sample, so approximate for the source.  Values are kept in a
JSON-safe form (ISO strings for dates and times, text for decimals and UUIDs)
because they are stored in the catalog with the version.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa


@dataclass(frozen=True)
class ColumnStats:
    null_fraction: float | None = None
    distinct_count: int | None = None
    min: Any = None
    max: Any = None
    example: Any = None
    conflicts: tuple[str, ...] = ()  # kinds that met here and made the column JSON

    def to_json(self) -> dict[str, Any]:
        out = {
            k: getattr(self, k)
            for k in ("null_fraction", "distinct_count", "min", "max", "example")
        }
        if self.conflicts:
            out["conflicts"] = list(self.conflicts)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ColumnStats:
        return cls(
            data.get("null_fraction"),
            data.get("distinct_count"),
            data.get("min"),
            data.get("max"),
            data.get("example"),
            tuple(data.get("conflicts", ())),
        )


def column_stats(column: pa.ChunkedArray | pa.Array) -> ColumnStats:
    import pyarrow.compute as pc  # not at import: a catalog that only reads stats needs none

    length = len(column)
    if length == 0:
        return ColumnStats()
    dtype = column.type
    non_null = length - column.null_count
    example = next((v for v in column if v.is_valid), None) if non_null else None
    distinct = min_value = max_value = None
    storage = column
    if isinstance(dtype, pa.BaseExtensionType):
        storage = (
            column.storage
            if isinstance(column, pa.ExtensionArray)
            else pa.chunked_array([c.storage for c in column.chunks], dtype.storage_type)
        )
    if _hashable(storage.type):
        distinct = pc.count_distinct(storage, mode="only_valid").as_py()
    if _orderable(dtype) and non_null:
        bounds = pc.min_max(column)
        min_value, max_value = python_value(bounds["min"]), python_value(bounds["max"])
    return ColumnStats(
        null_fraction=round(column.null_count / length, 6),
        distinct_count=distinct,
        min=jsonable(min_value),
        max=jsonable(max_value),
        example=jsonable(python_value(example)) if example is not None else None,
    )


def python_value(scalar: pa.Scalar) -> Any:
    """``scalar.as_py()``, but Arrow's text of a nanosecond timestamp, time or duration:
    Python's datetime stops at microseconds (and raises below them)."""
    if getattr(scalar.type, "unit", None) == "ns":
        return scalar.cast(pa.string()).as_py()
    return scalar.as_py()


def table_stats(table: pa.Table) -> dict[str, ColumnStats]:
    return {name: column_stats(table.column(name)) for name in table.column_names}


def _hashable(dtype: pa.DataType) -> bool:
    return not (
        pa.types.is_nested(dtype) or pa.types.is_null(dtype) or pa.types.is_dictionary(dtype)
    )


def _orderable(dtype: pa.DataType) -> bool:
    return bool(
        pa.types.is_integer(dtype)
        or pa.types.is_floating(dtype)
        or pa.types.is_decimal(dtype)
        or pa.types.is_string(dtype)
        or pa.types.is_large_string(dtype)
        or pa.types.is_date(dtype)
        or pa.types.is_time(dtype)
        or pa.types.is_timestamp(dtype)
        or pa.types.is_boolean(dtype)
    )


def jsonable(value: Any) -> Any:
    """A statistic's value as JSON can hold it."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID | timedelta):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return json.loads(json.dumps(value, default=str))
