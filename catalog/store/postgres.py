"""A catalog shared by a team: tables in a PostgreSQL schema (``?schema=``, default ``schemacat``).

Writes lock the stream's row (``SELECT ... FOR UPDATE``) so that concurrent
writers append versions one after the other; migrations run under an advisory
lock so that two first starts do not both create the tables.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import asyncpg

from catalog.errors import CatalogError, CatalogURLError, SchemacatError, StreamExists
from catalog.secrets import redact
from catalog.store.base import (
    CatalogDump,
    LoadReport,
    NewVersion,
    SchemaVersion,
    StreamSpec,
    stream_key,
)
from catalog.store.migrations import (
    HISTORY_SUMMARIES,
    canonical_schemas,
    fingerprints,
    registry_tables,
)
from catalog.store.sql import Row, SQLStore, Step, Tx, to_the_end
from catalog.uri import locate

DEFAULT_SCHEMA = "schemacat"
CONNECT_TIMEOUT = 10.0

MIGRATIONS: list[tuple[int, list[Step]]] = [
    (
        1,
        [
            """CREATE TABLE streams (
                key TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                datasource TEXT,
                format TEXT,
                options TEXT NOT NULL DEFAULT '{}',
                compatibility TEXT NOT NULL,
                lineage TEXT NOT NULL DEFAULT '[]',
                latest_version INTEGER NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            )""",
            """CREATE TABLE schema_versions (
                stream_key TEXT NOT NULL REFERENCES streams (key) ON DELETE CASCADE,
                version INTEGER NOT NULL,
                schema TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                origin TEXT NOT NULL,
                change TEXT NOT NULL,
                discovery TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (stream_key, version)
            )""",
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ],
    ),
    (2, [canonical_schemas]),
    (3, ["ALTER TABLE streams ADD COLUMN query TEXT"]),  # a derived stream's AS SELECT
    (4, [fingerprints]),
    (5, registry_tables("BIGINT")),
    (6, HISTORY_SUMMARIES),
]


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _PgTx:
    def __init__(self, conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy) -> None:
        self._conn = conn

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return [dict(r) for r in await self._conn.fetch(sql, *args)]

    async def execute(self, sql: str, *args: Any) -> None:
        await self._conn.execute(sql, *args)


class PostgresStore(SQLStore):
    MIGRATIONS = MIGRATIONS
    FOR_UPDATE = " FOR UPDATE"

    async def _lock_streams(self, tx: Tx) -> None:
        await tx.execute("LOCK TABLE streams IN EXCLUSIVE MODE")  # reads go on

    async def _lock_schema_ids(self, tx: Tx) -> bool:
        await tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))", f"schemacat:{self.schema}:schema-ids"
        )
        return True

    async def _lock_subject(self, tx: Tx, name: str) -> None:
        await tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            f"schemacat:{self.schema}:subject:{stream_key(name)}",
        )

    def __init__(self, url: str, schema: str, pool: asyncpg.Pool) -> None:
        self.url = redact(url)
        self.schema = schema
        self._pool = pool

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        place = locate(url)
        query = dict(parse_qsl(place.query))
        schema = query.pop("schema", DEFAULT_SCHEMA)
        if not schema:
            raise CatalogURLError(f"empty ?schema= in {redact(url)}")
        try:
            place.hosts()  # the ports are numbers
        except SchemacatError as exc:
            raise CatalogURLError(exc.message, hint=exc.hint) from None
        dsn = replace(place, scheme="postgresql").base() + (f"?{urlencode(query)}" if query else "")
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=1,
                max_size=4,
                timeout=CONNECT_TIMEOUT,
                server_settings={"search_path": quote_ident(schema)},
            )
        except ValueError as exc:  # a DSN asyncpg cannot read (a bracket left open ...)
            raise CatalogURLError(
                f"malformed PostgreSQL catalog URL {redact(url)!r}: {exc}",
                hint="write postgresql://user@host:port/db (an IPv6 host in brackets: [::1])",
            ) from None
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            raise CatalogError(
                f"cannot connect to the catalog database {redact(url)}: {exc}",
                hint="check host, port, database and credentials (PGPASSWORD or ~/.pgpass)",
            ) from None
        store = cls(url, schema, pool)
        try:
            await store.migrate()
        except BaseException:
            await pool.close()
            raise
        return store

    @asynccontextmanager
    async def _transaction(
        self, lock_catalog: bool = False, *, snapshot: bool = False
    ) -> AsyncIterator[Tx]:
        try:
            conn = await self._pool.acquire()
            try:
                transaction = (
                    conn.transaction(isolation="repeatable_read", readonly=True)
                    if snapshot  # every statement reads the same moment (a whole backup)
                    else conn.transaction()
                )
                await transaction.start()
                try:
                    if lock_catalog:
                        await conn.execute(
                            "SELECT pg_advisory_xact_lock(hashtext($1))",
                            f"schemacat:{self.schema}",
                        )
                        await conn.execute(
                            f"CREATE SCHEMA IF NOT EXISTS {quote_ident(self.schema)}"
                        )
                    yield _PgTx(conn)
                except BaseException:
                    with suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                        await to_the_end(transaction.rollback())  # a lost connection: gone
                    raise
                await to_the_end(transaction.commit())
            finally:  # after a commit, nothing may stop the statement from completing
                await to_the_end(self._pool.release(conn))
        except asyncpg.UniqueViolationError:
            raise  # create_stream's to tell
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise self._error(exc) from None

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        return self._transaction()

    def snapshot(self) -> AbstractAsyncContextManager[Tx]:
        return self._transaction(snapshot=True)

    def migration_lock(self) -> AbstractAsyncContextManager[Tx]:
        return self._transaction(lock_catalog=True)

    async def query(self, sql: str, *args: Any) -> list[Row]:
        try:
            return [dict(r) for r in await self._pool.fetch(sql, *args)]
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> CatalogError:
        """What went wrong with the catalog database, in words a user can act on; a
        transaction that failed is rolled back, so nothing changed."""
        if isinstance(exc, asyncpg.InsufficientPrivilegeError):
            return CatalogError(
                f"the catalog database {self.url} refused: {exc}",
                hint=f"the user needs CREATE on the database (for the schema {self.schema}) "
                "or an owner to create it, then USAGE and CREATE on the schema",
                code="CATALOG_PRIVILEGE",
            )
        if isinstance(exc, OSError | asyncpg.InterfaceError | asyncpg.ConnectionDoesNotExistError):
            return CatalogError(
                f"lost the connection to the catalog database {self.url} ({exc}); "
                "what was being written is rolled back",
                hint="check that the server is up, then run the statement again",
                code="CATALOG_UNREACHABLE",
            )
        return CatalogError(f"the catalog database {self.url} failed: {exc}")

    def to_datetime(self, value: Any) -> datetime:
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)

    async def load(
        self, dump: CatalogDump, *, merge: bool = False, dry_run: bool = False
    ) -> LoadReport:
        try:
            return await super().load(dump, merge=merge, dry_run=dry_run)
        except asyncpg.UniqueViolationError as exc:  # written meanwhile by another writer
            raise CatalogError(
                f"cannot load: {exc.detail or exc} was written by another writer meanwhile; "
                "nothing was written",
                hint="load again: what is there the same is kept, and what differs is named",
                code="LOAD_CONFLICT",
            ) from None

    async def create_stream(self, spec: StreamSpec, version: NewVersion) -> SchemaVersion:
        try:
            return await super().create_stream(spec, version)
        except asyncpg.UniqueViolationError:  # another writer created it meanwhile
            raise StreamExists(f"stream {spec.name!r} already exists") from None

    async def close(self) -> None:
        await self._pool.close()
