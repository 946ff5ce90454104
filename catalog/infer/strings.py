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
_COMPILED = {kind: re.compile(pattern) for kind, pattern in PATTERNS.items()}
TYPES: dict[str, pa.DataType] = {
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "time": pa.time64("us"),
    "uuid": pa.uuid(),
}


def classify(strings: pa.Array) -> pa.DataType:
    """The most specific type every non-null string in ``strings`` is a valid value of."""
    values = strings.drop_null()
    if len(values) == 0:
        return pa.string()
    first = values[0].as_py()
    candidates = [kind for kind, regex in _COMPILED.items() if regex.match(first)]
    if "date" in candidates:
        candidates.append("timestamp")  # dates mixed with timestamps are timestamps
    for kind in candidates:
        if kind == "timestamp" and "date" in candidates:
            matched = pc.or_(
                pc.match_substring_regex(values, PATTERNS["date"]),
                pc.match_substring_regex(values, PATTERNS["timestamp"]),
            )
        else:
            matched = pc.match_substring_regex(values, PATTERNS[kind])
        if pc.all(matched).as_py() and (kind == "uuid" or _parses(values, kind)):
            return TYPES[kind]
    return pa.string()


def _parses(values: pa.Array, kind: str) -> bool:
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
        hex_digits = pc.replace_substring(strings.fill_null("0" * 32), "-", "")
        raw = bytes.fromhex("".join(hex_digits.to_pylist()))
        validity = strings.is_valid().buffers()[1] if strings.null_count else None
        storage = pa.Array.from_buffers(
            pa.binary(16), len(strings), [validity, pa.py_buffer(raw)], strings.null_count
        )
        return pa.ExtensionArray.from_storage(pa.uuid(), storage)
    return pc.cast(strings, target)
