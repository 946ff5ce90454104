"""Message payloads (Kafka values and keys) -> a format and a schema.

``auto`` tells the format from the payloads themselves, in this order: JSON
(objects, or any JSON value), CSV lines (a delimiter that splits nearly every
message into the same number of fields), UTF-8 text, and otherwise bytes.
Payloads that do not fit the format chosen are counted as malformed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from catalog.errors import BadOption, MalformedSource
from catalog.infer import Inference, discovered_schema, infer_records, infer_table
from catalog.infer.stats import table_stats

FORMATS = ("auto", "json", "csv", "text", "bytes")
_DELIMITERS = (",", ";", "\t", "|")
_MAJORITY = 0.5
_CONSISTENT = 0.9


def detect(payloads: Sequence[bytes], parsed: Sequence[Any] | None = None) -> str:
    """The format of the payloads; ``parsed`` are their JSON values, where already parsed."""
    if not payloads:
        return "bytes"
    texts = [_utf8(p) for p in payloads]
    decoded = [t for t in texts if t is not None]
    if len(decoded) <= len(payloads) * _MAJORITY:
        return "bytes"
    parsed = _parse_all(payloads) if parsed is None else parsed
    if sum(1 for p in parsed if p is not _INVALID) > len(payloads) * _MAJORITY:
        return "json"
    for delimiter in _DELIMITERS:
        counts = [t.count(delimiter) for t in decoded]
        common = max(set(counts), key=counts.count)
        if common > 0 and counts.count(common) >= len(decoded) * _CONSISTENT:
            return "csv"
    return "text"


def infer_payloads(
    payloads: Sequence[bytes], fmt: str, column: str, name: str
) -> tuple[Inference, str]:
    """The schema of the payloads and the format used; scalars go in ``column``."""
    if fmt not in FORMATS:
        raise BadOption(
            f"unknown format {fmt!r} for messages; the formats are {', '.join(FORMATS)}"
        )
    fast = _json_objects_fast(payloads) if fmt in ("auto", "json") else None
    if fast is not None:
        return fast, "json"
    parsed = _parse_all(payloads) if fmt in ("auto", "json") else None
    if fmt == "auto":
        fmt = detect(payloads, parsed)
    if fmt == "json":
        return _json(payloads, parsed or _parse_all(payloads), column, name), fmt
    if fmt == "csv":
        from providers.csv_reader import infer_csv

        lines = b"\n".join(p.replace(b"\n", b" ") for p in payloads) + b"\n"
        return infer_csv(lines, True, len(payloads), name, {}), fmt
    if fmt == "text":
        texts = [_utf8(p) for p in payloads]
        records = [{column: t} for t in texts if t is not None]
        if not records:
            raise MalformedSource(f"no message in {name} is UTF-8 text", hint="use format=bytes")
        return infer_records(records, malformed=len(payloads) - len(records)), fmt
    table = pa.table({column: pa.array(list(payloads), pa.binary())})
    schema = discovered_schema(table.schema)
    return Inference(schema, table_stats(table), len(payloads), 0, table), fmt


def _json_objects_fast(payloads: Sequence[bytes]) -> Inference | None:
    """One-line JSON objects through pyarrow's reader, as JSON files are; None if not that."""
    from providers.json_reader import read_raw

    if not payloads or any(b"\n" in p or not p.lstrip().startswith(b"{") for p in payloads):
        return None
    raw = read_raw(b"\n".join(payloads))
    return None if raw is None else infer_table(raw)


_INVALID = object()


def _parse_all(payloads: Sequence[bytes]) -> list[Any]:
    out = []
    for payload in payloads:
        try:
            out.append(json.loads(payload))
        except ValueError:  # UnicodeDecodeError is a ValueError too
            out.append(_INVALID)
    return out


def _json(payloads: Sequence[bytes], parsed: Sequence[Any], column: str, name: str) -> Inference:
    records = [p for p in parsed if p is not _INVALID]
    malformed = len(parsed) - len(records)
    if not records:
        first = next(iter(payloads), b"")
        raise MalformedSource(
            f"every message sampled from {name} is malformed JSON ({malformed} of {malformed}); "
            f"the first begins {first[:40]!r}",
            hint="give format=text, format=csv or format=bytes",
        )
    return infer_records(records, malformed=malformed, column=column)


def _utf8(payload: bytes) -> str | None:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return None
