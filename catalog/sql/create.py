"""CREATE STREAM: declared, discovered, declared and checked against a discovery, or derived
(``Catalog.create_stream`` does each; this reads the statement and words the outcome)."""

from __future__ import annotations

from catalog.core import Catalog, Registered
from catalog.discovery import with_notes
from catalog.errors import SqlError
from catalog.result import Result
from catalog.schema import Schema
from catalog.sql import nodes as n
from catalog.sql.columns import at, field, option_values
from catalog.uri import redact


async def create_stream(catalog: Catalog, node: n.CreateStream) -> list[Result]:
    query = node.args.get("query")
    registered = await catalog.create_stream(
        node.name,
        _declared(node),
        options=option_values(node.args.get("options")),
        query=query.meta.get("text") or query.sql(dialect="duckdb") if query else None,
        if_not_exists=bool(node.args.get("exists")),
        replace=bool(node.args.get("replace")),
    )
    return [Result("CREATE STREAM", message=_message(registered, bool(node.args.get("exists"))))]


def _message(registered: Registered, if_not_exists: bool) -> str:
    name, number, found = registered.stream, registered.version, registered.found
    discovered = found if registered.origin == "discovered" else None
    notes = discovered.notes if discovered is not None else ()
    if registered.previous is None:
        where = f" from {redact(discovered.uri)}" if discovered is not None else ""
        columns = f"{len(registered.schema)} columns"
        line = f"stream {name}: version {number}, {columns}, {registered.origin}{where}"
    elif if_not_exists:
        return f"stream {name} already exists (version {number}); nothing changed"
    elif not registered.changed:
        line = f"stream {name}: unchanged (version {number})"
    else:
        line = f"stream {name}: version {number} ({registered.change})"
    return with_notes(line, notes)


def _declared(node: n.CreateStream) -> Schema | None:
    columns = node.args.get("columns")
    if not columns:
        return None
    seen: set[str] = set()
    for column in columns:
        if column.name.lower() in seen:
            raise at(
                SqlError(f"column {column.name} is declared twice", code="DUPLICATE_COLUMN"), column
            )
        seen.add(column.name.lower())
    return Schema([field(c) for c in columns])
