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
comment.  The log is read, never written, and the data files are not opened.
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
from catalog.schema import Field
from providers.blobs import Blob, BlobFile

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
    """The table's schema, from its newest metaData action."""
    commits = sorted(
        ((int(m.group(1)), blob) for blob in log if (m := _COMMIT.search(blob.name))),
        key=lambda pair: pair[0],
        reverse=True,
    )
    checkpoints = sorted(
        ((int(m.group(1)), blob) for blob in log if (m := _CHECKPOINT.search(blob.name))),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if not commits and not checkpoints:
        raise MalformedSource(f"{uri} has a {LOG} folder but no commits in it")
    latest = max(v for v, _ in [*commits, *checkpoints])
    checkpoint = checkpoints[0][0] if checkpoints else -1
    metadata = None
    for version, blob in commits:
        if version <= checkpoint:
            break
        metadata = _metadata_in_commit(blob)
        if metadata is not None:
            break
    if metadata is None:
        metadata = _metadata_in_checkpoint([b for v, b in checkpoints if v == checkpoint])
    if metadata is None:
        raise MalformedSource(f"the Delta log of {uri} holds no metaData action")
    declared = pa.schema([_field(f) for f in json.loads(metadata["schemaString"])["fields"]])
    fields = discovered_schema(declared, keep_nullability=True).fields
    details = {
        "delta_version": latest,
        "partition_columns": list(metadata.get("partitionColumns") or ()),
        "schema_from": "the Delta transaction log",
    }
    return Discovery(fields, uri=uri, format="delta", sampled=0, details=details)


def _metadata_in_commit(blob: Blob) -> dict[str, Any] | None:
    text = blob.read_range(0, blob.size).decode("utf-8")
    for line in text.splitlines():
        if '"metaData"' in line:
            action = json.loads(line)
            if "metaData" in action:
                return dict(action["metaData"])
    return None


def _metadata_in_checkpoint(parts: Sequence[Blob]) -> dict[str, Any] | None:
    import pyarrow.parquet as pq

    for blob in parts:
        table = pq.read_table(pa.PythonFile(BlobFile(blob), mode="r"), columns=["metaData"])
        for row in table.column("metaData").to_pylist():
            if row is not None and row.get("schemaString"):
                return dict(row)
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
