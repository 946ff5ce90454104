"""The SHOW statements: one Catalog call each, in exactly the contract's columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlglot import TokenType, exp

from catalog.result import Result
from catalog.sql.columns import column_ddl, option_text
from catalog.sql.generator import StreamGenerator
from catalog.sql.parser import StreamParser
from catalog.sql.statement import Statement
from catalog.types import quote_identifier, sql_literal

if TYPE_CHECKING:
    from catalog.sql.session import Session

STREAMS = ("name", "datasource", "format", "version", "columns", "compatibility", "updated_at")
SCHEMAS = ("name", "version", "versions", "columns", "fingerprint", "compatibility")
VERSIONS = ("version", "fingerprint", "columns", "origin", "change", "created_at", "schema_id")
COMPATIBILITY = ("version", "compared_with", "mode", "compatible", "issues")
TOPICS = ("topic", "partitions", "messages")


class ShowStreams(exp.Expression):
    arg_types = {}


class ShowSchemas(exp.Expression):
    arg_types = {}


class ShowTopics(exp.Expression):
    arg_types = {"this": False}


class ShowCreateStream(exp.Expression):
    arg_types = {"this": True}


class ShowSchemaVersions(exp.Expression):
    arg_types = {"this": True}


class ShowSchemaCompatibility(exp.Expression):
    arg_types = {"this": True}


async def show_streams(session: Session, node: ShowStreams) -> list[Result]:
    """A derived stream's datasource is its lineage (the streams and URIs its query
    reads), and its format ``derived``."""
    default = await session.catalog.default_compatibility()
    rows = [
        (s.name, ", ".join(s.lineage) if s.query else s.datasource,
         "derived" if s.query else s.format, s.latest_version, len(v.schema),
         s.compatibility or default, s.updated_at)
        for s, v in await session.catalog.latest_versions()
    ]  # fmt: skip
    return [Result("SHOW STREAMS", STREAMS, rows)]


async def show_schemas(session: Session, node: ShowSchemas) -> list[Result]:
    default = await session.catalog.default_compatibility()
    rows = [
        (s.name, v.version, s.latest_version, len(v.schema), v.fingerprint,
         s.compatibility or default)
        for s, v in await session.catalog.latest_versions()
    ]  # fmt: skip
    return [Result("SHOW SCHEMAS", SCHEMAS, rows)]


async def show_topics(session: Session, node: ShowTopics) -> list[Result]:
    broker = option_text(node.this) if node.this is not None else None
    topics = await session.catalog.topics(broker)
    return [Result("SHOW TOPICS", TOPICS, [(t.name, t.partitions, t.messages) for t in topics])]


async def show_create(session: Session, node: ShowCreateStream) -> list[Result]:
    described = await session.catalog.describe(node.name)
    stream = described.stream
    options = {}
    if stream.datasource:
        options["datasource"] = stream.datasource
    if stream.format:
        options["format"] = stream.format
    if stream.compatibility:  # else it follows the catalog's default, as it will there
        options["compatibility"] = stream.compatibility
    options.update(stream.options)
    if described.version.schema.name and not stream.query:
        options["value_schema_full_name"] = described.version.schema.name
    if stream.datasource:
        options["validate"] = "false"  # recreate this schema, not what the source holds today
    with_list = ", ".join(
        f"{k} = {v if k == 'validate' else sql_literal(v)}" for k, v in options.items()
    )
    name = quote_identifier(stream.name)
    if stream.query:  # its columns are the query's (a derived stream's are not altered)
        statement = f"CREATE STREAM {name} WITH ({with_list}) AS\n{stream.query};"
    else:
        columns = ",\n  ".join(column_ddl(f) for f in described.version.schema)
        statement = f"CREATE STREAM {name} (\n  {columns}\n) WITH ({with_list});"
    return [Result("SHOW CREATE STREAM", ("statement",), [(statement,)])]


async def show_versions(session: Session, node: ShowSchemaVersions) -> list[Result]:
    rows = [
        (v.version, v.fingerprint, len(v.schema), v.origin, v.change, v.created_at, v.schema_id)
        for v in await session.catalog.versions(node.name)
    ]
    return [Result("SHOW SCHEMA VERSIONS FOR", VERSIONS, rows)]


async def show_compatibility(session: Session, node: ShowSchemaCompatibility) -> list[Result]:
    rows = [
        (
            version,
            ", ".join(str(v) for v in result.checked) or None,
            result.mode,
            result.compatible,
            "; ".join(issue.message for issue in result.issues) or None,
        )
        for version, result in await session.catalog.compatibility_history(node.name)
    ]
    return [Result("SHOW SCHEMA COMPATIBILITY FOR", COMPATIBILITY, rows)]


def _parse_topics(p: StreamParser) -> ShowTopics:
    return ShowTopics(this=p.literal() if p._match(TokenType.FROM) else None)


def _parse_named(node: type[exp.Expression], *words: str) -> Callable[[StreamParser], Any]:
    """A statement whose words are followed by ``words`` and a stream name."""

    def parse(p: StreamParser) -> exp.Expression:
        for word in words:
            p.expect(word, choices=(word,))
        return node(this=p.name())

    return parse


def _named_sql(words: str) -> Callable[[StreamGenerator, Any], str]:
    return lambda g, e: f"{words} {g.sql(e, 'this')}"


SHOW_STREAMS = Statement(
    words=("SHOW", "STREAMS"),
    also=(("LIST", "STREAMS"),),
    nodes=(ShowStreams,),
    parse=lambda p: ShowStreams(),
    generate=lambda g, e: "SHOW STREAMS",
    run=show_streams,
    help=("SHOW STREAMS",),
)
SHOW_SCHEMAS = Statement(
    words=("SHOW", "SCHEMAS"),
    nodes=(ShowSchemas,),
    parse=lambda p: ShowSchemas(),
    generate=lambda g, e: "SHOW SCHEMAS",
    run=show_schemas,
    help=("SHOW SCHEMAS",),
)
SHOW_TOPICS = Statement(
    words=("SHOW", "TOPICS"),
    nodes=(ShowTopics,),
    parse=_parse_topics,
    generate=lambda g, e: "SHOW TOPICS" + (f" FROM {g.sql(e, 'this')}" if e.this else ""),
    run=show_topics,
    help=("SHOW TOPICS [FROM 'kafka://host:port']",),
)
SHOW_CREATE = Statement(
    words=("SHOW", "CREATE"),
    nodes=(ShowCreateStream,),
    parse=_parse_named(ShowCreateStream, "STREAM"),
    generate=_named_sql("SHOW CREATE STREAM"),
    run=show_create,
    help=("SHOW CREATE STREAM name",),
)
SHOW_VERSIONS = Statement(
    words=("SHOW", "SCHEMA", "VERSIONS"),
    nodes=(ShowSchemaVersions,),
    parse=_parse_named(ShowSchemaVersions, "FOR"),
    generate=_named_sql("SHOW SCHEMA VERSIONS FOR"),
    run=show_versions,
    help=("SHOW SCHEMA VERSIONS FOR name",),
)
SHOW_COMPATIBILITY = Statement(
    words=("SHOW", "SCHEMA", "COMPATIBILITY"),
    nodes=(ShowSchemaCompatibility,),
    parse=_parse_named(ShowSchemaCompatibility, "FOR"),
    generate=_named_sql("SHOW SCHEMA COMPATIBILITY FOR"),
    run=show_compatibility,
    help=("SHOW SCHEMA COMPATIBILITY FOR name",),
)
