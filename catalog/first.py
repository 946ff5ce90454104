"""Where a new stream's first schema comes from: declared (and checked against its source),
discovered, or derived from a query."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, NamedTuple, Protocol

from catalog.discovery import Discovery
from catalog.drift import declared_mismatches
from catalog.errors import InvalidRequest
from catalog.options import StreamOptions
from catalog.schema import Schema
from catalog.secrets import redact


class Sources(Protocol):
    """What finding a first schema asks of the catalog."""

    def discover(self, uri: str, **options: Any) -> Awaitable[Discovery]: ...

    def get_schema(self, name: str, version: int | None = None) -> Awaitable[Schema]: ...


class First(NamedTuple):
    schema: Schema
    origin: str  # declared, discovered or derived
    found: Discovery | None  # the discovery behind it
    lineage: tuple[str, ...]  # a derived stream's sources


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
