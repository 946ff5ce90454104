"""SHOW and DESCRIBE: results with exactly the contract's columns."""

from __future__ import annotations

import json
import os
from typing import Any

from catalog.compat import check_compatibility
from catalog.core import Catalog
from catalog.discovery import notes, with_notes
from catalog.errors import SqlError, VersionNotFound
from catalog.infer.stats import ColumnStats
from catalog.result import Result
from catalog.schema import Schema
from catalog.sql import nodes as n
from catalog.sql.columns import at, column_ddl, default_text, literal, option_text, stream_of, value
from catalog.store import SchemaVersion
from catalog.types import quote_identifier
from catalog.uri import redact

STREAMS = ("name", "datasource", "format", "version", "columns", "compatibility", "updated_at")
SCHEMAS = ("name", "version", "versions", "columns", "fingerprint", "compatibility")
DESCRIBE = ("column", "type", "nullable", "default", "comment")
EXTENDED = (*DESCRIBE, "null_fraction", "distinct_count", "min", "max", "example")
VERSIONS = ("version", "fingerprint", "columns", "origin", "change", "created_at")
COMPATIBILITY = ("version", "compared_with", "mode", "compatible", "issues")
TOPICS = ("topic", "partitions", "messages")


async def show_streams(catalog: Catalog, node: n.ShowStreams) -> list[Result]:
    rows = [
        (s.name, s.datasource, s.format, s.latest_version, len(v.schema), s.compatibility,
         s.updated_at)
        for s, v in await catalog.latest_versions()
    ]  # fmt: skip
    return [Result("SHOW STREAMS", STREAMS, rows)]


async def show_schemas(catalog: Catalog, node: n.ShowSchemas) -> list[Result]:
    rows = [
        (s.name, v.version, s.latest_version, len(v.schema), v.fingerprint, s.compatibility)
        for s, v in await catalog.latest_versions()
    ]
    return [Result("SHOW SCHEMAS", SCHEMAS, rows)]


async def show_topics(catalog: Catalog, node: n.ShowTopics) -> list[Result]:
    from catalog.discover import list_objects

    source = option_text(node.this) if node.this is not None else None
    if source is None:
        bootstrap = os.environ.get("SCHEMACAT_KAFKA_BOOTSTRAP")
        if not bootstrap:
            raise SqlError(
                "SHOW TOPICS needs a broker",
                hint="SHOW TOPICS FROM 'kafka://host:9092', or set SCHEMACAT_KAFKA_BOOTSTRAP",
                code="NO_BROKER",
            )
        source = f"kafka://{bootstrap}"
    topics = await list_objects(source) or []
    return [
        Result("SHOW TOPICS", TOPICS, [(t["name"], t["partitions"], t["messages"]) for t in topics])
    ]


async def show_create(catalog: Catalog, node: n.ShowCreateStream) -> list[Result]:
    stream = await stream_of(catalog, node)
    schema = await catalog.get_schema(stream.name)
    options = {}
    if stream.datasource:
        options["datasource"] = stream.datasource
    if stream.format:
        options["format"] = stream.format
    options["compatibility"] = stream.compatibility
    options.update(stream.options)
    if stream.datasource:
        options["validate"] = "false"  # recreate this schema, not what the source holds today
    columns = ",\n  ".join(column_ddl(f) for f in schema)
    with_list = ", ".join(
        f"{k} = {v if k == 'validate' else literal(v)}" for k, v in options.items()
    )
    statement = (
        f"CREATE STREAM {quote_identifier(stream.name)} (\n  {columns}\n) WITH ({with_list});"
    )
    return [Result("SHOW CREATE STREAM", ("statement",), [(statement,)])]


async def show_versions(catalog: Catalog, node: n.ShowSchemaVersions) -> list[Result]:
    stream = await stream_of(catalog, node)
    rows = [
        (v.version, v.fingerprint, len(v.schema), v.origin, v.change, v.created_at)
        for v in await catalog.versions(stream.name)
    ]
    return [Result("SHOW SCHEMA VERSIONS FOR", VERSIONS, rows)]


async def show_compatibility(catalog: Catalog, node: n.ShowSchemaCompatibility) -> list[Result]:
    """Each version against the one before it (every one before it, in a transitive mode)."""
    stream = await stream_of(catalog, node)
    versions = await catalog.versions(stream.name)
    mode = stream.compatibility
    rows: list[tuple[Any, ...]] = (
        [(versions[0].version, None, mode, True, None)] if versions else []
    )
    for i in range(1, len(versions)):
        earlier = versions[:i]
        result = check_compatibility(
            versions[i].schema,
            [v.schema for v in earlier],
            mode,
            versions=[v.version for v in earlier],
            avro_binary=stream.format == "avro",
        )
        compared = ", ".join(str(v) for v in result.checked) or None
        issues = "; ".join(issue.message for issue in result.issues) or None
        rows.append((versions[i].version, compared, mode, result.compatible, issues))
    return [Result("SHOW SCHEMA COMPATIBILITY FOR", COMPATIBILITY, rows)]


async def describe_stream(catalog: Catalog, node: n.DescribeStream) -> list[Result]:
    stream = await stream_of(catalog, node)
    number = value(node.args.get("version"))
    try:
        version = await catalog.get_version(stream.name, number)
    except VersionNotFound as exc:
        raise at(exc, node.args.get("version")) from None
    extended = bool(node.args.get("extended"))
    facts = await _last_discovery(catalog, version) if extended else {}
    stats = {name: ColumnStats.from_json(s) for name, s in (facts.get("stats") or {}).items()}
    result = _describe(version.schema, stats, extended)
    if not facts:
        return [result]
    return [Result(result.statement, result.columns, result.rows, _basis(facts))]


async def _last_discovery(catalog: Catalog, version: SchemaVersion) -> dict[str, Any]:
    """The facts of the newest discovery up to ``version``: an ALTER keeps the data's stats."""
    if version.discovery is not None or version.version == 1:
        return dict(version.discovery or {})
    earlier = [v for v in await catalog.versions(version.stream) if v.version <= version.version]
    return next((dict(v.discovery) for v in reversed(earlier) if v.discovery), {})


async def describe_source(catalog: Catalog, node: n.DescribeSource) -> list[Result]:
    from catalog.discover import discover_schema

    options = {o.name: option_text(o.args["value"]) for o in node.args.get("options") or ()}
    found = await discover_schema(str(value(node.this)), **options)
    result = _describe(found, dict(found.stats), extended=False)
    return [Result(result.statement, result.columns, result.rows, found.summary(redact(found.uri)))]


def _basis(facts: dict[str, Any]) -> str:
    """What a discovered version rests on: the sample, and a table's keys and indexes."""
    details = facts.get("details") or {}
    sampled = facts.get("sampled") or 0
    parts = [
        f"{sampled} records sampled from {facts.get('uri')}"
        if sampled
        else f"from {facts.get('uri')}"
    ]
    if facts.get("malformed"):
        parts[0] += f", {facts['malformed']} malformed"
    if len(details.get("files_read") or ()) > 1:
        parts[0] += f" ({len(details['files_read'])} files)"
    if details.get("files_skipped"):
        parts.append(f"skipped as not data: {', '.join(details['files_skipped'])}")
    table = _table_basis(details)
    if table:
        parts.append(table)
    if details.get("primary_key"):
        parts.append(f"primary key ({', '.join(details['primary_key'])})")
    parts += [f"unique ({', '.join(columns)})" for columns in details.get("unique") or ()]
    parts += [key["definition"] for key in details.get("foreign_keys") or ()]
    parts += [index["definition"] for index in details.get("indexes") or ()]
    for part in ("value", "key"):
        if details.get(f"{part}_schema_ids"):
            ids = ", ".join(map(str, details[f"{part}_schema_ids"]))
            parts.append(f"{part}s framed for Schema Registry ids {ids}")
    if details.get("offsets"):
        ranges = ", ".join(f"{p}: {a}-{b}" for p, (a, b) in details["offsets"].items())
        parts.append(f"partition offsets {ranges}")
    stats = facts.get("stats") or {}
    conflicts = {name: s.get("conflicts", ()) for name, s in stats.items()}
    return with_notes("; ".join(parts), notes(details, conflicts))


def _table_basis(details: dict[str, Any]) -> str | None:
    """A Delta or Iceberg table's version, size and partitioning."""
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


def _describe(schema: Schema, stats: dict[str, ColumnStats], extended: bool) -> Result:
    rows = []
    for f in schema:
        row: tuple[Any, ...] = (f.name, f.sql_type, f.nullable, default_text(f), f.comment)
        if extended:
            s = stats.get(f.name, ColumnStats())
            row += (s.null_fraction, s.distinct_count, _text(s.min), _text(s.max), _text(s.example))
        rows.append(row)
    return Result(
        "DESCRIBE EXTENDED" if extended else "DESCRIBE", EXTENDED if extended else DESCRIBE, rows
    )


def _text(raw: Any) -> str | None:
    """A statistic as text: one column holds values of every column's type."""
    if raw is None:
        return None
    return json.dumps(raw, ensure_ascii=False) if isinstance(raw, dict | list) else str(raw)
