"""Apache Iceberg tables: the schema from the table's current metadata file.

A folder or S3 prefix with ``metadata/*.metadata.json`` is an Iceberg table.
Its current metadata file is the one ``metadata/version-hint.text`` names
(``v<N>.metadata.json``, the Hadoop layout), else the one with the highest
sequence number (``<N>-<uuid>.metadata.json``, as catalogs write them; a
catalog may still point at an older one after a failed commit, and a URI may
name the metadata file itself, which is then the one read).  The schema is the
current one (``current-schema-id``), required fields NOT NULL, ``doc`` as the
comment; the partition fields are reported with their transforms, and the
rows and files of the current snapshot from its summary.

Iceberg's types map to Arrow's: int and long to int32 and int64, float, double,
decimal(p, s), date, time (microseconds), timestamp and timestamptz (and their
``_ns`` forms), string, uuid, binary, fixed[n], and struct, list and map with
their required flags.
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
from providers.files.blobs import Blob

METADATA = "metadata/"
METADATA_FILE = ".metadata.json"
HINT = "version-hint.text"
_SEQUENCE = re.compile(r"(?:^|/)v?(\d+)(?:-[^/]*)?\.metadata\.json$")
_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)$")
_FIXED = re.compile(r"fixed\[(\d+)\]$")
_PRIMITIVES: dict[str, pa.DataType] = {
    "boolean": pa.bool_(),
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "date": pa.date32(),
    "time": pa.time64("us"),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", "UTC"),
    "timestamp_ns": pa.timestamp("ns"),
    "timestamptz_ns": pa.timestamp("ns", "UTC"),
    "string": pa.string(),
    "uuid": pa.uuid(),
    "binary": pa.binary(),
}


def is_metadata(name: str) -> bool:
    return name.endswith(METADATA_FILE) or name.endswith("/" + HINT)


def iceberg_discovery(files: Sequence[Blob], uri: str) -> Discovery:
    """The table's current schema, from its current metadata file among ``files``."""
    current = _current(files)
    if current is None:
        raise MalformedSource(f"{uri} has a {METADATA} folder but no metadata file in it")
    try:
        metadata = json.loads(current.read_range(0, current.size))
    except ValueError as exc:
        raise MalformedSource(f"{current.name} is not JSON: {exc}") from None
    schema = _current_schema(metadata, current.name)
    declared = pa.schema([_field(f) for f in schema["fields"]])
    names = {f["id"]: f["name"] for f in schema["fields"]}
    details = {
        "iceberg_metadata": current.name,
        "partition_columns": _partitions(metadata, names),
        "schema_from": "the Iceberg metadata",
        **_totals(metadata),
    }
    fields = discovered_schema(declared, keep_nullability=True).fields
    return Discovery(fields, uri=uri, format="iceberg", sampled=0, details=details)


def _current(files: Sequence[Blob]) -> Blob | None:
    if len(files) == 1 and files[0].name.endswith(METADATA_FILE):  # named by the URI
        return files[0]
    hint = next((f for f in files if f.name.endswith("/" + HINT)), None)
    if hint is not None:
        version = hint.read_range(0, hint.size).decode().strip()
        named = next((f for f in files if f.name.endswith(f"/v{version}.metadata.json")), None)
        if named is not None:
            return named
    numbered = [(int(m.group(1)), f) for f in files if (m := _SEQUENCE.search(f.name))]
    return max(numbered, key=lambda pair: pair[0])[1] if numbered else None


def _current_schema(metadata: dict[str, Any], name: str) -> dict[str, Any]:
    if "schemas" in metadata:
        current = metadata.get("current-schema-id")
        for schema in metadata["schemas"]:
            if schema.get("schema-id") == current:
                return dict(schema)
    if "schema" in metadata:  # format version 1
        return dict(metadata["schema"])
    raise MalformedSource(f"{name} holds no current schema")


def _totals(metadata: dict[str, Any]) -> dict[str, int]:
    """Rows and data files of the current snapshot, from its summary (none before the
    first write)."""
    current = metadata.get("current-snapshot-id")
    snapshot = next(
        (s for s in metadata.get("snapshots") or () if s.get("snapshot-id") == current), None
    )
    summary = (snapshot or {}).get("summary") or {}
    if "total-records" not in summary:
        return {}
    return {"rows": int(summary["total-records"]), "files": int(summary["total-data-files"])}


def _partitions(metadata: dict[str, Any], names: dict[int, str]) -> list[str]:
    specs = {s.get("spec-id"): s for s in metadata.get("partition-specs") or ()}
    spec = specs.get(metadata.get("default-spec-id"), {"fields": metadata.get("partition-spec")})
    out = []
    for part in spec.get("fields") or ():
        column, transform = names.get(part.get("source-id"), "?"), part.get("transform")
        out.append(column if transform == "identity" else f"{transform}({column})")
    return out


def _field(spec: dict[str, Any]) -> pa.Field:
    dtype = _type(spec["type"])
    return Field(spec["name"], dtype, not spec.get("required"), comment=spec.get("doc")).to_arrow()


def _type(spec: Any) -> pa.DataType:
    if isinstance(spec, str):
        if spec in _PRIMITIVES:
            return _PRIMITIVES[spec]
        if decimal := _DECIMAL.match(spec):
            return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
        if fixed := _FIXED.match(spec):
            return pa.binary(int(fixed.group(1)))
        raise MalformedSource(f"an Iceberg column has a type schemacat does not know: {spec}")
    kind = spec.get("type")
    if kind == "struct":
        return pa.struct([_field(f) for f in spec["fields"]])
    if kind == "list":
        return pa.list_(pa.field("element", _type(spec["element"]), not spec["element-required"]))
    if kind == "map":
        value = pa.field("value", _type(spec["value"]), not spec["value-required"])
        return pa.map_(_type(spec["key"]), value)
    raise MalformedSource(f"an Iceberg column has a type schemacat does not know: {spec}")
