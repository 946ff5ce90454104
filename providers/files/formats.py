"""The format readers the file and S3 providers share.

Each reads one blob: JSON and CSV from as many leading bytes as the sample
needs (at most ``READ_LIMIT``); Parquet from its footer alone (exact types,
nullability and column statistics, a few KB whatever the file's size); Arrow IPC
from its schema message; Avro from its header.  ``.gz`` and ``.zst`` are
decompressed as a stream.  The format comes from the extension, else from the
content: magic bytes, then the first characters; a file whose format was told
by its content is read no further than ``SNIFF_LIMIT`` (a 2 GB file without an
extension costs a few MB), and one holding NUL bytes is binary, not text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from catalog.errors import BadOption, MalformedSource
from catalog.infer import Inference, discovered_schema
from catalog.infer.stats import ColumnStats, jsonable, python_value
from catalog.schema import Schema
from providers.files.blobs import (
    COMPRESSIONS,
    READ_LIMIT,
    Blob,
    BlobFile,
    compression,
    counted_lines,
    name_suffix,
    read_head,
    read_lines,
)

FORMATS = ("auto", "json", "csv", "tsv", "parquet", "avro", "arrow", "text", "delta", "iceberg")
_EXTENSIONS = {
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".avro": "avro",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".arrows": "arrow",
    ".txt": "text",
    ".log": "text",
}
_MAGIC = {b"PAR1": "parquet", b"Obj\x01": "avro", b"ARROW1": "arrow"}
_COMPRESSED_MAGIC = {b"\x1f\x8b": ".gz", b"\x28\xb5\x2f\xfd": ".zst"}
SNIFF_LIMIT = 4 << 20  # bytes read of a file whose format was told by its content


def extension_format(name: str) -> str | None:
    """The format a file's extension names (``orders.json.gz`` -> json), if any."""
    end = name_suffix(name).lower()
    if end in COMPRESSIONS:
        end = name_suffix(name[: -len(end)]).lower()
    return _EXTENSIONS.get(end)


def detect_format(blob: Blob, requested: str) -> str:
    if requested not in FORMATS:
        raise BadOption(f"unknown format {requested!r}; the formats are {', '.join(FORMATS)}")
    if requested != "auto":
        return requested
    known = extension_format(blob.name)
    if known:
        return known
    head, _ = read_head(blob, 4096)
    for magic, fmt in _MAGIC.items():
        if head.startswith(magic):
            return fmt
    for magic, suffix in _COMPRESSED_MAGIC.items():
        if head.startswith(magic):
            raise MalformedSource(
                f"{blob.name} is compressed, but its name does not say so",
                hint=f"name it {Path(blob.name).name}{suffix} to have it decompressed",
            )
    if b"\x00" in head:
        raise MalformedSource(
            f"{blob.name} is binary data (it holds NUL bytes), in no format schemacat "
            "recognizes by its content",
            hint="schemacat reads Parquet, Avro, Arrow IPC, JSON, CSV and text; "
            "give format= if the file is one of them",
        )
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped[:1] in (b"{", b"["):
        return "json"
    return "csv" if b"," in head or b"\t" in head or b";" in head or b"|" in head else "text"


def read_blob(
    blob: Blob,
    fmt: str,
    sample_size: int,
    csv: Mapping[str, Any] | None = None,
    limit: int = READ_LIMIT,
) -> Inference:
    """Schema, statistics and sample of one blob in format ``fmt`` (``csv``: DuckDB's
    ``read_csv`` settings the user gave; ``limit``: bytes of records read at most)."""
    if fmt in ("parquet", "avro", "arrow") and compression(blob.name):
        raise MalformedSource(
            f"{blob.name}: compressed {fmt} files are not read; {fmt} compresses inside the file"
        )
    if fmt == "parquet":
        return _parquet(blob)
    if fmt == "arrow":
        return _arrow_ipc(blob)
    if fmt == "avro":
        return _avro(blob)
    if fmt == "json":
        return _json(blob, sample_size, limit)
    data, complete = read_lines(blob, sample_size, limit=limit)
    if not complete and b"\n" not in data:
        raise MalformedSource(
            f"the first line of {blob.name} is longer than the {len(data)} bytes read",
            hint=_read_more(fmt, limit),
        )
    if fmt in ("csv", "tsv"):
        from providers.readers.csv_reader import infer_csv

        given = {"delim": "\t", **(csv or {})} if fmt == "tsv" else dict(csv or {})
        return infer_csv(data, complete, sample_size, blob.name, given, suggest_nullstr=True)
    return _text(data, complete, sample_size, blob.name)


def _json(blob: Blob, sample_size: int, limit: int) -> Inference:
    from providers.readers.json_reader import MAX_DOCUMENT, ValueCutOff, infer_json

    data, complete, newlines = counted_lines(blob, sample_size, limit=limit)
    try:
        return infer_json(data, complete, sample_size, blob.name, newlines)
    except ValueCutOff as cut:  # one big (pretty) document: read it whole
        if limit < READ_LIMIT:
            raise ValueCutOff(cut.message, hint=_read_more("json", limit)) from None
        data, complete, newlines = counted_lines(
            blob, MAX_DOCUMENT, first=len(data), limit=MAX_DOCUMENT
        )
        return infer_json(data, complete, sample_size, blob.name, newlines)


def _read_more(fmt: str, limit: int) -> str:
    if limit < READ_LIMIT:
        return (
            f"a file named without a known extension is read up to {limit >> 20} MB to tell "
            f"its format; give format={fmt} to read more of it"
        )
    return f"check that the file holds {fmt} records, one a line"


def _parquet(blob: Blob) -> Inference:
    import pyarrow.parquet as pq

    try:
        # INT96, the legacy Spark/Hive/Impala timestamp, in microseconds as DuckDB reads it
        footer = pq.ParquetFile(
            pa.PythonFile(BlobFile(blob), mode="r"), coerce_int96_timestamp_unit="us"
        )
        meta, arrow = footer.metadata, footer.schema_arrow
    except (pa.ArrowException, OSError) as exc:
        raise MalformedSource(f"{blob.name} is not a readable Parquet file: {exc}") from None
    stats = _parquet_stats(meta, arrow)
    details = {"rows": meta.num_rows, "row_groups": meta.num_row_groups, "footer_only": True}
    return Inference(_declared(arrow), stats, meta.num_rows, 0, None, details)


def _parquet_stats(meta: Any, arrow: pa.Schema) -> dict[str, ColumnStats]:
    """Null fraction, min and max of top-level primitive columns, from row-group statistics."""
    paths = {meta.schema.column(i).path: i for i in range(meta.num_columns)}
    out = {}
    for field in arrow:
        index = paths.get(field.name)
        if index is None or meta.num_rows == 0:
            out[field.name] = ColumnStats()
            continue
        groups = [meta.row_group(g).column(index).statistics for g in range(meta.num_row_groups)]
        if any(s is None for s in groups):
            out[field.name] = ColumnStats()
            continue
        nulls = sum(s.null_count for s in groups if s.has_null_count)
        low, high = _bounds(groups, field.type)
        out[field.name] = ColumnStats(
            round(nulls / meta.num_rows, 6), None, jsonable(low), jsonable(high)
        )
    return out


def _bounds(groups: list[Any], dtype: pa.DataType) -> tuple[Any, Any]:
    """The least min and greatest max of the row groups' statistics; none when a group
    has none, or has one that cannot be read (a damaged footer's bytes that are no UTF-8
    text, say: the schema is still read, as a missing statistic leaves it)."""
    if not groups or not all(s.has_min_max for s in groups):
        return None, None
    try:
        lows = [_bound(s, "min", dtype) for s in groups]
        highs = [_bound(s, "max", dtype) for s in groups]
        return min(lows), max(highs)
    except (UnicodeDecodeError, ValueError, TypeError, OverflowError, pa.ArrowException):
        return None, None


def _bound(statistics: Any, which: str, dtype: pa.DataType) -> Any:
    """A row group's min or max (nanoseconds from the raw integer: Python cannot hold them)."""
    if getattr(dtype, "unit", None) == "ns":
        return python_value(pa.scalar(getattr(statistics, f"{which}_raw"), dtype))
    return getattr(statistics, which)


def _arrow_ipc(blob: Blob) -> Inference:
    """The schema of an Arrow IPC file (from its footer) or stream (from its first message)."""
    try:
        schema = pa.ipc.open_file(pa.PythonFile(BlobFile(blob), mode="r")).schema
    except pa.ArrowInvalid:
        try:
            schema = pa.ipc.open_stream(pa.PythonFile(BlobFile(blob), mode="r")).schema
        except pa.ArrowInvalid as exc:
            raise MalformedSource(
                f"{blob.name} is not an Arrow IPC file or stream: {exc}"
            ) from None
    return Inference(_declared(schema), {}, 0, 0, None, {"header_only": True})


def _avro(blob: Blob) -> Inference:
    import fastavro

    try:
        header = fastavro.reader(io.BufferedReader(BlobFile(blob)))
        writer_schema = header.writer_schema
    except (ValueError, EOFError, StopIteration, KeyError) as exc:
        raise MalformedSource(f"{blob.name} is not an Avro container file: {exc}") from None
    if not isinstance(writer_schema, dict):
        raise MalformedSource(f"{blob.name}: its Avro schema is not a record")
    schema = Schema.from_avro(writer_schema)
    return Inference(schema, {}, 0, 0, None, {"codec": header.codec, "header_only": True})


def _text(data: bytes, complete: bool, sample_size: int, name: str) -> Inference:
    from catalog.infer import infer_records

    lines = data.split(b"\n")
    if not complete and len(lines) > 1:
        lines.pop()
    records, malformed = [], 0
    for line in lines[:sample_size]:
        try:
            records.append({"line": line.rstrip(b"\r").decode("utf-8")})
        except UnicodeDecodeError:
            malformed += 1
    if lines and lines[-1] == b"" and records:
        records.pop()  # the newline that ends the last line starts no line
    if not records:
        raise MalformedSource(f"{name} holds no readable line of text")
    return infer_records(records, malformed=malformed)


def _declared(arrow: pa.Schema) -> Schema:
    """A schema the file declares: its nullability kept, nullable fields defaulting to NULL."""
    return discovered_schema(arrow, keep_nullability=True)
