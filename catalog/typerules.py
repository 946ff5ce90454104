"""Which primitive Arrow type can stand for which: the promotion rules of ``compat``.

``representable(reader, writer)`` answers whether a reader of one type can hold
every value a writer of another type produces (``None``), or why not (an issue
kind and a reason).  Nested types (structs, lists, maps, unions, enums) are
walked by ``compat``; this module only sees their leaves.
"""

from __future__ import annotations

import pyarrow as pa

from catalog.types import EnumType, TimeTzType, sql_type_name
from catalog.visit import LEAF, kind

_UNIT_RANK = {"s": 0, "ms": 1, "us": 2, "ns": 3}
_INT_DIGITS = {8: 3, 16: 5, 32: 10, 64: 19}
_NUMERIC = ("int", "float", "decimal")
_TEXTUAL = ("uuid", "json", "enum")


def category(dtype: pa.DataType) -> str:
    """A coarse kind of type: int, float, decimal, string, ..., and the nested kinds of
    ``visit.kind`` (struct, list, map, union)."""
    if isinstance(dtype, pa.BaseExtensionType):
        if isinstance(dtype, EnumType):
            return "enum"
        if isinstance(dtype, pa.UuidType):
            return "uuid"
        if isinstance(dtype, pa.JsonType):
            return "json"
        if isinstance(dtype, TimeTzType):
            return "timetz"
        return category(dtype.storage_type)
    shape = kind(dtype)
    if shape != LEAF:
        return shape
    name = _CATEGORY_BY_ID.get(dtype.id)
    return name if name is not None else str(dtype)


_CATEGORY_BY_ID = {
    sample.id: name
    for name, samples in {
        "null": [pa.null()],
        "bool": [pa.bool_()],
        "int": [pa.int8(), pa.int16(), pa.int32(), pa.int64(),
                pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64()],
        "float": [pa.float16(), pa.float32(), pa.float64()],
        "decimal": [pa.decimal32(1), pa.decimal64(1), pa.decimal128(1), pa.decimal256(1)],
        "string": [pa.string(), pa.large_string(), pa.string_view()],
        "binary": [pa.binary(), pa.large_binary(), pa.binary_view()],
        "fixed": [pa.binary(1)],
        "date": [pa.date32(), pa.date64()],
        "time": [pa.time32("s"), pa.time64("us")],
        "timestamp": [pa.timestamp("us")],
        "duration": [pa.duration("us")],
        "interval": [pa.month_day_nano_interval()],
    }.items()
    for sample in samples
}  # fmt: skip


def describe(dtype: pa.DataType) -> str:
    return sql_type_name(dtype)


def representable(
    reader: pa.DataType, writer: pa.DataType, *, avro_binary: bool = False
) -> tuple[str, str] | None:
    """None if ``reader`` holds every ``writer`` value; else (issue kind, reason)."""
    rc, wc = category(reader), category(writer)
    if avro_binary and rc == "json":
        rc = "string"
    if rc == wc:
        return _same_category(rc, reader, writer, avro_binary)
    if rc in _NUMERIC and wc in _NUMERIC:
        return _numeric(rc, wc, reader, writer, avro_binary)
    if {rc, wc} == {"string", "binary"}:
        return None  # Avro: string <-> bytes
    if rc == "string" and wc in _TEXTUAL and not (avro_binary and wc == "enum"):
        return None
    if rc == "binary" and wc == "fixed" and not avro_binary:
        return None
    if rc == "json":
        return None  # any value has a JSON form
    if rc == "interval" and wc == "duration":
        return None
    if (rc in _TEXTUAL and wc == "string") or (rc == "fixed" and wc == "binary"):
        return "TYPE_NARROWED", f"not every {describe(writer)} value is a valid {describe(reader)}"
    return "TYPE_CHANGED", "the two types are incompatible"


def _same_category(
    kind: str, reader: pa.DataType, writer: pa.DataType, avro_binary: bool
) -> tuple[str, str] | None:
    if kind in ("int", "float", "decimal"):
        return _numeric(kind, kind, reader, writer, avro_binary)
    if kind == "fixed" and reader.byte_width != writer.byte_width:
        return (
            "FIXED_SIZE_MISMATCH",
            f"the sizes differ ({reader.byte_width} and {writer.byte_width} bytes)",
        )
    if kind == "timestamp" and (reader.tz is None) != (writer.tz is None):
        return "TYPE_CHANGED", "a time zone cannot be added to or removed from a timestamp"
    if kind in ("time", "timestamp", "duration"):
        r, w = _UNIT_RANK[reader.unit], _UNIT_RANK[writer.unit]
        if r < w or (avro_binary and r != w):
            return "TYPE_NARROWED", f"a {reader.unit} unit cannot hold {writer.unit} precision"
    return None


def _numeric(
    rc: str, wc: str, reader: pa.DataType, writer: pa.DataType, avro_binary: bool
) -> tuple[str, str] | None:
    if rc == "int" and wc == "int":
        if _int_holds(reader, writer):
            return None
    elif rc == "float" and wc in ("int", "float"):
        # Avro promotes int and long to float and double, accepting the rounding.
        if wc == "int" or reader.bit_width >= writer.bit_width:
            return None
    elif rc == "decimal" and wc == "decimal":
        if reader.scale != writer.scale:
            return "DECIMAL_MISMATCH", "a decimal's scale cannot change"
        if reader.precision >= writer.precision:
            return None
        return "DECIMAL_MISMATCH", f"{describe(reader)} cannot hold every {describe(writer)} value"
    elif rc == "decimal" and wc == "int" and not avro_binary:
        digits = reader.precision - reader.scale
        if digits >= _INT_DIGITS[writer.bit_width]:
            return None
    return "TYPE_NARROWED", f"{describe(reader)} cannot hold every {describe(writer)} value"


def _int_holds(reader: pa.DataType, writer: pa.DataType) -> bool:
    r_signed, w_signed = pa.types.is_signed_integer(reader), pa.types.is_signed_integer(writer)
    if r_signed == w_signed:
        return bool(reader.bit_width >= writer.bit_width)
    return bool(r_signed and reader.bit_width > writer.bit_width)
