"""The output schema of ``CREATE STREAM ... AS SELECT``, typed by DuckDB.

Each source of the query (a quoted URI is discovered; a bare name is a stream's
latest schema) becomes an empty Arrow table registered in an in-memory DuckDB,
and DuckDB describes the query over them: projections, casts, arithmetic,
CASE, joins, aggregates, nested access and UNNEST are all typed by DuckDB
itself.  A column the query names but no source has is an error at its place.
"""

from __future__ import annotations

import difflib
import re

import pyarrow as pa
from sqlglot import exp

from catalog.core import Catalog
from catalog.errors import SqlError, StreamNotFound, TypeParseError
from catalog.infer import discovered_schema
from catalog.schema import Schema
from catalog.sql.columns import at
from catalog.types import EnumType, TimeTzType, parse_sql_type
from catalog.uri import redact

_MISSING_COLUMN = re.compile(
    r'Referenced column "([^"]+)" not found|Column "([^"]+)" does not exist on (?:left|right) side'
)
_CANDIDATES = re.compile(r'Candidate bindings: "?([^"\n,]+)')


async def derive(catalog: Catalog, query: exp.Expr) -> tuple[Schema, tuple[str, ...]]:
    """The query's output schema and its sources (the lineage)."""
    from catalog.discover import discover_schema

    query = query.copy()
    ctes = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
    sources: dict[str, pa.Schema] = {}
    lineage: list[str] = []
    for i, table in enumerate(list(query.find_all(exp.Table))):
        target = table.this
        if isinstance(target, exp.Literal):
            uri = str(target.this)
            schema: Schema = (await discover_schema(uri)).schema
            lineage.append(redact(uri))
        elif isinstance(target, exp.Identifier) and not table.args.get("db"):
            if target.name.lower() in ctes:
                continue
            schema = await _stream_schema(catalog, target)
            lineage.append(target.name)
        else:
            continue
        view = f"__schemacat_source_{i}"
        sources[view] = _duckdb_friendly(schema.to_arrow())
        if not table.alias:
            table.set(
                "alias",
                exp.TableAlias(
                    this=exp.to_identifier(
                        target.name if isinstance(target, exp.Identifier) else f"source_{i}"
                    )
                ),
            )
        table.set("this", exp.to_identifier(view))
    columns = _describe(query, sources)
    return discovered_schema(pa.schema(columns)), tuple(dict.fromkeys(lineage))


async def _stream_schema(catalog: Catalog, name: exp.Identifier) -> Schema:
    try:
        return await catalog.get_schema(name.name)
    except StreamNotFound as exc:
        raise at(exc, name) from None


def _duckdb_friendly(schema: pa.Schema) -> pa.Schema:
    """Types DuckDB reads from Arrow: our extension types as what they hold."""

    def plain(dtype: pa.DataType) -> pa.DataType:
        if isinstance(dtype, EnumType):
            return pa.string()
        if isinstance(dtype, TimeTzType):
            return pa.time64("us")
        if pa.types.is_struct(dtype):
            return pa.struct([f.with_type(plain(f.type)) for f in dtype])
        if pa.types.is_list(dtype):
            return pa.list_(plain(dtype.value_type))
        if pa.types.is_map(dtype):
            return pa.map_(plain(dtype.key_type), plain(dtype.item_type))
        return dtype

    return pa.schema([pa.field(f.name, plain(f.type)) for f in schema])


def _describe(query: exp.Expr, sources: dict[str, pa.Schema]) -> list[pa.Field]:
    import duckdb

    # Only the discovered sources are visible: a table function in the query (read_csv,
    # an http path ...) must not read anything while the query is merely typed.
    con = duckdb.connect(config={"enable_external_access": False})
    try:
        for view, schema in sources.items():
            con.register(view, schema.empty_table())
        try:
            rows = con.execute(f"DESCRIBE {query.sql(dialect='duckdb')}").fetchall()
        except duckdb.Error as exc:
            raise _query_error(str(exc), query) from None
    finally:
        con.close()
    fields = []
    for name, type_name, *_ in rows:
        try:
            fields.append(pa.field(name, parse_sql_type(type_name)))
        except TypeParseError:
            raise at(
                SqlError(
                    f"the query's column {name} is a {type_name}, which schemacat cannot catalog",
                    hint=f"CAST({name} AS VARCHAR) or another type",
                    code="UNSUPPORTED_TYPE",
                ),
                query,
            ) from None
    return fields


def _query_error(message: str, query: exp.Expr) -> SqlError:
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
        error = SqlError(
            f"no column {name} in the sources of the query",
            hint=f"did you mean {close[0].split('.')[-1]}?"
            if close
            else "DESCRIBE the sources to see their columns",
            code="UNKNOWN_COLUMN",
        )
        return at(error, column.this if isinstance(column, exp.Column) else column or query)
    error = SqlError(f"DuckDB cannot type the query: {detail}", code="BAD_QUERY")
    if "Permission Error" in detail:  # a table function that would read files or the network
        error.hint = "name each source as a quoted URI or a stream (FROM 'data/x.csv')"
        readers = (t.this for t in query.find_all(exp.Table) if isinstance(t.this, exp.Func))
        return at(error, next(readers, query))
    return at(error, query)
