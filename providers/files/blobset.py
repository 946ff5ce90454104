"""Discovering a set of blobs (a file, a glob, a folder, an S3 prefix) as one source.

Files whose records are sampled (JSON, CSV, text) are read in name order until
the sample is full; files that declare their schema (Parquet, Arrow, Avro) are
read up to ``max_files`` of them.  The schemas are merged by column name and
hive ``key=value`` folders become columns.

In a set of several files, the format a file's extension names decides which are
data: files named as records (``.parquet``, ``.csv``, ``.json`` ...) go before
text files (``.txt``, ``.log``), which go before files with no known extension;
only the first kind present is read, whatever ``format`` says.  So a README.md
or a ``notes.txt`` beside the data is skipped (and listed), not sniffed as CSV,
while a folder of Hadoop-style ``part-00000`` files is still read by content.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from catalog.discovery import Discovery, Options, sample_basis
from catalog.errors import SourceNotFound
from catalog.infer import Inference
from catalog.progress import report
from providers.files.blobs import READ_LIMIT, Blob
from providers.files.formats import SNIFF_LIMIT, detect_format, extension_format, read_blob
from providers.files.merge import hive_partitions, merge_schemas, merge_stats, partition_fields
from providers.files.tables import table_basis
from providers.readers.csv_reader import csv_settings

SAMPLED_FORMATS = ("json", "csv", "tsv", "text")
BLOB_OPTIONS = ("max_files", "delimiter", "nullstr", "max_line_size")


def discover_blobs(blobs: Sequence[Blob], root: str, uri: str, options: Options) -> Discovery:
    if not blobs:
        raise SourceNotFound(
            f"no data files at {uri}",
            hint="check the path or pattern; hidden files and folders (._*) are skipped",
        )
    matched = len(blobs)
    blobs, skipped = data_files(blobs)
    inferences = _read(blobs, options)
    formats = sorted({fmt for _, fmt, _ in inferences})
    schema = merge_schemas([(blob.name, inf.schema) for blob, _, inf in inferences])
    partitions = [hive_partitions(blob.name, root) for blob, _, _ in inferences]
    extra = partition_fields(partitions, schema)
    details: dict[str, Any] = {
        "files_matched": matched,
        "files_read": [blob.name for blob, _, _ in inferences],
    }
    if skipped:
        details["files_skipped"] = [blob.name for blob in skipped]
    if len(inferences) == 1:
        details.update(inferences[0][2].details)
    else:
        notes = [note for _, _, inf in inferences for note in inf.details.get("notes", ())]
        if notes:
            details["notes"] = list(dict.fromkeys(notes))
    if extra:
        details["partitions"] = [f.name for f in extra]
    return Discovery(
        [*schema.fields, *extra],
        uri=uri,
        format=formats[0] if len(formats) == 1 else ",".join(formats),
        sampled=sum(inf.sampled for _, _, inf in inferences),
        malformed=sum(inf.malformed for _, _, inf in inferences),
        stats=merge_stats([(inf.sampled, dict(inf.stats)) for _, _, inf in inferences]),
        details=details,
        name=schema.name,
    )


def sample_blobs(blobs: Sequence[Blob], options: Options) -> pa.Table:
    """The sampled records of every file read, as one table (typed by each file's reader)."""
    tables = []
    for blob, fmt, inference in _read(data_files(blobs)[0], options):
        table = inference.table
        if table is None:
            table = _declared_sample(blob, fmt, options.sample_size)
        tables.append(table)
    return pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})


def data_files(blobs: Sequence[Blob]) -> tuple[list[Blob], list[Blob]]:
    """The files of the set to read, and those skipped as not data (module docstring)."""
    if len(blobs) < 2:
        return list(blobs), []

    def rank(blob: Blob) -> int:
        fmt = extension_format(blob.name)
        return 2 if fmt is None else 1 if fmt == "text" else 0

    best = min(rank(blob) for blob in blobs)
    return [b for b in blobs if rank(b) == best], [b for b in blobs if rank(b) != best]


def _read(blobs: Sequence[Blob], options: Options) -> list[tuple[Blob, str, Inference]]:
    budget = options.sample_size
    max_files = options.integer("max_files", 100)
    csv = csv_settings(
        options.text("delimiter"),
        options.text("nullstr"),
        options.integer("max_line_size", 0) or None,
    )
    out: list[tuple[Blob, str, Inference]] = []
    chosen = blobs[:max_files]
    for i, blob in enumerate(chosen):
        if len(chosen) > 1:
            report(f"reading {blob.name}", i + 1, len(chosen))
        fmt = detect_format(blob, options.format)
        sampled = fmt in SAMPLED_FORMATS
        if sampled and budget <= 0:
            continue
        size = budget if sampled else options.sample_size
        told_by_content = options.format == "auto" and extension_format(blob.name) is None
        limit = SNIFF_LIMIT if told_by_content else READ_LIMIT
        inference = read_blob(blob, fmt, size, csv, limit)
        out.append((blob, fmt, inference))
        if sampled:
            budget -= inference.sampled + inference.malformed
    return out


def _declared_sample(blob: Blob, fmt: str, rows: int) -> pa.Table:
    """The first ``rows`` records of a Parquet, Arrow or Avro file."""
    from providers.files.blobs import BlobFile

    source = BlobFile(blob)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        batches = pq.ParquetFile(pa.PythonFile(source, mode="r")).iter_batches(batch_size=rows)
        return pa.Table.from_batches([next(batches)])
    if fmt == "arrow":
        try:
            reader: Any = pa.ipc.open_file(pa.PythonFile(source, mode="r"))
            table = reader.read_all()
        except pa.ArrowInvalid:
            table = pa.ipc.open_stream(pa.PythonFile(BlobFile(blob), mode="r")).read_all()
        return table.slice(0, rows)
    import fastavro

    records = []
    for record in fastavro.reader(io.BufferedReader(source)):
        records.append(record)
        if len(records) >= rows:
            break
    return pa.Table.from_pylist(records)


def files_basis(facts: Mapping[str, Any]) -> list[str]:
    """What a discovery of files, or of a table over them, rests on (``Provider.basis``)."""
    details = facts.get("details") or {}
    parts = [sample_basis(facts)]
    if len(details.get("files_read") or ()) > 1:
        parts[0] += f" ({len(details['files_read'])} files)"
    if details.get("files_skipped"):
        parts.append(f"skipped as not data: {', '.join(details['files_skipped'])}")
    table = table_basis(details)
    return [*parts, table] if table else parts
