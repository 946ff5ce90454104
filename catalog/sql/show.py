"""SHOW and DESCRIBE: one Catalog call each, in exactly the contract's columns."""

from __future__ import annotations

import json
from typing import Any

from catalog.core import Catalog
from catalog.infer.stats import ColumnStats
from catalog.result import Result
from catalog.schema import Schema
from catalog.sql import nodes as n
from catalog.sql.columns import column_ddl, default_text, option_text, option_values, value
from catalog.types import quote_identifier, sql_literal
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
    broker = option_text(node.this) if node.this is not None else None
    topics = await catalog.topics(broker)
    return [Result("SHOW TOPICS", TOPICS, [(t.name, t.partitions, t.messages) for t in topics])]


async def show_create(catalog: Catalog, node: n.ShowCreateStream) -> list[Result]:
    described = await catalog.describe(node.name)
    stream = described.stream
    options = {}
    if stream.datasource:
        options["datasource"] = stream.datasource
    if stream.format:
        options["format"] = stream.format
    options["compatibility"] = stream.compatibility
    options.update(stream.options)
    if stream.datasource:
        options["validate"] = "false"  # recreate this schema, not what the source holds today
    columns = ",\n  ".join(column_ddl(f) for f in described.version.schema)
    with_list = ", ".join(
        f"{k} = {v if k == 'validate' else sql_literal(v)}" for k, v in options.items()
    )
    statement = (
        f"CREATE STREAM {quote_identifier(stream.name)} (\n  {columns}\n) WITH ({with_list});"
    )
    return [Result("SHOW CREATE STREAM", ("statement",), [(statement,)])]


async def show_versions(catalog: Catalog, node: n.ShowSchemaVersions) -> list[Result]:
    rows = [
        (v.version, v.fingerprint, len(v.schema), v.origin, v.change, v.created_at)
        for v in await catalog.versions(node.name)
    ]
    return [Result("SHOW SCHEMA VERSIONS FOR", VERSIONS, rows)]


async def show_compatibility(catalog: Catalog, node: n.ShowSchemaCompatibility) -> list[Result]:
    rows = [
        (
            version,
            ", ".join(str(v) for v in result.checked) or None,
            result.mode,
            result.compatible,
            "; ".join(issue.message for issue in result.issues) or None,
        )
        for version, result in await catalog.compatibility_history(node.name)
    ]
    return [Result("SHOW SCHEMA COMPATIBILITY FOR", COMPATIBILITY, rows)]


async def describe_stream(catalog: Catalog, node: n.DescribeStream) -> list[Result]:
    extended = bool(node.args.get("extended"))
    described = await catalog.describe(
        node.name, value(node.args.get("version")), extended=extended
    )
    result = _describe(described.version.schema, described.stats, extended)
    return [Result(result.statement, result.columns, result.rows, described.basis)]


async def describe_source(catalog: Catalog, node: n.DescribeSource) -> list[Result]:
    found = await catalog.discover(str(value(node.this)), **option_values(node.args.get("options")))
    result = _describe(found, dict(found.stats), extended=False)
    return [Result(result.statement, result.columns, result.rows, found.summary(redact(found.uri)))]


def _describe(schema: Schema, stats: dict[str, ColumnStats] | Any, extended: bool) -> Result:
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
