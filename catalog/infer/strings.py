"""Strings that are really dates, timestamps, times or UUIDs.

A column of strings becomes DATE, TIMESTAMP, TIMESTAMP WITH TIME ZONE, TIME or
UUID when every non-null value has that ISO-8601 (or canonical UUID) form and
is a valid value of it; DATEs mixed with naive TIMESTAMPs make a TIMESTAMP, as
in DuckDB.  The checks are vectorised (pyarrow.compute with RE2 patterns), so
a column costs a few passes in C++, not a Python call per value.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

_DATE = r"\d{4}-\d{2}-\d{2}"
_CLOCK = r"\d{2}:\d{2}:\d{2}(\.\d{1,9})?"
_ZONE = r"(Z|[+-]\d{2}(:?\d{2})?)"
PATTERNS: dict[str, str] = {
    "date": rf"^{_DATE}$",
    "timestamp": rf"^{_DATE}[T ]{_CLOCK}$",
    "timestamptz": rf"^{_DATE}[T ]{_CLOCK}{_ZONE}$",
    "time": rf"^{_CLOCK}$",
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
}
_NIL_UUID = "00000000-0000-0000-0000-000000000000"  # a null's stand-in: 16 bytes like the rest
_COMPILED = {kind: re.compile(pattern) for kind, pattern in PATTERNS.items()}
TYPES: dict[str, pa.DataType] = {
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "time": pa.time64("us"),
    "uuid": pa.uuid(),
}


def classify(strings: pa.Array | pa.ChunkedArray) -> pa.DataType:
    """The most specific type every non-null string in ``strings`` is a valid value of
    (nulls pass every check: ``pc.all`` skips them, and they parse as null)."""
    first = _first_valid(strings)
    if first is None:
        return pa.string()
    candidates = [kind for kind, regex in _COMPILED.items() if regex.match(first)]
    if "date" in candidates:
        candidates.append("timestamp")  # dates mixed with timestamps are timestamps
    for kind in candidates:
        if kind == "timestamp" and "date" in candidates:
            matched = pc.or_(
                pc.match_substring_regex(strings, PATTERNS["date"]),
                pc.match_substring_regex(strings, PATTERNS["timestamp"]),
            )
        else:
            matched = pc.match_substring_regex(strings, PATTERNS[kind])
        if pc.all(matched).as_py() and (kind == "uuid" or _parses(strings, kind)):
            return TYPES[kind]
    return pa.string()


def _first_valid(strings: pa.Array | pa.ChunkedArray) -> str | None:
    """The first non-null string, without copying the others when it is the first."""
    if strings.null_count == len(strings):
        return None
    head = strings[0] if strings[0].is_valid else strings.drop_null()[0]
    return str(head.as_py())


def _parses(values: pa.Array | pa.ChunkedArray, kind: str) -> bool:
    """Whether the strings are valid values, not only of the right shape (no 2024-02-30)."""
    try:
        parse(values, TYPES[kind])
    except pa.ArrowInvalid:
        return False
    return True


def parse(strings: pa.Array, target: pa.DataType) -> pa.Array:
    """Strings of the form ``classify`` found, as values of ``target``."""
    if pa.types.is_time(target):
        day = pc.binary_join_element_wise("1970-01-01T", strings, "")
        return pc.cast(pc.cast(day, pa.timestamp("us")), target)
    if isinstance(target, pa.UuidType):
        raw = bytes.fromhex(_text(strings.fill_null(_NIL_UUID)).replace(b"-", b"").decode())
        validity = strings.is_valid().buffers()[1] if strings.null_count else None
        storage = pa.Array.from_buffers(
            pa.binary(16), len(strings), [validity, pa.py_buffer(raw)], strings.null_count
        )
        return pa.ExtensionArray.from_storage(pa.uuid(), storage)
    return pc.cast(strings, target)


def _text(strings: pa.Array) -> bytes:
    """The values of a ``pa.string()`` array end to end: the part of its data buffer its
    offsets span (a list of Python strings costs 5 ms for 100,000 UUIDs)."""
    if len(strings) == 0:
        return b""
    _, offset_buffer, data = strings.buffers()
    offsets = pa.Array.from_buffers(
        pa.int32(), len(strings) + 1, [None, offset_buffer], offset=strings.offset
    )
    text: bytes = data[offsets[0].as_py() : offsets[-1].as_py()].to_pybytes()
    return text
