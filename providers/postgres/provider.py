"""PostgreSQL tables and views: ``postgresql://[user[:pass]@]host[:port]/db?table=[schema.]table``.

The schema comes from pg_catalog, never from scanning the table: types,
NOT NULL, defaults (as text), comments, keys, foreign keys and indexes, and
statistics from pg_stats where ANALYZE has run.  Only ``json``/``jsonb``
columns are sampled, to type them.  Without ``table`` the URI names every
table and view the user may read (``include_views``, ``schema`` to restrict).
The catalog queries are batched: their number does not grow with the number of
tables; the json columns are sampled a bounded batch to a statement, on a second
connection alongside the catalog reads when there are many (see ``reader``).  libpq's
connection parameters in the query string (``sslmode=require``,
``host=/var/run/postgresql`` ...) go to asyncpg as they are.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
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
    DiscoveryError,
    SourceNotFound,
    SourceUnreachable,
)
from catalog.secrets import redact
from catalog.uri import Location, locate
from providers.postgres import pg_catalog as pgc
from providers.postgres.reader import Reader as _Reader
from providers.postgres.reader import Relation, table_name

__all__ = ["PostgresProvider", "Relation", "table_name"]

T = TypeVar("T")
OWN_OPTIONS = ("table", "schema", "include_views")
LIBPQ_OPTIONS = (  # the connection parameters asyncpg reads from a DSN's query string
    *("host", "port", "user", "password", "passfile", "dbname", "sslmode", "sslrootcert"),
    *("sslcert", "sslkey", "sslpassword", "sslcrl", "sslnegotiation", "target_session_attrs"),
    *("ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib"),
    "application_name",
)


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
                reader = _Reader(conn, options, lambda: _connection(uri, options))
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
                reader = _Reader(conn, options, lambda: _connection(uri, options))
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
