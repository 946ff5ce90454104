"""CREATE STREAM: declared, discovered, declared and checked against a discovery, or derived.

``Catalog.create_stream`` does each; this module reads the statement, writes
it back, and words the outcome.  ``AS SELECT`` keeps the query's text as
written, so that errors in it point into it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import TokenType, exp

from catalog.discovery import with_notes
from catalog.errors import SqlError
from catalog.outcomes import Registered
from catalog.result import Result
from catalog.schema import Schema
from catalog.secrets import redact
from catalog.sql.columns import at, field, option_values
from catalog.sql.generator import StreamGenerator
from catalog.sql.parser import StreamParser
from catalog.sql.statement import Statement
from catalog.words import counted

if TYPE_CHECKING:
    from catalog.sql.session import Session


class CreateStream(exp.Expression):
    arg_types = {
        "this": True,
        "columns": False,
        "options": False,
        "query": False,
        "replace": False,
        "exists": False,
        "emit": False,  # EMIT CHANGES
    }


def parse(p: StreamParser) -> CreateStream:
    replace = p._match_text_seq("OR", "REPLACE")
    if not p._match_text_seq("STREAM"):
        found = p._curr.text if p._curr else ""
        p.fail(
            f"CREATE {found.upper()} is not a schemacat statement",
            hint="schemacat creates streams: CREATE [OR REPLACE] STREAM name ...",
        )
    exists = p._match_text_seq("IF", "NOT", "EXISTS")
    name = p.name()
    columns = p.columns() if p._match(TokenType.L_PAREN, advance=False) else None
    options = p.options() if p._match(TokenType.WITH) else None
    query = emit = None
    if p._match(TokenType.ALIAS):
        if columns is not None:
            p.fail("a stream is declared with columns or AS SELECT, not both", p._prev)
        emit = _take_emit_changes(p)
        query = _query(p)
    return CreateStream(
        this=name,
        columns=columns,
        options=options,
        query=query,
        replace=replace or None,
        exists=exists or None,
        emit=emit or None,
    )


def _take_emit_changes(p: StreamParser) -> bool:
    """EMIT CHANGES ends a query; it is taken off before the query is parsed."""
    end = p._tokens_size
    if (
        end >= 2
        and p._tokens[end - 2].text.upper() == "EMIT"
        and p._tokens[end - 1].text.upper() == "CHANGES"
    ):
        p._tokens = p._tokens[: end - 2]
        p._tokens_size = end - 2
        return True
    return False


def _query(p: StreamParser) -> exp.Query:
    """A DuckDB query; a ``'quoted'`` source in it is a URI (a string), ``"quoted"`` a name."""
    first = p._curr
    if not first:
        p.fail("expected a query after AS")
    p.in_query = True
    try:
        query = p._parse_set_operations(p._parse_select())
    finally:
        p.in_query = False
    if not isinstance(query, exp.Query):
        p.fail("expected a SELECT query after AS", first)
    query.meta["text"] = p.sql[first.start : p._prev.end + 1]  # as written
    for table in query.find_all(exp.Table):
        ident = table.this
        if isinstance(ident, exp.Identifier) and ident.quoted:
            offset = ident.meta.get("start", 0)
            if p.sql[offset] == "'":
                table.set("this", p.at(exp.Literal.string(ident.name), ident))
    return p.at(query, first)


def generate(g: StreamGenerator, e: CreateStream) -> str:
    sql = "CREATE " + ("OR REPLACE " if e.args.get("replace") else "") + "STREAM "
    sql += ("IF NOT EXISTS " if e.args.get("exists") else "") + g.sql(e, "this")
    if e.args.get("columns"):
        sql += " (" + ", ".join(g.stream_column_sql(c) for c in e.args["columns"]) + ")"
    if e.args.get("options"):
        sql += " WITH " + g.stream_options(e.args["options"])
    if e.args.get("query"):
        sql += " AS " + g.sql(e, "query")
    return sql + (" EMIT CHANGES" if e.args.get("emit") else "")


async def run(session: Session, node: CreateStream) -> list[Result]:
    query = node.args.get("query")
    registered = await session.catalog.create_stream(
        node.name,
        _declared(node),
        options=option_values(node.args.get("options")),
        query=(query.meta.get("text") or query.sql(dialect="duckdb")) if query else None,
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
        columns = counted(len(registered.schema), "column")
        line = f"stream {name}: version {number}, {columns}, {registered.origin}{where}"
    elif if_not_exists:
        return f"stream {name} already exists (version {number}); nothing changed"
    elif not registered.changed:
        line = f"stream {name}: unchanged (version {number})"
    else:
        line = f"stream {name}: version {number} ({registered.change})"
    return with_notes(line, notes)


def _declared(node: CreateStream) -> Schema | None:
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


CREATE = Statement(
    words=("CREATE",),
    nodes=(CreateStream,),
    parse=parse,
    generate=generate,
    run=run,
    help=(
        "CREATE [OR REPLACE] STREAM [IF NOT EXISTS] name [(col TYPE [NOT NULL] ...)] "
        "[WITH (k = v)]",
        "CREATE STREAM name [WITH (...)] AS SELECT ... FROM 'uri' | stream [JOIN ...]",
    ),
)
