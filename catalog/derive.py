"""The output schema of a query over sources (``CREATE STREAM ... AS SELECT``), typed by DuckDB.

Each source of the query (a ``'quoted'`` URI is discovered; a bare name is a
stream's latest schema) becomes an empty Arrow table registered in an
in-memory DuckDB, and DuckDB describes the query over them: projections, casts,
arithmetic, CASE, joins, aggregates, nested access and UNNEST are all typed by
DuckDB itself.  An error about a place in the query has ``subject``
``("query",)`` and its ``offset`` in the query text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable

import pyarrow as pa
from sqlglot import exp

from catalog._type_dialect import TypeDialect
from catalog.errors import InvalidRequest, SchemacatError, TypeParseError
from catalog.infer import discovered_schema
from catalog.schema import Schema
from catalog.secrets import redact
from catalog.types import EnumType, TimeTzType, parse_sql_type
from catalog.visit import transform

_MISSING_COLUMN = re.compile(
    r'Referenced column "([^"]+)" not found|Column "([^"]+)" does not exist on (?:left|right) side'
)
_CANDIDATES = re.compile(r'Candidate bindings: "?([^"\n,]+)')

SchemaOf = Callable[[str], Awaitable[Schema]]


async def derive(
    query: str, stream_schema: SchemaOf, source_schema: SchemaOf
) -> tuple[Schema, tuple[str, ...]]:
    """The output schema of ``query`` and its sources (the lineage): ``'uri'`` sources by
    ``source_schema`` (a discovery), bare names by ``stream_schema``."""
    tree = _parse(query)
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    sources: dict[str, pa.Schema] = {}
    lineage: list[str] = []
    for i, table in enumerate(list(tree.find_all(exp.Table))):
        target = table.this
        if not isinstance(target, exp.Identifier) or table.args.get("db"):
            continue
        quoted_uri = target.quoted and query[target.meta.get("start", 0)] == "'"
        if not quoted_uri and target.name.lower() in ctes:
            continue
        read = source_schema if quoted_uri else stream_schema
        try:
            schema = await read(target.name)
        except SchemacatError as exc:
            raise _in_query(exc, target) from None
        lineage.append(redact(target.name) if quoted_uri else target.name)
        view = f"__schemacat_source_{i}"
        sources[view] = _duckdb_friendly(schema.to_arrow())
        if not table.alias:
            alias = target.name if not quoted_uri else f"source_{i}"
            table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
        table.set("this", exp.to_identifier(view))
    columns = _describe(tree, sources)
    return discovered_schema(pa.schema(columns)), tuple(dict.fromkeys(lineage))


def _parse(query: str) -> exp.Query:
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    try:
        tree = sqlglot.parse_one(query, dialect=TypeDialect)
    except (ParseError, TokenError) as exc:
        raise InvalidRequest(
            f"the query cannot be read: {exc}", code="BAD_QUERY", subject=("query",)
        ) from None
    if not isinstance(tree, exp.Query):
        raise InvalidRequest("expected a SELECT query", code="BAD_QUERY", subject=("query",))
    return tree


def _in_query(error: SchemacatError, node: exp.Expr) -> SchemacatError:
    """``error``, placed at ``node`` of the query."""
    if error.offset is None:
        error.subject, error.offset = ("query",), node.meta.get("start", 0)
    return error


def _duckdb_friendly(schema: pa.Schema) -> pa.Schema:
    """Types DuckDB reads from Arrow: our extension types as what they hold, at any depth."""
    return pa.schema([pa.field(f.name, transform(f.type, _plain)) for f in schema])


def _plain(dtype: pa.DataType) -> pa.DataType:
    if isinstance(dtype, EnumType):
        return pa.string()
    if isinstance(dtype, TimeTzType):
        return pa.time64("us")
    if pa.types.is_float16(dtype):  # DuckDB reads no half floats; FLOAT holds them
        return pa.float32()
    return dtype


def _describe(query: exp.Expr, sources: dict[str, pa.Schema]) -> list[pa.Field]:
    import duckdb

    # Only the discovered sources are visible: a table function in the query (read_csv,
    # an http path ...) must not read anything while the query is merely typed.
    con = duckdb.connect(config={"enable_external_access": False})
    try:
        try:
            for view, schema in sources.items():
                con.register(view, pa.Table.from_batches([], schema))  # no rows, any type
            rows = con.execute(f"DESCRIBE {query.sql(dialect=TypeDialect)}").fetchall()
        except duckdb.Error as exc:
            raise _query_error(str(exc), query) from None
    finally:
        con.close()
    fields = []
    for name, type_name, *_ in rows:
        try:
            fields.append(pa.field(name, parse_sql_type(type_name)))
        except TypeParseError:
            raise _in_query(
                InvalidRequest(
                    f"the query's column {name} is a {type_name}, which schemacat cannot catalog",
                    hint=f"CAST({name} AS VARCHAR) or another type",
                    code="UNSUPPORTED_TYPE",
                ),
                query,
            ) from None
    return fields


def _query_error(message: str, query: exp.Expr) -> SchemacatError:
    detail = message.split("\n", maxsplit=1)[0].replace("Binder Error: ", "")
    missing = _MISSING_COLUMN.search(message)
    if missing:
        name = missing.group(1) or missing.group(2)
        column = next(
            (c for c in query.find_all(exp.Column) if c.name == name.split(".")[-1]),
            next((i for i in query.find_all(exp.Identifier) if i.name == name), None),
        )
        candidates = _CANDIDATES.search(message)
        close = difflib.get_close_matches(name, [candidates.group(1)], n=1) if candidates else []
        error = InvalidRequest(
            f"no column {name} in the sources of the query",
            hint=f"did you mean {close[0].split('.')[-1]}?"
            if close
            else "DESCRIBE the sources to see their columns",
            code="UNKNOWN_COLUMN",
        )
        return _in_query(error, column.this if isinstance(column, exp.Column) else column or query)
    error = InvalidRequest(f"DuckDB cannot type the query: {detail}", code="BAD_QUERY")
    if "Permission Error" in detail:  # a table function that would read files or the network
        error.hint = "name each source as a quoted URI or a stream (FROM 'data/x.csv')"
        readers = (t.this for t in query.find_all(exp.Table) if isinstance(t.this, exp.Func))
        return _in_query(error, next(readers, query))
    return _in_query(error, query)
