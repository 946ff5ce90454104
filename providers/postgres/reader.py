"""The catalog reads of a discovery: relations by name, and many relations described at once.

Whatever the number of tables, the catalog is read in six queries, each taking the
relations it is about as one bound array; their rows are grouped by relation in one
pass.  The json/jsonb columns are sampled by statements of at most ``JSON_BATCH``
columns each (a statement's size, and the time PostgreSQL takes to plan it, stay
bounded), each in its own transaction (the locks it takes are released at once), the
next one on the server while the last one's samples are typed.  When they take more
than one statement, they are sampled on a second connection while the first reads and
types the catalog (on the first, after it, if the server refuses a second).
"""

from __future__ import annotations

import asyncio
import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from catalog.discovery import Discovery, Options
from catalog.errors import AccessDenied, BadOption, SourceNotFound
from catalog.field import NO_DEFAULT
from catalog.infer import discovered_schema, infer_records
from catalog.infer.stats import ColumnStats
from catalog.schema import Field
from catalog.secrets import redact
from catalog.visit import LIST, MAP, STRUCT, kind
from providers.postgres import pg_catalog as pgc

#: json columns sampled by one statement.  PostgreSQL plans a UNION ALL in time growing
#: faster than its branches (and a very long one exhausts its stack): measured per column,
#: 50 to a statement is the cheapest, 200 twice and 400 four times as dear.
JSON_BATCH = 50


@dataclass
class Relation:
    oid: int
    schema: str
    name: str
    kind: str
    comment: str | None
    rows: int
    readable: bool

    @property
    def qualified(self) -> str:
        """``schema.table``, as ``?table=`` reads it back."""
        return f"{quoted(self.schema)}.{quoted(self.name)}"


_PART = r'"(?:[^"]|"")+"|[^."]+'
_TABLE = re.compile(rf"(?:(?P<schema>{_PART})\.)?(?P<name>{_PART})")


def table_name(text: str) -> tuple[str | None, str]:
    """``?table=[schema.]table`` read as PostgreSQL writes names: a part in double quotes
    is the name in it (``""`` a quote), and may hold dots; a part without quotes is taken
    as it is written, case and all."""
    match = _TABLE.fullmatch(text.strip())
    if match is None:
        raise BadOption(
            f"table={text} is not [schema.]table",
            hint='quote a name that holds a dot or a quote: table=shop."order.items"',
        )
    schema, name = (
        part[1:-1].replace('""', '"') if part and part.startswith('"') else part
        for part in (match["schema"], match["name"])
    )
    return schema, name or ""


def quoted(part: str) -> str:
    return '"' + part.replace('"', '""') + '"' if re.search(r'[."]', part) else part


class Reader:
    """The batched catalog reads of one connection; counts its round trips.  ``connect``,
    if given, opens another connection to the same database: many json columns are
    sampled on it while the catalog is read and typed on the first."""

    def __init__(
        self,
        conn: Any,
        options: Options,
        connect: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
    ) -> None:
        self.conn, self.options, self.connect = conn, options, connect
        self.round_trips = 0

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        return await self._fetch(self.conn, sql, *args)

    async def _fetch(self, conn: Any, sql: str, *args: Any) -> list[Any]:
        self.round_trips += 1
        rows: list[Any] = await conn.fetch(sql, *args)
        return rows

    async def relations(self, schema: str | None, name: str | None) -> list[Relation]:
        kinds = ["r", "p", "f"] + (["v", "m"] if self.options.flag("include_views", True) else [])
        schema = schema or self.options.text("schema")
        rows = await self.fetch(pgc.RELATIONS, kinds, schema, name)
        return [
            Relation(
                r["oid"], r["schema"], r["name"], r["kind"], r["comment"], r["rows"], r["readable"]
            )
            for r in sorted(
                rows, key=lambda r: (r["search_rank"], r["schema"]) if name else (0, "")
            )
        ]

    async def one(self, table: str) -> Relation:
        schema, name = table_name(table)
        found = await self.relations(schema, name)
        if not found:
            others = await self.relations(None, None)
            names = [r.qualified for r in others] + [quoted(r.name) for r in others]
            close = difflib.get_close_matches(table, names, n=3)
            raise SourceNotFound(
                f"no table or view {table} in the database",
                hint=f"did you mean {', '.join(close)}?"
                if close
                else "schemacat discover lists the tables",
            )
        relation = found[0]
        if not relation.readable:
            raise AccessDenied(
                f"permission denied on {relation.qualified}",
                hint=f"GRANT SELECT ON {relation.qualified} to this user",
            )
        return relation

    async def describe(self, relations: list[Relation], uri: str) -> list[Discovery]:
        oids = [r.oid for r in relations]
        columns = await self.fetch(pgc.COLUMNS, oids)
        typed = _Types(
            {
                r["oid"]: pgc.PgType.from_row(r)
                for r in await self.fetch(pgc.TYPES, sorted({c["atttypid"] for c in columns}))
            }
        )
        by_oid = {r.oid: r for r in relations}
        wanted = [(by_oid[c["attrelid"]], c["attname"]) for c in columns if typed.is_json(c)]
        async with AsyncExitStack() as stack:
            other = await self._other_connection(stack) if len(wanted) > JSON_BATCH else None
            sampling = asyncio.ensure_future(self._json_types(other, wanted)) if other else None
            facts = asyncio.ensure_future(self._keys_and_statistics(oids))
            try:
                fields: dict[int, list[Field]] = {oid: [] for oid in oids}
                json_columns: list[tuple[Any, int]] = []  # (column, its position)
                for i, c in enumerate(columns, 1):  # json columns as JSON until sampled
                    mine = fields[c["attrelid"]]
                    if typed.is_json(c):
                        json_columns.append((c, len(mine)))
                    mine.append(typed.field(c, None))
                    if i % 1000 == 0:  # the catalog and the samples are read meanwhile
                        await asyncio.sleep(0)
                constraints, indexes, statistics = await facts
                stats, details = {}, {}
                for i, r in enumerate(relations, 1):
                    stats[r.oid] = _stats(r, statistics.get(r.oid, ()))
                    details[r.oid] = _constraints(
                        r, constraints.get(r.oid, ()), indexes.get(r.oid, ())
                    )
                    if i % 100 == 0:
                        await asyncio.sleep(0)
                json_types = await (sampling or self._json_types(self.conn, wanted))
            finally:
                for task in (facts, sampling):
                    if task is not None:
                        await _ended(task)
        for c, position in json_columns:
            sampled = json_types.get((c["attrelid"], c["attname"]))
            if sampled is not None and not pgc.is_json(sampled):
                fields[c["attrelid"]][position] = typed.field(c, sampled)
        where = redact(uri)
        return [
            Discovery(
                fields[r.oid],
                uri=where if len(relations) == 1 else f"{where}?table={r.qualified}",
                format="postgres",
                sampled=r.rows,
                stats=stats[r.oid],
                details={**details[r.oid], "round_trips": self.round_trips},
                name=r.qualified,
            )
            for r in relations
        ]

    async def _keys_and_statistics(
        self, oids: list[int]
    ) -> tuple[dict[int, list[Any]], dict[int, list[Any]], dict[int, list[Any]]]:
        """The constraints, indexes and pg_stats rows of the relations ``oids``, by relation."""
        constraints = _by_relation(await self.fetch(pgc.CONSTRAINTS, oids), "conrelid")
        indexes = _by_relation(await self.fetch(pgc.INDEXES, oids), "indrelid")
        statistics = _by_relation(await self.fetch(pgc.STATISTICS, oids), "relid")
        return constraints, indexes, statistics

    async def _other_connection(self, stack: AsyncExitStack) -> Any | None:
        """A second connection (closed with ``stack``), or None without ``connect`` or when
        the server, or the user's connection limit, will not take one more."""
        import asyncpg

        if self.connect is None:
            return None
        try:
            return await stack.enter_async_context(self.connect())
        except asyncpg.TooManyConnectionsError:
            return None

    async def _json_types(
        self, conn: Any, wanted: Sequence[tuple[Relation, str]]
    ) -> dict[tuple[int, str], pa.DataType]:
        """Sample the json/jsonb columns ``wanted``, ``JSON_BATCH`` to a statement: STRUCT
        if the values agree.  The statements are built on the server (one round trip for
        all); each runs under a server-side ``statement_timeout`` of the discovery's
        timeout, in a transaction of its own."""
        if not wanted:
            return {}
        statements = await self._fetch(
            conn,
            pgc.JSON_SAMPLE_BUILDER,
            [r.schema for r, _ in wanted],
            [r.name for r, _ in wanted],
            [c for _, c in wanted],
            self.options.sample_size,
            JSON_BATCH,
        )
        await conn.execute(f"SET statement_timeout = {int(self.options.timeout * 1000)}")
        out: dict[tuple[int, str], pa.DataType] = {}
        pending = asyncio.ensure_future(self._fetch(conn, statements[0]["statement"]))
        try:
            for following in [*statements[1:], None]:
                rows = await pending
                if following is not None:  # the server samples the next batch meanwhile
                    pending = asyncio.ensure_future(self._fetch(conn, following["statement"]))
                for row in rows:
                    relation, column = wanted[row["position"] - 1]
                    out[relation.oid, column] = _json_type(
                        [pgc.loads(v) for v in row["sample"] or ()]
                    )
                    await asyncio.sleep(0)  # the next batch's round trips go on meanwhile
        finally:
            await _ended(pending)
        return out


async def _ended(task: asyncio.Future[Any]) -> None:
    """``task`` over: cancelled if it still runs (its connection is closed as it ends), and
    its error, if the caller left before taking it, taken (it is not the caller's news)."""
    if not task.done():
        task.cancel()
    await asyncio.wait([task])
    if not task.cancelled():
        task.exception()


class _Types:
    """Columns as discovered fields: the Arrow type of each (oid, typmod, dimensions) is
    worked out once."""

    def __init__(self, types: dict[int, pgc.PgType]) -> None:
        self.types = types
        self.known: dict[tuple[int, int, int], tuple[pa.DataType, dict[str, str], bool]] = {}

    def arrow(self, column: Any) -> tuple[pa.DataType, dict[str, str], bool]:
        key = (column["atttypid"], column["atttypmod"], column["attndims"])
        found = self.known.get(key)
        if found is None:
            dtype, meta, domain_not_null = pgc.arrow_type(*key, self.types)
            found = self.known[key] = (_discovered_type(dtype), meta, domain_not_null)
        return found

    def is_json(self, column: Any) -> bool:
        return pgc.is_json(self.arrow(column)[0])

    def field(self, column: Any, sampled: pa.DataType | None) -> Field:
        """The column as ``discovered_schema(..., keep_nullability=True)`` makes it: nullable
        unless declared NOT NULL (or its domain is), then with a default of null if it has
        none; a json column typed by its sample if ``sampled``."""
        dtype, meta, domain_not_null = self.arrow(column)
        meta = dict(meta)
        default, generated = pgc.column_default(column, dtype)
        if generated is not None:
            meta["pg.default"] = generated
        nullable = not (column["attnotnull"] or domain_not_null)
        if nullable and default is NO_DEFAULT:
            default = None
        return Field(
            column["attname"],
            dtype if sampled is None else sampled,
            nullable,
            default=default,
            comment=column["comment"],
            metadata=meta,
        )


def _discovered_type(dtype: pa.DataType) -> pa.DataType:
    """``dtype`` as ``discovered_schema`` leaves it (its nested fields nullable, with a
    default of null); a type that nests nothing is left as it is."""
    if kind(dtype) not in (STRUCT, LIST, MAP):
        return dtype
    column = pa.schema([pa.field("column", dtype)])
    return discovered_schema(column, keep_nullability=True).fields[0].type


def _by_relation(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    """Rows grouped by the relation in column ``key``, in the order they came."""
    out: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def _json_type(values: list[Any]) -> pa.DataType:
    """STRUCT(...) if the sampled values are objects that agree, else JSON.  The struct's
    fields are as ``discovered_schema`` leaves them (infer_records' schema is one): each
    nullable, with a default of null."""
    if not values or not all(isinstance(v, dict) for v in values):
        return pa.json_()
    inferred = infer_records(values)
    if inferred.conflicts:
        return pa.json_()
    return pa.struct([f.to_arrow() for f in inferred.schema])


def _stats(relation: Relation, statistics: Iterable[Any]) -> dict[str, ColumnStats]:
    out = {}
    for s in statistics:
        distinct = s["n_distinct"]
        if distinct is not None and distinct < 0:
            distinct = -distinct * relation.rows
        out[s["attname"]] = ColumnStats(
            null_fraction=round(float(s["null_frac"]), 6),
            distinct_count=int(distinct) if distinct is not None else None,
            min=s["low"],
            max=s["high"],
        )
    return out


def _constraints(relation: Relation, mine: Sequence[Any], indexes: Iterable[Any]) -> dict[str, Any]:
    return {
        "kind": pgc.RELATION_KINDS[relation.kind],
        "rows_estimate": relation.rows,
        "comment": relation.comment,
        "primary_key": next((list(c["columns"]) for c in mine if c["kind"] == "p"), []),
        "unique": [list(c["columns"]) for c in mine if c["kind"] == "u"],
        "foreign_keys": [
            {"name": c["conname"], "columns": list(c["columns"]), "definition": c["definition"]}
            for c in mine if c["kind"] == "f"
        ],
        "indexes": [
            {"name": i["name"], "unique": i["is_unique"], "definition": i["definition"]}
            for i in indexes
        ],
    }  # fmt: skip
