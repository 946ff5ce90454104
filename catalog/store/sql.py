"""The catalog logic both SQL backends share, written once over a small transaction API.

A backend supplies ``transaction()`` (a write transaction that holds the lock
on the rows it reads: ``BEGIN IMMEDIATE`` in SQLite, ``FOR UPDATE`` in
PostgreSQL), ``snapshot()`` for reads, ``query()`` for a read that is one
statement (atomic on its own, so it needs no transaction and costs one round
trip), and its migrations.  SQL is written with
``$1`` placeholders, which SQLite reads as ``?1``.
"""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from catalog.errors import (
    CatalogVersionError,
    StreamExists,
    VersionNotFound,
)
from catalog.schema import Schema
from catalog.store.base import (
    NewVersion,
    SchemaVersion,
    Store,
    StreamRecord,
    StreamSpec,
    StreamWriter,
    dump_json,
    encode_updates,
    load_json,
    not_found,
    now,
    stream_key,
)

Row = Mapping[str, Any]
T = TypeVar("T")

_STREAM_COLUMNS = (
    "name, datasource, format, options, compatibility, lineage, latest_version, "
    "created_at, updated_at, query"
)
_VERSION_COLUMNS = "version, schema, fingerprint, origin, change, discovery, created_at"
_S_COLUMNS = ", ".join(f"s.{c}" for c in _STREAM_COLUMNS.split(", "))
_V_COLUMNS = ", ".join(f"v.{c}" for c in _VERSION_COLUMNS.split(", "))


class Tx(Protocol):
    """One transaction's statements."""

    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...

    async def execute(self, sql: str, *args: Any) -> None: ...


async def to_the_end(step: Awaitable[T]) -> T:
    """Run a step that must not stop half way (COMMIT, ROLLBACK, making the catalog file)
    to its end even if the task is cancelled meanwhile: a statement whose commit has begun
    completes, and a rollback is never left half done.  The cancel request stays on the
    task (``cancelling()``), so the session stops before its next statement."""
    future = asyncio.ensure_future(step)
    while True:
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if future.done():  # the step itself was cancelled, or ended as it was asked to
                return future.result()


#: a step of a migration: a SQL statement, or a coroutine given the transaction
Step = str | Callable[[Tx], Awaitable[None]]


class SQLStore(Store):
    #: ``(version, steps)`` in order; a catalog records which it has applied.
    MIGRATIONS: Sequence[tuple[int, Sequence[Step]]] = ()
    FOR_UPDATE = ""

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...

    @abstractmethod
    def snapshot(self) -> AbstractAsyncContextManager[Tx]: ...

    @abstractmethod
    async def query(self, sql: str, *args: Any) -> list[Row]:
        """The rows of one read-only statement."""

    @abstractmethod
    def migration_lock(self) -> AbstractAsyncContextManager[Tx]:
        """A transaction that holds the catalog-wide lock taken while migrating."""

    @abstractmethod
    def to_datetime(self, value: Any) -> datetime: ...

    # -- migrations ----------------------------------------------------------------
    async def migrate(self, migrations: Sequence[tuple[int, Sequence[Step]]] | None = None) -> None:
        async with self.migration_lock() as tx:
            await self.migrate_in(tx, self.MIGRATIONS if migrations is None else migrations)

    async def migrate_in(self, tx: Tx, migrations: Sequence[tuple[int, Sequence[Step]]]) -> None:
        """Apply in ``tx`` the migrations the catalog has not had yet."""
        newest = max(v for v, _ in migrations)
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schemacat_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        rows = await tx.fetch("SELECT version FROM schemacat_migrations")
        applied = {r["version"] for r in rows}
        if applied and max(applied) > newest:
            raise CatalogVersionError(
                f"the catalog {self.url} was written by a newer schemacat "
                f"(store version {max(applied)}, this release knows {newest})",
                hint="upgrade schemacat to open it",
            )
        for version, steps in migrations:
            if version in applied:
                continue
            for step in steps:
                await (tx.execute(step) if isinstance(step, str) else step(tx))
            await tx.execute(
                "INSERT INTO schemacat_migrations (version, applied_at) VALUES ($1, $2)",
                version,
                now().isoformat(),
            )

    async def store_version(self) -> int:
        async with self.snapshot() as tx:
            rows = await tx.fetch("SELECT MAX(version) AS v FROM schemacat_migrations")
        return int(rows[0]["v"] or 0)

    # -- streams -------------------------------------------------------------------
    async def create_stream(self, spec: StreamSpec, version: NewVersion) -> SchemaVersion:
        spec = spec.redacted()
        at = now()
        async with self.transaction() as tx:
            existing = await tx.fetch(
                "SELECT name FROM streams WHERE key = $1", stream_key(spec.name)
            )
            if existing:
                raise StreamExists(
                    f"stream {existing[0]['name']!r} already exists",
                    hint="use CREATE OR REPLACE STREAM, or IF NOT EXISTS",
                )
            await tx.execute(
                "INSERT INTO streams (key, name, datasource, format, options, compatibility, "
                "lineage, query, latest_version, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
                stream_key(spec.name),
                spec.name,
                spec.datasource,
                spec.format,
                dump_json(dict(spec.options)),
                spec.compatibility,
                dump_json(list(spec.lineage)),
                spec.query,
                at,
            )
            return await self._insert_version(tx, spec.name, 1, version, at)

    @asynccontextmanager
    async def writing(self, name: str) -> AsyncIterator[StreamWriter]:
        async with self.transaction() as tx:
            rows = await tx.fetch(
                f"SELECT {_STREAM_COLUMNS} FROM streams WHERE key = $1{self.FOR_UPDATE}",
                stream_key(name),
            )
            if not rows:
                raise not_found(name, await self._names(tx))
            yield _Writer(self, tx, self._stream_record(rows[0]))

    async def drop_stream(self, name: str) -> bool:
        async with self.transaction() as tx:
            await tx.execute("DELETE FROM schema_versions WHERE stream_key = $1", stream_key(name))
            rows = await tx.fetch(
                "DELETE FROM streams WHERE key = $1 RETURNING key", stream_key(name)
            )
            return bool(rows)

    async def get_stream(self, name: str) -> StreamRecord:
        rows = await self.query(
            f"SELECT {_STREAM_COLUMNS} FROM streams WHERE key = $1", stream_key(name)
        )
        if not rows:
            raise not_found(name, await self._names())
        return self._stream_record(rows[0])

    async def list_streams(self) -> list[StreamRecord]:
        rows = await self.query(f"SELECT {_STREAM_COLUMNS} FROM streams ORDER BY key")
        return [self._stream_record(r) for r in rows]

    async def get_version(self, name: str, version: int | None = None) -> SchemaVersion:
        rows = await self.query(
            f"SELECT s.name AS stream_name, {_V_COLUMNS} FROM streams s "
            "JOIN schema_versions v ON v.stream_key = s.key "
            "AND v.version = COALESCE($2, s.latest_version) WHERE s.key = $1",
            stream_key(name),
            version,
        )
        if not rows:
            stream = await self.get_stream(name)
            raise VersionNotFound(
                f"stream {stream.name!r} has no version {version}",
                hint=f"its versions are 1 to {stream.latest_version}",
            )
        return self._version(rows[0]["stream_name"], rows[0])

    async def list_versions(self, name: str) -> list[SchemaVersion]:
        rows = await self.query(
            f"SELECT s.name AS stream_name, {_V_COLUMNS} FROM streams s "
            "JOIN schema_versions v ON v.stream_key = s.key WHERE s.key = $1 ORDER BY v.version",
            stream_key(name),
        )
        if not rows:
            raise not_found(name, await self._names())
        return [self._version(r["stream_name"], r) for r in rows]

    async def list_latest(self) -> list[tuple[StreamRecord, SchemaVersion]]:
        version_columns = ", ".join(f"v.{c} AS v_{c}" for c in _VERSION_COLUMNS.split(", "))
        rows = await self.query(
            f"SELECT {_S_COLUMNS}, {version_columns} FROM streams s JOIN schema_versions v "
            "ON v.stream_key = s.key AND v.version = s.latest_version ORDER BY s.key"
        )
        return [
            (
                self._stream_record(r),
                self._version(r["name"], {k[2:]: v for k, v in r.items() if k.startswith("v_")}),
            )
            for r in rows
        ]

    async def get_setting(self, key: str) -> str | None:
        rows = await self.query("SELECT value FROM settings WHERE key = $1", key)
        return rows[0]["value"] if rows else None

    async def set_setting(self, key: str, value: str) -> None:
        async with self.transaction() as tx:
            await tx.execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                key,
                value,
            )

    # -- rows ----------------------------------------------------------------------
    async def _names(self, tx: Tx | None = None) -> list[str]:
        sql = "SELECT name FROM streams"
        return [r["name"] for r in await (tx.fetch(sql) if tx else self.query(sql))]

    async def _stream(self, tx: Tx, name: str) -> StreamRecord:
        rows = await tx.fetch(
            f"SELECT {_STREAM_COLUMNS} FROM streams WHERE key = $1", stream_key(name)
        )
        if not rows:
            raise not_found(name, await self._names(tx))
        return self._stream_record(rows[0])

    async def _version_row(self, tx: Tx, name: str, version: int) -> Row:
        rows = await tx.fetch(
            f"SELECT {_VERSION_COLUMNS} FROM schema_versions "
            "WHERE stream_key = $1 AND version = $2",
            stream_key(name),
            version,
        )
        return rows[0]

    async def _update(self, tx: Tx, name: str, columns: Mapping[str, Any], at: datetime) -> None:
        assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(columns, start=3))
        sql = "UPDATE streams SET updated_at = $2" + (f", {assignments}" if assignments else "")
        await tx.execute(sql + " WHERE key = $1", stream_key(name), at, *columns.values())

    async def _insert_version(
        self, tx: Tx, name: str, number: int, version: NewVersion, at: datetime
    ) -> SchemaVersion:
        discovery = None if version.discovery is None else dump_json(version.discovery)
        await tx.execute(
            "INSERT INTO schema_versions (stream_key, version, schema, fingerprint, origin, "
            "change, discovery, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            stream_key(name),
            number,
            version.schema.canonical,
            version.schema.fingerprint,
            version.origin,
            version.change,
            discovery,
            at,
        )
        return SchemaVersion(
            stream=name,
            version=number,
            schema=version.schema,
            fingerprint=version.schema.fingerprint,
            origin=version.origin,
            change=version.change,
            created_at=at,
            discovery=version.discovery,
        )

    def _stream_record(self, row: Row) -> StreamRecord:
        return StreamRecord(
            name=row["name"],
            datasource=row["datasource"],
            format=row["format"],
            options=load_json(row["options"]),
            compatibility=row["compatibility"],
            lineage=tuple(load_json(row["lineage"])),
            latest_version=row["latest_version"],
            created_at=self.to_datetime(row["created_at"]),
            updated_at=self.to_datetime(row["updated_at"]),
            query=row["query"],
        )

    def _version(self, name: str, row: Row) -> SchemaVersion:
        return SchemaVersion(
            stream=name,
            version=row["version"],
            schema=_decode(row["schema"]),
            fingerprint=row["fingerprint"],
            origin=row["origin"],
            change=row["change"],
            created_at=self.to_datetime(row["created_at"]),
            discovery=load_json(row["discovery"]),
        )


@lru_cache(maxsize=512)
def _decode(canonical: str) -> Schema:
    """Schemas are immutable, and the same few versions are read again and again."""
    return Schema.from_json(canonical)


class _Writer(StreamWriter):
    def __init__(self, store: SQLStore, tx: Tx, stream: StreamRecord) -> None:
        self._store, self._tx, self.stream = store, tx, stream

    async def latest(self) -> SchemaVersion:
        row = await self._store._version_row(self._tx, self.stream.name, self.stream.latest_version)
        return self._store._version(self.stream.name, row)

    async def versions(self) -> list[SchemaVersion]:
        rows = await self._tx.fetch(
            f"SELECT {_VERSION_COLUMNS} FROM schema_versions WHERE stream_key = $1 "
            "ORDER BY version",
            stream_key(self.stream.name),
        )
        return [self._store._version(self.stream.name, r) for r in rows]

    async def append(self, version: NewVersion) -> SchemaVersion:
        at, number = now(), self.stream.latest_version + 1
        await self._tx.execute(
            "UPDATE streams SET latest_version = $2, updated_at = $3 WHERE key = $1",
            stream_key(self.stream.name),
            number,
            at,
        )
        added = await self._store._insert_version(self._tx, self.stream.name, number, version, at)
        self.stream = replace(self.stream, latest_version=number, updated_at=at)
        return added

    async def update(self, **changes: Any) -> StreamRecord:
        await self._store._update(self._tx, self.stream.name, encode_updates(changes), now())
        self.stream = await self._store._stream(self._tx, self.stream.name)
        return self.stream
