"""Discovering a set of blobs (a file, a glob, a folder, an S3 prefix) as one source.

Which files of the set are read is ``providers.files.groups``'s to say: the data
files, of one format.  Files whose records are sampled (JSON, CSV, text) are read in
name order until the sample is full; files that declare their schema (Parquet, Arrow,
Avro) are read up to ``max_files`` of them.  The schemas are merged by column name
(``providers.files.merge``) and hive ``key=value`` folders become columns
(``providers.files.hive``).
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
from providers.files.groups import Chosen, choose, one_format
from providers.files.hive import partition_fields
from providers.files.merge import merge_schemas, merge_stats
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
    chosen = choose(blobs, options.format, root, uri)
    inferences = _read(chosen.read, root, uri, options)
    schema = merge_schemas([(blob.name, inf.schema) for blob, _, inf in inferences])
    extra = partition_fields((blob.name for blob in chosen.read), root, schema)
    details = _details(len(blobs), chosen, inferences)
    if extra:
        details["partitions"] = [f.name for f in extra]
    return Discovery(
        [*schema.fields, *extra],
        uri=uri,
        format=inferences[0][1],  # one format: see providers.files.groups
        sampled=sum(inf.sampled for _, _, inf in inferences),
        malformed=sum(inf.malformed for _, _, inf in inferences),
        stats=merge_stats([(inf.sampled, dict(inf.stats)) for _, _, inf in inferences]),
        details=details,
        name=schema.name,
    )


def _details(
    matched: int, chosen: Chosen, inferences: Sequence[tuple[Blob, str, Inference]]
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "files_matched": matched,
        "files_read": [blob.name for blob, _, _ in inferences],
    }
    if chosen.skipped:
        details["files_skipped"] = [blob.name for blob in chosen.skipped]
    if chosen.other_formats:
        details["files_other_formats"] = [blob.name for blob in chosen.other_formats]
    if len(inferences) == 1:
        details.update(inferences[0][2].details)
    found = [note for _, _, inf in inferences for note in inf.details.get("notes", ())]
    notes = list(dict.fromkeys([*chosen.notes, *found]))
    if notes:
        details["notes"] = notes
    return details


def sample_blobs(blobs: Sequence[Blob], root: str, uri: str, options: Options) -> pa.Table:
    """The sampled records of every file read, as one table (typed by each file's reader)."""
    tables = []
    for blob, fmt, inference in _read(
        choose(blobs, options.format, root, uri).read, root, uri, options
    ):
        table = inference.table
        if table is None:
            table = _declared_sample(blob, fmt, options.sample_size)
        tables.append(table)
    return pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})


def _read(
    blobs: Sequence[Blob], root: str, uri: str, options: Options
) -> list[tuple[Blob, str, Inference]]:
    budget = options.sample_size
    csv = csv_settings(
        options.text("delimiter"),
        options.text("nullstr"),
        options.integer("max_line_size", 0) or None,
    )
    chosen = [
        (blob, detect_format(blob, options.format))
        for blob in blobs[: options.integer("max_files", 100)]
    ]
    if options.format == "auto":  # files told by their content, of one format too
        one_format(chosen, root, uri, by_content=True)
    out: list[tuple[Blob, str, Inference]] = []
    for i, (blob, fmt) in enumerate(chosen):
        if len(chosen) > 1:
            report(f"reading {blob.name}", i + 1, len(chosen))
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
    if details.get("files_other_formats"):
        parts.append(f"left out as other formats: {', '.join(details['files_other_formats'])}")
    table = table_basis(details)
    return [*parts, table] if table else parts
