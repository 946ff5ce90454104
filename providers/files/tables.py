"""Table formats over folders of data files: Delta Lake and Apache Iceberg.

Such a table declares its schema in its own metadata, and that is the schema its
readers see; the data files beside it may include files the table no longer
holds.  So a folder or S3 prefix holding a Delta ``_delta_log/`` or Iceberg
``metadata/`` is read through that metadata (``providers.files.delta``,
``providers.files.iceberg``), unless ``format`` asks for its files (``format=parquet``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from catalog.discovery import Discovery
from catalog.errors import SourceNotFound
from providers.files.blobs import Blob
from providers.files.delta import LOG, delta_discovery
from providers.files.iceberg import METADATA, iceberg_discovery, is_metadata

T = TypeVar("T")
TABLE_FORMATS = ("delta", "iceberg")
FOLDERS = (LOG, METADATA)  # where the metadata lives, under the table's folder


def table_metadata(names: Iterable[str], root: str) -> tuple[str, list[str]] | None:
    """The table format of the folder ``root``, and its metadata files, among ``names``
    (the paths or keys found under it)."""
    prefix = root if not root or root.endswith("/") else root + "/"
    listed = sorted(names)
    delta = [n for n in listed if n.startswith(prefix + LOG)]
    if delta:
        return "delta", delta
    iceberg = [n for n in listed if n.startswith(prefix + METADATA) and is_metadata(n)]
    return ("iceberg", iceberg) if iceberg else None


def chosen(
    table: tuple[str, list[T]] | None, requested: str, uri: str
) -> tuple[str, list[T]] | None:
    """``table`` (its format and metadata files) if it is to be read as a table, given the
    ``format`` option; None to read the files."""
    found = table[0] if table else None
    if requested in TABLE_FORMATS and found != requested:
        raise SourceNotFound(
            f"{uri} is not a {requested} table",
            hint="point at the table's folder (it holds _delta_log/ or metadata/)",
        )
    return table if requested in ("auto", found) else None


def table_discovery(fmt: str, files: Sequence[Blob], uri: str) -> Discovery:
    return delta_discovery(files, uri) if fmt == "delta" else iceberg_discovery(files, uri)


def table_basis(details: Mapping[str, Any]) -> str | None:
    """A Delta or Iceberg table's version, size and partitioning, for DESCRIBE EXTENDED."""
    if details.get("delta_version") is not None:
        table = f"Delta table version {details['delta_version']}"
    elif details.get("iceberg_metadata"):
        table = f"Iceberg table, metadata {details['iceberg_metadata']}"
    else:
        return None
    if details.get("rows") is not None:
        rows, files = details["rows"], details["files"]
        table += f", {rows} row{'s' * (rows != 1)} in {files} file{'s' * (files != 1)}"
    if details.get("partition_columns"):
        table += f", partitioned by {', '.join(details['partition_columns'])}"
    return table
