"""Per-column statistics of a sample: null fraction, distinct count, min, max, one example.

Computed with pyarrow.compute over the typed sample.  The distinct count is
exact over the sample (at most ``sample_size`` rows), so approximate for the
source.  Values are kept in a JSON-safe form (ISO strings for dates and times,
text for decimals and UUIDs) because they are stored in the catalog with the
version; and they are kept short, since one value can be a 100 MB string or
array: a min, max or example longer than ``MAX_TEXT`` characters (a list or
an object: its JSON text) is cut there and ends in "…".  A huge value is cut
before it is converted to Python, so it costs what a short one does.
"""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

MAX_TEXT = 200  # characters of a statistic's value kept
CUT = "…"  # ends a value that was cut
_TEXTS = (pa.StringScalar, pa.LargeStringScalar, pa.BinaryScalar, pa.LargeBinaryScalar)


@dataclass(frozen=True)
class ColumnStats:
    null_fraction: float | None = None
    distinct_count: int | None = None
    min: Any = None
    max: Any = None
    example: Any = None
    conflicts: tuple[str, ...] = ()  # kinds that met here and made the column JSON

    def __post_init__(self) -> None:
        for key in ("min", "max", "example"):  # whichever provider made them
            object.__setattr__(self, key, capped(getattr(self, key)))

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
        min_value, max_value = _small(bounds["min"]), _small(bounds["max"])
    return ColumnStats(
        null_fraction=round(column.null_count / length, 6),
        distinct_count=distinct,
        min=jsonable(min_value),
        max=jsonable(max_value),
        example=jsonable(_small(example)) if example is not None else None,
    )


def capped(value: Any) -> Any:
    """A statistic's value of at most MAX_TEXT characters: a longer string, or a list or
    object whose JSON text is longer, becomes its first MAX_TEXT characters and "…"."""
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + CUT
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return value if len(text) <= MAX_TEXT else text[:MAX_TEXT] + CUT
    return value


def _small(scalar: pa.Scalar) -> Any:
    """``python_value(scalar)``, converting no more than ``capped`` keeps: MAX_TEXT
    characters of a string or bytes of a binary, and MAX_TEXT values in all of its lists,
    maps and structs (each value is at least one character of JSON)."""
    import pyarrow.compute as pc

    room = MAX_TEXT + 1

    def first(values: Iterable[Any]) -> Iterable[Any]:
        return itertools.takewhile(lambda _: room > 0, values)

    def convert(value: pa.Scalar) -> Any:
        nonlocal room
        room -= 1
        if not value.is_valid:
            return None
        if isinstance(value, pa.JsonScalar):
            value = value.value
        if isinstance(value, pa.MapScalar):
            return [(convert(e["key"]), convert(e["value"])) for e in first(value.values)]
        if isinstance(value, pa.ListScalar):
            return [convert(item) for item in first(value.values)]
        if isinstance(value, pa.StructScalar):
            return {name: convert(value[i]) for i, name in first(enumerate(value.keys()))}
        if isinstance(value, _TEXTS) and value.as_buffer().size > MAX_TEXT:
            if isinstance(value, pa.StringScalar | pa.LargeStringScalar):
                return pc.utf8_slice_codeunits(value, 0, MAX_TEXT + 1).as_py()
            return pc.binary_slice(value, 0, MAX_TEXT + 1).as_py()
        return python_value(value)

    return convert(scalar)


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
