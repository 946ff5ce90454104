"""Delta Lake tables: the schema from the transaction log, not from the data files.

A folder or S3 prefix with a ``_delta_log/`` is a Delta table.  Its schema is the
one in the newest ``metaData`` action: in the newest commit (``NNN.json``) that
has one, else in the newest checkpoint (``NNN.checkpoint[.k.n].parquet``) at or
before that.  Data files the table has removed, which stay in the folder until
a VACUUM, do not count, nor do files of other kinds beside the table.

Spark's types, as the log writes them, map to Arrow's: byte, short, integer and
long to int8..int64; float and double; decimal(p,s); string; binary; boolean;
date; timestamp (UTC) and timestamp_ntz (no zone), both in microseconds; array,
map and struct, with their nullability; a field's ``comment`` metadata is its
comment.  The statistics (rows; each column's null fraction, min and max) come
from the ``add`` actions of the files the table holds, found by replaying the
log from its newest checkpoint.  The log is read, never written, and the data
files are not opened.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from catalog.discovery import Discovery
from catalog.errors import MalformedSource
from catalog.infer import discovered_schema
from catalog.infer.stats import ColumnStats
from catalog.schema import Field
from providers.files.blobs import Blob, BlobFile

LOG = "_delta_log/"
_COMMIT = re.compile(r"(\d{20})\.json$")
_CHECKPOINT = re.compile(r"(\d{20})\.checkpoint(?:\.\d+\.\d+)?\.parquet$")
_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)$")
_PRIMITIVES: dict[str, pa.DataType] = {
    "byte": pa.int8(),
    "short": pa.int16(),
    "integer": pa.int32(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "string": pa.string(),
    "binary": pa.binary(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", "UTC"),
    "timestamp_ntz": pa.timestamp("us"),
    "void": pa.null(),
}


def delta_discovery(log: Sequence[Blob], uri: str) -> Discovery:
    """The table's schema, from its newest metaData action, and column statistics from
    the ``add`` actions of the files it holds (the log, replayed from its checkpoint)."""
    commits = sorted((int(m.group(1)), b) for b in log if (m := _COMMIT.search(b.name)))
    parts = sorted((int(m.group(1)), b) for b in log if (m := _CHECKPOINT.search(b.name)))
    if not commits and not parts:
        raise MalformedSource(f"{uri} has a {LOG} folder but no commits in it")
    checkpoint = parts[-1][0] if parts else -1
    state = _State()
    if parts:
        state.read_checkpoint([b for v, b in parts if v == checkpoint])
    for _, blob in (c for c in commits if c[0] > checkpoint):
        state.read_commit(blob)
    if state.metadata is None:
        raise MalformedSource(f"the Delta log of {uri} holds no metaData action")
    declared = pa.schema([_field(f) for f in json.loads(state.metadata["schemaString"])["fields"]])
    fields = discovered_schema(declared, keep_nullability=True).fields
    rows, stats = state.statistics([f.name for f in fields])
    details = {
        "delta_version": max(v for v, _ in [*commits, *parts]),
        "partition_columns": list(state.metadata.get("partitionColumns") or ()),
        "schema_from": "the Delta transaction log",
        "files": len(state.files),
        "rows": rows,
    }
    return Discovery(fields, uri=uri, format="delta", sampled=0, stats=stats, details=details)


class _State:
    """The table as of the log read so far: its metadata and its files' statistics."""

    def __init__(self) -> None:
        self.metadata: dict[str, Any] | None = None
        self.files: dict[str, dict[str, Any] | None] = {}  # path -> parsed stats, if any

    def read_checkpoint(self, parts: Sequence[Blob]) -> None:
        import pyarrow.parquet as pq

        for blob in parts:
            try:
                source = pa.PythonFile(BlobFile(blob), mode="r")
                table = pq.read_table(source, columns=["metaData", "add"])
            except (pa.ArrowException, OSError) as exc:
                raise MalformedSource(f"{blob.name} is not a readable checkpoint: {exc}") from None
            for metadata in table.column("metaData").to_pylist():
                if metadata is not None and metadata.get("schemaString"):
                    self.metadata = dict(metadata)
            for add in table.column("add").to_pylist():
                if add is not None:
                    self.files[add["path"]] = _stats(add.get("stats"))

    def read_commit(self, blob: Blob) -> None:
        lines = blob.read_range(0, blob.size).decode("utf-8", "replace").splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                action = json.loads(line)
            except ValueError as exc:
                raise MalformedSource(f"{blob.name}:{number}: not a JSON action: {exc}") from None
            if "metaData" in action:
                self.metadata = dict(action["metaData"])
            elif "add" in action:
                self.files[action["add"]["path"]] = _stats(action["add"].get("stats"))
            elif "remove" in action:
                self.files.pop(action["remove"]["path"], None)

    def statistics(self, columns: Sequence[str]) -> tuple[int | None, dict[str, ColumnStats]]:
        """Rows, and each top-level column's null fraction, min and max, where every file
        of the table has statistics for it (writers may leave some out)."""
        if not self.files:
            return 0, {}
        known = [s for s in self.files.values() if s is not None]
        if len(known) != len(self.files):
            return None, {}
        rows = sum(int(s.get("numRecords", 0)) for s in known)
        out = {}
        for column in columns:
            nulls = [s.get("nullCount", {}).get(column) for s in known]
            lows = [s.get("minValues", {}).get(column) for s in known]
            highs = [s.get("maxValues", {}).get(column) for s in known]
            out[column] = ColumnStats(
                null_fraction=round(sum(nulls) / rows, 6)
                if rows and all(isinstance(n, int) for n in nulls)  # a struct's are nested
                else None,
                min=_bound(lows, min),
                max=_bound(highs, max),
            )
        return rows, out


def _stats(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


def _bound(values: list[Any], pick: Any) -> Any:
    """The min or max of the files' bounds, when every file has a plain one."""
    if not values or any(v is None or isinstance(v, dict | list) for v in values):
        return None
    try:
        return pick(values)
    except TypeError:  # bounds of different kinds: no one bound
        return None


def _field(spec: dict[str, Any]) -> pa.Field:
    comment = (spec.get("metadata") or {}).get("comment")
    nullable = bool(spec.get("nullable", True))
    return Field(spec["name"], _type(spec["type"]), nullable, comment=comment).to_arrow()


def _type(spec: Any) -> pa.DataType:
    if isinstance(spec, str):
        if spec in _PRIMITIVES:
            return _PRIMITIVES[spec]
        decimal = _DECIMAL.match(spec)
        if decimal:
            return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
        raise MalformedSource(f"a Delta column has a type schemacat does not know: {spec}")
    kind = spec.get("type")
    if kind == "array":
        item = pa.field("element", _type(spec["elementType"]), spec.get("containsNull", True))
        return pa.list_(item)
    if kind == "map":
        value = pa.field("value", _type(spec["valueType"]), spec.get("valueContainsNull", True))
        return pa.map_(_type(spec["keyType"]), value)
    if kind == "struct":
        return pa.struct([_field(f) for f in spec["fields"]])
    raise MalformedSource(f"a Delta column has a type schemacat does not know: {spec}")
