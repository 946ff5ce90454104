"""CREATE STREAM: declared, discovered, declared and checked against a discovery, or derived.

* ``WITH (datasource = ...)`` and no columns: the schema is discovered.
* Columns and a datasource: the columns are checked against a discovery
  (``validate``, default true); every difference is listed in one error.
* Columns alone: a schema-only stream.
* ``AS SELECT``: every source is discovered (a bare name is a stream's latest
  schema) and DuckDB types the query's output (``derive``).
"""

from __future__ import annotations

import pyarrow as pa

from catalog.core import Catalog
from catalog.discovery import Discovery, with_notes
from catalog.errors import SqlError, StreamNotFound
from catalog.result import Result
from catalog.schema import Field, Schema
from catalog.sql import nodes as n
from catalog.sql.columns import at, field
from catalog.sql.options import StreamOptions, resolve
from catalog.store import SchemaVersion
from catalog.typerules import category, representable
from catalog.uri import redact

_TEXT_FROM_STRINGS = ("date", "time", "timestamp", "uuid")


async def create_stream(catalog: Catalog, node: n.CreateStream) -> list[Result]:
    name = node.name
    options = resolve(node.args.get("options"))
    # the stream as it is, for IF NOT EXISTS (no discovery for nothing) and OR REPLACE
    flags = node.args.get("exists") or node.args.get("replace")
    previous = await _latest(catalog, name) if flags else None
    if previous is not None and node.args.get("exists"):
        message = f"stream {name} already exists (version {previous.version}); nothing changed"
        return [Result("CREATE STREAM", message=message)]
    declared = _declared(node)
    discovery: Discovery | None = None
    lineage: tuple[str, ...] = ()
    if node.args.get("query") is not None:
        from catalog.sql.derive import derive

        schema, lineage = await derive(catalog, node.args["query"])
        origin = "derived"
    elif options.datasource and declared is None:
        discovery = await _discover(options)
        schema, origin = discovery.schema, "discovered"
    elif declared is not None:
        schema, origin = declared, "declared"
        if options.datasource and options.validate:
            discovery = await _discover(options)
            _check_declared(declared, discovery, node)
    else:
        raise at(
            SqlError(
                f"stream {name} needs columns, a datasource, or AS SELECT",
                hint=f"CREATE STREAM {name} WITH (datasource = 'kafka://host:9092/topic')",
                code="EMPTY_STREAM",
            ),
            node.this,
        )
    if "timestamp" in options.kept and options.kept["timestamp"] not in schema:
        raise at(
            SqlError(
                f"TIMESTAMP names {options.kept['timestamp']}, which is not a column of {name}",
                hint=f"the columns are {', '.join(schema.names)}",
                code="UNKNOWN_COLUMN",
            ),
            node.this,
        )
    version = await catalog.create_stream(
        name,
        schema,
        datasource=options.datasource,
        format=options.format or (discovery.format if discovery else None),
        options=options.kept,
        compatibility=options.compatibility,
        lineage=lineage,
        origin=origin,
        discovery=discovery.facts() if discovery is not None else None,
        if_not_exists=bool(node.args.get("exists")),
        replace=bool(node.args.get("replace")),
    )
    message = _message(version, previous, origin, options, discovery)
    return [Result("CREATE STREAM", message=message)]


async def _latest(catalog: Catalog, name: str) -> SchemaVersion | None:
    try:
        return await catalog.get_version(name)
    except StreamNotFound:
        return None


def _message(
    version: SchemaVersion,
    previous: SchemaVersion | None,
    origin: str,
    options: StreamOptions,
    found: Discovery | None,
) -> str:
    if previous is None:
        where = (
            f" from {redact(options.datasource)}"
            if origin == "discovered" and options.datasource
            else ""
        )
        summary = f"version {version.version}, {len(version.schema)} columns, {origin}{where}"
    elif version.version == previous.version:  # OR REPLACE with the same schema
        summary = f"unchanged (version {version.version})"
    else:
        summary = f"version {version.version} ({version.change})"
    notes = found.notes if found is not None and origin == "discovered" else ()
    return with_notes(f"stream {version.stream}: {summary}", notes)


def _declared(node: n.CreateStream) -> Schema | None:
    columns = node.args.get("columns")
    if not columns:
        return None
    fields = [field(c) for c in columns]
    seen: dict[str, n.StreamColumn] = {}
    for column in columns:
        if column.name.lower() in seen:
            raise at(
                SqlError(f"column {column.name} is declared twice", code="DUPLICATE_COLUMN"), column
            )
        seen[column.name.lower()] = column
    return Schema(fields)


async def _discover(options: StreamOptions) -> Discovery:
    from catalog.discover import discover_schema

    assert options.datasource is not None
    return await discover_schema(options.datasource, **options.discovery)


def _check_declared(declared: Schema, found: Discovery, node: n.CreateStream) -> None:
    """Every declared column is in the source, with a type that reads the source's."""
    problems = []
    for column in declared:
        source = _counterpart(column, found)
        if source is None:
            problems.append(f"{column.name} is not in the source")
        elif not _reads(column, source):
            problems.append(
                f"{column.name} is declared {column.sql_type} but the source has {source.sql_type}"
            )
    if problems:
        raise at(
            SqlError(
                f"the declared columns of {node.name} do not match {redact(found.uri)}: "
                + "; ".join(problems),
                hint="fix the declarations, leave the columns out to discover them, "
                "or WITH (validate = false)",
                code="SCHEMA_MISMATCH",
            ),
            node.this,
        )


def _counterpart(column: Field, found: Schema) -> Field | None:
    role = column.metadata.get("kafka")
    if role in ("key", "headers"):
        return next((f for f in found if f.metadata.get("kafka") == role), None)
    if role == "header":
        return column  # headers are read as they come; there is nothing to compare
    return found.field(column.name) if column.name in found else None


def _reads(column: Field, source: Field) -> bool:
    from catalog.compat import can_read

    if category(column.type) == "string" and category(source.type) in _TEXT_FROM_STRINGS:
        return True  # dates and UUIDs in JSON and CSV are text on the wire
    if not pa.types.is_nested(column.type):
        return representable(column.type, source.type) is None
    reader = Schema([column.replace(name="c", nullable=True)])
    writer = Schema([source.replace(name="c")])
    return not [i for i in can_read(reader, writer) if i.kind != "NULLABILITY_TIGHTENED"]
