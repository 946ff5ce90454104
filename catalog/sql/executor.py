"""One small function per statement kind; each returns the statement's results."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from catalog.result import Result
from catalog.sql import nodes as n
from catalog.sql.alter import alter_stream, validate_stream
from catalog.sql.columns import option_text
from catalog.sql.create import create_stream
from catalog.sql.show import (
    describe_source,
    describe_stream,
    show_compatibility,
    show_create,
    show_schemas,
    show_streams,
    show_topics,
    show_versions,
)

if TYPE_CHECKING:
    from catalog.core import Catalog
    from catalog.sql.session import Session


async def drop_stream(catalog: Catalog, node: n.DropStream) -> list[Result]:
    if await catalog.drop(node.name, if_exists=bool(node.args.get("exists"))):
        return [Result("DROP STREAM", message=f"stream {node.name} dropped")]
    return [Result("DROP STREAM", message=f"stream {node.name} does not exist; nothing dropped")]


async def set_setting(catalog: Catalog, node: n.SetSetting) -> list[Result]:
    mode = await catalog.set_setting(node.name, option_text(node.args["value"]) or "")
    return [Result("SET", message=f"compatibility of new streams: {mode}")]


async def define(session: Session, node: n.Define) -> list[Result]:
    session.variables[node.name] = option_text(node.args["value"]) or ""
    return [Result("DEFINE", message=f"{node.name} defined")]


async def run_script(session: Session, node: n.RunScript) -> list[Result]:
    return await session.run_file(str(option_text(node.this)), node)


Handler = Callable[[Any, Any], Awaitable[list[Result]]]

_CATALOG_STATEMENTS: dict[type[exp.Expression], Handler] = {
    n.CreateStream: create_stream,
    n.AlterStream: alter_stream,
    n.ValidateStream: validate_stream,
    n.DropStream: drop_stream,
    n.SetSetting: set_setting,
    n.ShowStreams: show_streams,
    n.ShowSchemas: show_schemas,
    n.ShowTopics: show_topics,
    n.ShowCreateStream: show_create,
    n.ShowSchemaVersions: show_versions,
    n.ShowSchemaCompatibility: show_compatibility,
    n.DescribeStream: describe_stream,
    n.DescribeSource: describe_source,
}
_SESSION_STATEMENTS: dict[type[exp.Expression], Handler] = {
    n.Define: define,
    n.RunScript: run_script,
}


async def execute(session: Session, node: exp.Expression) -> list[Result]:
    handler = _CATALOG_STATEMENTS.get(type(node))
    if handler is not None:
        return await handler(session.catalog, node)
    return await _SESSION_STATEMENTS[type(node)](session, node)
