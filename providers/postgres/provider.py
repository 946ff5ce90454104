"""PostgreSQL tables and views: ``postgresql://[user[:pass]@]host[:port]/db?table=[schema.]table``.

The schema comes from pg_catalog, never from scanning the table: types,
NOT NULL, defaults (as text), comments, keys, foreign keys and indexes, and
statistics from pg_stats where ANALYZE has run.  Only ``json``/``jsonb``
columns are sampled, to type them.  Without ``table`` the URI names every
table and view the user may read (``include_views``, ``schema`` to restrict).
The catalog queries are batched: the number of round trips does not grow with
the number of tables.  libpq's connection parameters in the query string
(``sslmode=require``, ``host=/var/run/postgresql`` ...) go to asyncpg as they are.
"""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import urlencode

import pyarrow as pa

from catalog.discovery import (
    COMMON_OPTIONS,
    CompletionScope,
    Discovery,
    Options,
    Provider,
    SourceObject,
    reason,
)
from catalog.errors import (
    AccessDenied,
    BadOption,
    DiscoveryError,
    SourceNotFound,
    SourceUnreachable,
)
from catalog.infer import discovered_schema, infer_records
from catalog.infer.stats import ColumnStats
from catalog.schema import Field
from catalog.secrets import redact
from catalog.uri import Location, locate
from providers.postgres import pg_catalog as pgc

T = TypeVar("T")
OWN_OPTIONS = ("table", "schema", "include_views")
LIBPQ_OPTIONS = (  # the connection parameters asyncpg reads from a DSN's query string
    *("host", "port", "user", "password", "passfile", "dbname", "sslmode", "sslrootcert"),
    *("sslcert", "sslkey", "sslpassword", "sslcrl", "sslnegotiation", "target_session_attrs"),
    *("ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib"),
    "application_name",
)


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
        return f"{_quoted(self.schema)}.{_quoted(self.name)}"


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


def _quoted(part: str) -> str:
    return '"' + part.replace('"', '""') + '"' if re.search(r'[."]', part) else part


class PostgresProvider(Provider):
    schemes = ("postgresql", "postgres")
    options = (*COMMON_OPTIONS, *OWN_OPTIONS, *LIBPQ_OPTIONS)

    async def discover(self, uri: str, options: Options) -> Discovery:
        if not options.text("table"):
            raise DiscoveryError(
                f"{redact(uri)} names a database, not a table",
                hint="add ?table=[schema.]table (schemacat discover lists the tables)",
            )

        async def read() -> Discovery:
            async with _connection(uri, options) as conn:
                reader = _Reader(conn, options)
                relation = await reader.one(options.text("table") or "")
                [found] = await reader.describe([relation], uri)
                return found

        return await _within(read(), uri, options)

    async def sample(self, uri: str, options: Options) -> pa.Table:
        found = await self.discover(uri, options)
        return pa.table({f.name: pa.array([], f.type) for f in found})

    async def check(self, uri: str, options: Options) -> None:
        async def read() -> None:
            async with _connection(uri, options) as conn:
                await conn.fetchval("SELECT 1")

        await _within(read(), uri, options)

    async def children(self, uri: str, options: Options) -> list[str] | None:
        async def read() -> list[str]:
            async with _connection(uri, options) as conn:
                relations = await _Reader(conn, options).relations(None, None)
                return [r.qualified for r in relations if r.readable]

        return await _within(read(), uri, options)

    async def list_objects(self, uri: str, options: Options) -> list[SourceObject] | None:
        if options.text("table"):
            return None

        async def read() -> list[SourceObject]:
            async with _connection(uri, options) as conn:
                reader = _Reader(conn, options)
                relations = await reader.relations(None, None)
                readable = [r for r in relations if r.readable]
                found = await reader.describe(readable, uri) if readable else []
                described = dict(zip((r.qualified for r in readable), found, strict=True))
                return [_listing(r, described.get(r.qualified)) for r in relations]

        return await _within(read(), uri, options)

    def completion_scope(self, prefix: str) -> CompletionScope | None:
        base, found, _ = prefix.rpartition("table=")
        if not found:
            return None
        return CompletionScope(base.rstrip("?&"), base + "table=", "table")

    def basis(self, facts: Mapping[str, Any]) -> list[str]:
        details = facts.get("details") or {}
        parts = super().basis(facts)
        if details.get("primary_key"):
            parts.append(f"primary key ({', '.join(details['primary_key'])})")
        parts += [f"unique ({', '.join(columns)})" for columns in details.get("unique") or ()]
        parts += [key["definition"] for key in details.get("foreign_keys") or ()]
        parts += [index["definition"] for index in details.get("indexes") or ()]
        return parts


def _listing(relation: Relation, found: Discovery | None) -> SourceObject:
    kind = pgc.RELATION_KINDS[relation.kind]
    if found is None:
        return SourceObject(relation.qualified, kind, skipped="permission denied")
    return SourceObject(relation.qualified, kind, rows=relation.rows, schema=found.schema)


async def _within(work: Awaitable[T], uri: str, options: Options) -> T:
    """``work``, ended at the timeout: it is a deadline for connecting and every query."""
    import asyncpg

    deadline = options.deadline()
    try:
        return await asyncio.wait_for(work, deadline.left)
    except TimeoutError:
        raise SourceUnreachable(
            f"PostgreSQL at {_where(uri, options)} did not answer within the timeout "
            f"({deadline.took()})",
            hint="raise timeout for a large database or a slow link",
        ) from None
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        raise DiscoveryError(
            f"PostgreSQL at {_where(uri, options)} failed: {reason(exc)} ({deadline.took()})"
        ) from None


def _where(uri: str, options: Options) -> str:
    """``host:port/database``, as messages name a server."""
    place = locate(uri)
    host, port = (place.hosts() or [(options.text("host") or "localhost", None)])[0]
    return f"{host}:{port or options.text('port') or 5432}/{place.path.lstrip('/')}"


@asynccontextmanager
async def _connection(uri: str, options: Options) -> AsyncIterator[Any]:
    import asyncpg

    place = locate(uri)
    libpq = {k: v for k, v in options.values.items() if k in LIBPQ_OPTIONS}
    database = place.path.lstrip("/")
    where = _where(uri, options)
    base = replace(place, scheme="postgresql").base()
    dsn = base + (f"?{urlencode(libpq)}" if libpq else "")
    deadline = options.deadline()
    try:
        conn = await asyncpg.connect(dsn, timeout=options.timeout, command_timeout=options.timeout)
    except (OSError, TimeoutError) as exc:
        why = "no answer within the timeout" if isinstance(exc, TimeoutError) else reason(exc)
        raise SourceUnreachable(
            f"cannot reach PostgreSQL at {where}: {why} ({deadline.took()})",
            hint="check host and port, and that the server accepts TCP connections"
            + (
                f"; sslmode={libpq['sslmode']} needs a server that offers TLS"
                if "sslmode" in libpq
                else ""
            ),
        ) from None
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError) as exc:
        raise AccessDenied(
            f"PostgreSQL at {where} refused the login: {exc}",
            hint="check the user, and the password in PGPASSWORD or ~/.pgpass",
        ) from None
    except asyncpg.InvalidCatalogNameError:
        raise SourceNotFound(
            f"database {database} does not exist at {where}",
            hint=await _close_databases(place, libpq, options.timeout),
        ) from None
    try:
        yield conn
    finally:
        await conn.close()


async def _close_databases(place: Location, libpq: dict[str, str], timeout: float) -> str:
    """A hint naming the databases closest to the one ``place`` names (best effort: it needs
    another login, to the database ``postgres``)."""
    import asyncpg

    name = place.path.lstrip("/")
    other = replace(place, scheme="postgresql", path="/postgres")
    dsn = other.base() + (f"?{urlencode(libpq)}" if libpq else "")
    try:
        conn = await asyncpg.connect(dsn, timeout=timeout)
    except (OSError, asyncpg.PostgresError):
        return "check the database name"
    try:
        names = [
            r[0]
            for r in await conn.fetch("SELECT datname FROM pg_database WHERE NOT datistemplate")
        ]
    finally:
        await conn.close()
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.0)
    return f"the databases closest: {', '.join(close)}" if close else "check the database name"


class _Reader:
    """The batched catalog reads of one connection; counts its round trips."""

    def __init__(self, conn: Any, options: Options) -> None:
        self.conn, self.options = conn, options
        self.round_trips = 0

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.round_trips += 1
        rows: list[Any] = await self.conn.fetch(sql, *args)
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
            names = [r.qualified for r in others] + [_quoted(r.name) for r in others]
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
        types = {
            r["oid"]: pgc.PgType.from_row(r)
            for r in await self.fetch(pgc.TYPES, sorted({c["atttypid"] for c in columns}))
        }
        constraints = await self.fetch(pgc.CONSTRAINTS, oids)
        indexes = await self.fetch(pgc.INDEXES, oids)
        statistics = await self.fetch(pgc.STATISTICS, oids)
        fields: dict[int, list[Field]] = {oid: [] for oid in oids}
        for c in columns:
            dtype, meta, domain_not_null = pgc.arrow_type(
                c["atttypid"], c["atttypmod"], c["attndims"], types
            )
            default, generated = pgc.column_default(c, dtype)
            if generated is not None:
                meta["pg.default"] = generated
            fields[c["attrelid"]].append(
                Field(
                    c["attname"],
                    dtype,
                    not (c["attnotnull"] or domain_not_null),
                    default=default,
                    comment=c["comment"],
                    metadata=meta,
                )
            )
        json_types = await self._json_types(relations, fields)
        out = []
        for r in relations:
            columns_of = [
                f.replace(type=json_types.get((r.oid, f.name), f.type)) for f in fields[r.oid]
            ]
            schema = discovered_schema(
                pa.schema([f.to_arrow() for f in columns_of]), keep_nullability=True
            )
            out.append(
                Discovery(
                    schema.fields,
                    uri=redact(uri)
                    if len(relations) == 1
                    else f"{redact(uri)}?table={r.qualified}",
                    format="postgres",
                    sampled=r.rows,
                    stats=_stats(r, statistics),
                    details={
                        **_constraints(r, constraints, indexes),
                        "round_trips": self.round_trips,
                    },
                    name=r.qualified,
                )
            )
        return out

    async def _json_types(
        self, relations: list[Relation], fields: dict[int, list[Field]]
    ) -> dict[tuple[int, str], pa.DataType]:
        """Sample the json/jsonb columns (one statement for all): STRUCT if the values agree."""
        wanted = [(r, f.name) for r in relations for f in fields[r.oid] if pgc.is_json(f.type)]
        if not wanted:
            return {}
        size = self.options.sample_size
        statement = await self.conn.fetchval(
            pgc.JSON_SAMPLE_BUILDER,
            [r.schema for r, _ in wanted],
            [r.name for r, _ in wanted],
            [c for _, c in wanted],
            size,
        )
        self.round_trips += 2
        async with self.conn.transaction():
            await self.conn.execute(
                f"SET LOCAL statement_timeout = {int(self.options.timeout * 1000)}"
            )
            rows = await self.conn.fetch(statement)
        out: dict[tuple[int, str], pa.DataType] = {}
        for (relation, column), row in zip(wanted, rows, strict=True):
            values = [pgc.loads(v) for v in row["sample"] or ()]
            out[(relation.oid, column)] = _json_type(values)
        return out


def _json_type(values: list[Any]) -> pa.DataType:
    if not values or not all(isinstance(v, dict) for v in values):
        return pa.json_()
    inferred = infer_records(values)
    if inferred.conflicts:
        return pa.json_()
    return pa.struct([f.to_arrow() for f in inferred.schema])


def _stats(relation: Relation, statistics: list[Any]) -> dict[str, ColumnStats]:
    out = {}
    for s in statistics:
        if s["relid"] != relation.oid:
            continue
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


def _constraints(relation: Relation, constraints: list[Any], indexes: list[Any]) -> dict[str, Any]:
    mine = [c for c in constraints if c["conrelid"] == relation.oid]
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
            for i in indexes if i["indrelid"] == relation.oid
        ],
    }  # fmt: skip
