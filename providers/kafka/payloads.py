"""Message payloads (Kafka values and keys) -> a format and a schema.

``auto`` tells the format from the payloads themselves, in this order: JSON
(objects, or any JSON value), CSV lines (a delimiter that splits nearly every
message into the same number of fields), UTF-8 text, and otherwise bytes.
Payloads that do not fit the format chosen are counted as malformed.

Payloads that all carry Confluent Schema Registry's framing (a zero byte and a
4-byte schema id before the serialized record) are ``json_sr`` (ksqlDB's name)
when what follows the frame is JSON: inferred like JSON, with the schema ids
kept.  Framed Avro or Protobuf cannot be decoded without the registry's schema,
which schemacat does not fetch; that is an error saying so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pyarrow as pa

from catalog.errors import BadOption, MalformedSource
from catalog.infer import Inference, discovered_schema, infer_records, infer_table
from catalog.infer.stats import table_stats

FORMATS = ("auto", "json", "json_sr", "csv", "text", "bytes")
FRAME = 5  # Confluent's wire format: magic byte 0, then a big-endian 4-byte schema id
MAX_SCHEMA_IDS = 16  # versions of one subject seen in one sample, at the most
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
    if fmt in ("auto", "json_sr") and is_framed(payloads):
        return _json_sr(payloads, column, name), "json_sr"
    if fmt == "json_sr":
        raise MalformedSource(
            f"the {column}s in {name} do not carry Schema Registry framing "
            "(a zero byte and a 4-byte schema id)",
            hint="give format=json, or format=auto",
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
        from providers.readers.csv_reader import infer_csv

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
    from providers.readers.json_reader import read_raw

    if not payloads or any(b"\n" in p or not p.lstrip().startswith(b"{") for p in payloads):
        return None
    raw = read_raw(b"\n".join(payloads))
    return None if raw is None else infer_table(raw)


def is_framed(payloads: Sequence[bytes]) -> bool:
    """Whether every payload starts with Confluent Schema Registry's frame: a zero byte
    and one of a few schema ids.  (Raw Avro may start with a zero byte too, but the four
    bytes after it are data, so they take many values rather than a few.)"""
    if not payloads or any(len(p) < FRAME or p[0] != 0 for p in payloads):
        return False
    return len(_schema_ids(payloads)) <= min(MAX_SCHEMA_IDS, max(1, len(payloads) // 2))


def _schema_ids(payloads: Sequence[bytes]) -> list[int]:
    return sorted({int.from_bytes(p[1:FRAME], "big") for p in payloads})


def unframe(payload: bytes) -> bytes:
    return payload[FRAME:]


def _json_sr(payloads: Sequence[bytes], column: str, name: str) -> Inference:
    ids = _schema_ids(payloads)
    bodies = [unframe(p) for p in payloads]
    parsed = _parse_all(bodies)
    if sum(1 for p in parsed if p is not _INVALID) <= len(parsed) * _MAJORITY:
        raise MalformedSource(
            f"the {column}s in {name} are in Confluent Schema Registry's wire format "
            f"(schema ids {', '.join(map(str, ids[:10]))}) but are not JSON: Avro or "
            "Protobuf, which cannot be decoded without the registry's schema",
            hint="schemacat does not read schema registries: declare the columns "
            "(CREATE STREAM name (...) WITH (datasource = ..., validate = false)), "
            f"or give {'key_format' if column == 'key' else 'format'}=bytes",
        )
    found = _json(bodies, parsed, column, name)
    return replace(found, details={**found.details, "schema_ids": ids})


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
