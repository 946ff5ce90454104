"""The embedded catalog: one SQLite file in WAL mode, shared safely by several processes.

All statements run on one connection in one worker thread, so the event loop
never blocks on the disk.  Writes take SQLite's write lock up front
(``BEGIN IMMEDIATE``) and wait up to ``busy_timeout`` for another process to
finish; reads see a consistent snapshot.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from catalog.errors import CatalogError
from catalog.store.migrations import canonical_schemas
from catalog.store.sql import Row, SQLStore, Step, Tx

T = TypeVar("T")

BUSY_TIMEOUT_MS = 60_000

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
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE schema_versions (
                stream_key TEXT NOT NULL REFERENCES streams (key) ON DELETE CASCADE,
                version INTEGER NOT NULL,
                schema TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                origin TEXT NOT NULL,
                change TEXT NOT NULL,
                discovery TEXT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (stream_key, version)
            )""",
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ],
    ),
    (2, [canonical_schemas]),
]


class _SQLiteTx:
    """Statements on the store's connection; ``BEGIN`` goes with the first of them, so a
    transaction costs no extra trip to the database thread."""

    def __init__(self, store: SQLiteStore, begin: str) -> None:
        self._store = store
        self.pending_begin: str | None = begin

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        begin, self.pending_begin = self.pending_begin, None
        return await self._store.call(_fetch, self._store.conn, sql, args, begin)

    async def execute(self, sql: str, *args: Any) -> None:
        await self.fetch(sql, *args)


def _fetch(
    conn: sqlite3.Connection, sql: str, args: tuple[Any, ...], begin: str | None = None
) -> list[Row]:
    if begin:
        conn.execute(begin)
    params = tuple(a.isoformat() if isinstance(a, datetime) else a for a in args)
    cursor = conn.execute(sql.replace("$", "?"), params)
    return [dict(row) for row in cursor.fetchall()]


class SQLiteStore(SQLStore):
    MIGRATIONS = MIGRATIONS

    def __init__(self, path: str) -> None:
        self.url = f"sqlite:///{path}"
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="schemacat-sqlite")
        self._lock = asyncio.Lock()  # one transaction at a time on the one connection
        self.conn: sqlite3.Connection

    @classmethod
    async def open(cls, path: str) -> SQLiteStore:
        store = cls(path)
        try:
            store.conn = await store.call(_connect, path)
            await store.migrate()
        except BaseException:
            await store.close()
            raise
        return store

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    @asynccontextmanager
    async def _begin(self, statement: str) -> AsyncIterator[Tx]:
        async with self._lock:
            tx = _SQLiteTx(self, statement)
            try:
                yield tx
            except BaseException:
                await self.call(_rollback, self.conn)
                raise
            if tx.pending_begin is None:
                await self.call(self.conn.execute, "COMMIT")

    async def query(self, sql: str, *args: Any) -> list[Row]:
        async with self._lock:  # not inside another coroutine's transaction
            return await self.call(_fetch, self.conn, sql, args)

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        return self._begin("BEGIN IMMEDIATE")

    def snapshot(self) -> AbstractAsyncContextManager[Tx]:
        return self._begin("BEGIN DEFERRED")

    def migration_lock(self) -> AbstractAsyncContextManager[Tx]:
        return self._begin("BEGIN IMMEDIATE")

    def to_datetime(self, value: Any) -> datetime:
        return datetime.fromisoformat(value)

    async def close(self) -> None:
        if hasattr(self, "conn"):
            await self.call(self.conn.close)
        self._executor.shutdown(wait=True)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:  # not when BEGIN itself failed, or was never sent
        conn.execute("ROLLBACK")


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switching a new file to WAL takes an exclusive lock without calling the busy
    handler, so when several processes open a new catalog at once, some see
    SQLITE_BUSY at once: wait for the others, up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _connect(path: str) -> sqlite3.Connection:
    if path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _enable_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise CatalogError(
            f"cannot open the catalog file {path}: {exc}",
            hint="check that it is a schemacat catalog (SQLite) and that you may write to it",
        ) from None
    return conn
