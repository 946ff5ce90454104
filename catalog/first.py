"""Where a new stream's first schema comes from: declared (and checked against its source),
discovered, derived from a query, or taken from a registered subject (ksqlDB's bridge)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, NamedTuple, Protocol

from catalog.discovery import Discovery
from catalog.drift import declared_mismatches
from catalog.errors import InvalidRequest, StreamNotFound
from catalog.options import REGISTRY_FORMATS, StreamOptions
from catalog.schema import Schema
from catalog.secrets import redact


class Sources(Protocol):
    """What finding a first schema asks of the catalog."""

    def discover(self, uri: str, **options: Any) -> Awaitable[Discovery]: ...

    def get_schema(self, name: str, version: int | None = None) -> Awaitable[Schema]: ...

    def subject_columns(
        self, subject: str, schema_id: int | None = None, *, key: bool = False
    ) -> Awaitable[Schema]: ...


class First(NamedTuple):
    schema: Schema
    origin: str  # declared, discovered, derived or registered
    found: Discovery | None  # the discovery behind it
    lineage: tuple[str, ...]  # a derived stream's sources
    subject: str | None = None  # the subject its value columns are registered under


async def first_schema(
    name: str,
    declared: Schema | None,
    query: str | None,
    settings: StreamOptions,
    *,
    validate: bool,
    sources: Sources,
) -> First:
    """The first schema of stream ``name``, as CREATE STREAM finds it."""
    if query is not None:
        if declared is not None:
            raise InvalidRequest(
                "a stream is declared with columns or a query, not both",
                code="EMPTY_STREAM",
                subject=("name",),
            )
        from catalog.derive import derive  # sqlglot and DuckDB, only when a query is typed

        schema, lineage = await derive(query, sources.get_schema, sources.discover)
        return _checked(First(schema, "derived", None, lineage), name, settings)
    if isinstance(declared, Discovery):
        return _checked(First(declared, "discovered", declared, ()), name, settings)
    if settings.topic and settings.format in REGISTRY_FORMATS:
        bridged = await _bridged(declared, settings, sources)
        if bridged is not None:
            return _checked(bridged, name, settings)
    if declared is None:
        if not settings.datasource:
            raise InvalidRequest(
                f"stream {name} needs columns, a datasource, or AS SELECT",
                hint=f"CREATE STREAM {name} WITH (datasource = 'kafka://host:9092/topic')",
                code="EMPTY_STREAM",
                subject=("name",),
            )
        found = await sources.discover(settings.datasource, **settings.discovery)
        return _checked(First(found, "discovered", found, ()), name, settings)
    if not (settings.datasource and validate):
        return _checked(First(declared, "declared", None, ()), name, settings)
    found = await sources.discover(settings.datasource, **settings.discovery)
    problems = declared_mismatches(declared, found)
    if problems:
        raise InvalidRequest(
            f"the declared columns of {name} do not match {redact(found.uri)}: "
            + "; ".join(problems),
            hint="fix the declarations, leave the columns out to discover them, "
            "or WITH (validate = false)",
            code="SCHEMA_MISMATCH",
            subject=("name",),
        )
    return _checked(First(declared, "declared", found, ()), name, settings)


async def _bridged(
    declared: Schema | None, settings: StreamOptions, sources: Sources
) -> First | None:
    """ksqlDB's bridge: a stream of a topic whose schemas are registered takes its value
    columns from subject ``<topic>-value`` (its key columns from ``<topic>-key`` when the
    key's format is a registry format); declared columns are registered there instead.
    None when no value schema is registered but the topic can be sampled."""
    key_format = settings.kept.get("key_format", "").lower()
    for option, given in (("value_format", settings.format), ("key_format", key_format)):
        if given == "protobuf":
            raise InvalidRequest(
                "schemacat registers AVRO and JSON schemas, not PROTOBUF",
                hint=f"use {option.upper()} = 'AVRO' or 'JSON_SR'",
                code="UNSUPPORTED_FORMAT",
                subject=("options", option, "value"),
            )
    value_subject = f"{settings.topic}-value"
    if declared is not None:
        if settings.value_schema_id is not None:
            raise InvalidRequest(
                "VALUE_SCHEMA_ID takes the columns of a registered schema; this stream "
                "declares its own",
                hint="leave the columns out, or VALUE_SCHEMA_ID",
                code="EMPTY_STREAM",
                subject=("options", "value_schema_id"),
            )
        return First(declared, "declared", None, (), value_subject)
    try:
        value = await sources.subject_columns(value_subject, settings.value_schema_id)
    except StreamNotFound:
        if settings.datasource and settings.value_schema_id is None:
            return None
        raise StreamNotFound(
            f"no value schema is registered for topic {settings.topic!r} (subject "
            f"{value_subject!r})",
            hint="declare the columns (they are registered there), or register a schema "
            f"first: POST /subjects/{value_subject}/versions",
        ) from None
    fields = list(value.fields)
    if key_format in REGISTRY_FORMATS:
        key = await sources.subject_columns(f"{settings.topic}-key", key=True)
        fields = [*key.fields, *fields]
    return First(Schema(fields, value.name), "registered", None, ())


def _checked(first: First, name: str, settings: StreamOptions) -> First:
    """``first``, if the TIMESTAMP option names one of its columns."""
    timestamp = settings.kept.get("timestamp")
    if timestamp is not None and timestamp not in first.schema:
        raise InvalidRequest(
            f"TIMESTAMP names {timestamp}, which is not a column of {name}",
            hint=f"the columns are {', '.join(first.schema.names)}",
            code="UNKNOWN_COLUMN",
            subject=("name",),
        )
    return first
