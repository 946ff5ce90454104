"""The embedded catalog: one SQLite file in WAL mode, shared safely by several processes.

All statements run on one connection in one worker thread, so the event loop
never blocks on the disk.  Writes take SQLite's write lock up front
(``BEGIN IMMEDIATE``) and wait up to ``busy_timeout`` for another process to
finish; reads see a consistent snapshot.

A file is looked at before anything is written to it: a SQLite database that
is not a schemacat catalog is refused as it is, and a catalog this user may not
write (the file, or its folder, which holds SQLite's -wal and -shm files) is
opened read-only: every read statement works, a write says why it cannot.
A file that does not exist yet is created by the first statement that writes:
until then the catalog is empty and lives in memory, so reads and discovery
leave no file behind.
Errors of the file itself (damaged, full disk, locked too long) are catalog
errors that say so; the statement that met them changed nothing.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from catalog.errors import CatalogError
from catalog.store.migrations import (
    HISTORY_SUMMARIES,
    canonical_schemas,
    fingerprints,
    registry_tables,
)
from catalog.store.sql import Row, SQLStore, Step, Tx, to_the_end

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
    (3, ["ALTER TABLE streams ADD COLUMN query TEXT"]),  # a derived stream's AS SELECT
    (4, [fingerprints]),
    (5, registry_tables("INTEGER")),
    (6, HISTORY_SUMMARIES),
]


class _SQLiteTx:
    """Statements on the store's connection, sent to the database thread as few times as
    they can be: ``BEGIN`` goes with the first of them, and a statement whose rows nobody
    reads (an INSERT, UPDATE or DELETE) waits to go with the next query or the COMMIT.  An
    error it meets then still fails the transaction, which is rolled back whole."""

    def __init__(self, store: SQLiteStore, begin: str) -> None:
        self._store = store
        self.pending: list[tuple[str, tuple[Any, ...]]] = [(begin, ())]
        self.begun = False

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return await self._store.call(_run, self._store.conn, [*self.take(), (sql, args)])

    async def execute(self, sql: str, *args: Any) -> None:
        self.pending.append((sql, args))

    def take(self) -> list[tuple[str, tuple[Any, ...]]]:
        """The statements not sent yet; from now on they count as sent."""
        taken, self.pending, self.begun = self.pending, [], True
        return taken


def _run(conn: sqlite3.Connection, statements: list[tuple[str, tuple[Any, ...]]]) -> list[Row]:
    """The statements in turn; the rows of the last."""
    cursor = None
    for sql, args in statements:
        params = tuple(a.isoformat() if isinstance(a, datetime) else a for a in args)
        cursor = conn.execute(sql.replace("$", "?"), params)
    return [dict(row) for row in cursor.fetchall()] if cursor else []


class SQLiteStore(SQLStore):
    MIGRATIONS = MIGRATIONS

    def __init__(self, path: str) -> None:
        self.url = f"sqlite:///{path}"
        self.path = path
        self.read_only = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="schemacat-sqlite")
        self._lock = asyncio.Lock()  # one transaction at a time on the one connection
        self.conn: sqlite3.Connection
        self._file_pending = False  # the catalog is in memory until something is written

    @classmethod
    async def open(cls, path: str) -> SQLiteStore:
        store = cls(path)
        try:
            store._file_pending = path != ":memory:" and await store.call(_absent, path)
            opened = ":memory:" if store._file_pending else path
            store.conn, store.read_only = await store.call(_connect, opened)
            if store._file_pending:  # an empty catalog in memory, until a write makes the file
                async with store._in_transaction("BEGIN IMMEDIATE") as tx:
                    await store.migrate_in(tx, store.MIGRATIONS)
            else:
                await store.migrate()
        except BaseException:
            await store.close()
            raise
        return store

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        except sqlite3.Error as exc:
            raise _catalog_error(self.path, exc) from None

    async def migrate(self, migrations: Sequence[tuple[int, Sequence[Step]]] | None = None) -> None:
        if not self.read_only:
            await super().migrate(migrations)
            return
        pending = max(v for v, _ in migrations or self.MIGRATIONS) - await self.store_version()
        if pending > 0:
            raise CatalogError(
                f"the catalog {self.path} was written by an older schemacat and needs an "
                "upgrade, which this user may not write",
                hint="open it once with schemacat as a user who may write it and its folder",
            )

    @asynccontextmanager
    async def _begin(self, statement: str, *, writes: bool = False) -> AsyncIterator[Tx]:
        async with self._lock:
            if self._file_pending and (writes or await self._file_made()):
                await self._create_file()
            async with self._in_transaction(statement) as tx:
                yield tx

    @asynccontextmanager
    async def _in_transaction(self, statement: str) -> AsyncIterator[Tx]:
        """A transaction on the connection; the caller holds the lock."""
        tx = _SQLiteTx(self, statement)
        try:
            yield tx
        except BaseException:
            await to_the_end(self.call(_rollback, self.conn))
            raise
        if tx.begun or len(tx.pending) > 1:  # not a transaction that sent nothing
            await to_the_end(self.call(_commit, self.conn, tx.take()))

    async def _create_file(self) -> None:
        """The catalog file, made for the first write (another process may have made it
        meanwhile: then it is opened and brought up to date the same way).  The store
        moves to the file once its tables are there; until then it stays in memory."""
        conn, read_only = await to_the_end(self.call(_connect, self.path))
        memory, self.conn = self.conn, conn
        try:
            if not read_only:
                async with self._in_transaction("BEGIN IMMEDIATE") as tx:
                    await self.migrate_in(tx, self.MIGRATIONS)
        except BaseException:
            self.conn = memory
            await to_the_end(self.call(conn.close))
            raise
        self.read_only, self._file_pending = read_only, False
        await to_the_end(self.call(memory.close))

    async def exists(self) -> bool:
        return not self._file_pending or await self._file_made()

    async def _file_made(self) -> bool:
        """Whether another process has made the catalog file since this store opened
        (a server reading an empty catalog then sees what ``schemacat run`` wrote)."""
        return os.path.exists(os.path.expanduser(self.path)) and not await self.call(
            _absent, self.path
        )

    async def query(self, sql: str, *args: Any) -> list[Row]:
        async with self._lock:  # not inside another coroutine's transaction
            if self._file_pending and await self._file_made():
                await self._create_file()
            return await self.call(_run, self.conn, [(sql, args)])

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        if self.read_only:
            raise CatalogError(
                f"the catalog {self.path} is open read-only: this user may not write the file "
                "or its folder, so statements that change it cannot run (reads can)",
                hint="ask for write access, or work on a copy of the file",
                code="CATALOG_READ_ONLY",
            )
        return self._begin("BEGIN IMMEDIATE", writes=True)

    def snapshot(self) -> AbstractAsyncContextManager[Tx]:
        return self._begin("BEGIN DEFERRED")

    def migration_lock(self) -> AbstractAsyncContextManager[Tx]:
        return self._begin("BEGIN IMMEDIATE", writes=True)

    def to_datetime(self, value: Any) -> datetime:
        return datetime.fromisoformat(value)

    async def close(self) -> None:
        if hasattr(self, "conn"):
            await self.call(self.conn.close)
        self._executor.shutdown(wait=True)


def _commit(conn: sqlite3.Connection, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    """The statements still waiting, then COMMIT; all rolled back if one fails."""
    try:
        _run(conn, [*statements, ("COMMIT", ())])
    except BaseException:
        _rollback(conn)
        raise


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


def _connect(path: str) -> tuple[sqlite3.Connection, bool]:
    """A connection to the catalog at ``path``, and whether it is read-only."""
    file = Path(path).expanduser()
    if path != ":memory:":
        tables = _tables(file)
        if tables and "schemacat_migrations" not in tables:
            names = ", ".join(sorted(tables)[:5])
            raise CatalogError(
                f"{path} is a SQLite database, but not a schemacat catalog (its tables: {names})",
                hint="give the path of a catalog, or of a file that does not exist yet; "
                "schemacat leaves this one as it is",
            )
        if tables is not None and not _writable(file):
            return _read_only(file), True
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogError(
                f"cannot make the folder {file.parent} for the catalog {path}: {exc.strerror}",
                hint="give a path in a folder this user may write, or create the folder first",
            ) from None
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _enable_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn, False


def _absent(path: str) -> bool:
    """Whether there is no catalog at ``path`` yet (no file, or an empty one)."""
    return _tables(Path(path).expanduser()) is None


def _tables(file: Path) -> set[str] | None:
    """The tables of the SQLite database in ``file``; None where there is no database yet."""
    try:
        with file.open("rb") as opened:
            header = opened.read(16)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CatalogError(f"cannot read the catalog file {file}: {exc.strerror}") from None
    if not header:
        return None
    if header != b"SQLite format 3\x00":
        raise CatalogError(
            f"{file} is not a schemacat catalog: it is not a SQLite database",
            hint="give the path of a catalog, or of a file that does not exist yet; "
            "schemacat leaves this one as it is",
        )
    conn = _read_only(file)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def _writable(file: Path) -> bool:
    """Whether this user may write ``file`` and its folder (where -wal and -shm go)."""
    return os.access(file, os.W_OK) and os.access(file.parent, os.W_OK)


def _read_only(file: Path) -> sqlite3.Connection:
    """A connection that writes nothing, not even SQLite's -shm file: without one, a
    database in WAL mode is read as immutable, which is right when no -wal is left."""
    for mode in ("ro", "ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"{file.absolute().as_uri()}?mode={mode}", uri=True)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError:
            wal = file.with_name(file.name + "-wal")
            if mode != "ro" or (wal.exists() and wal.stat().st_size):
                raise
            continue
        conn.row_factory = sqlite3.Row
        return conn
    raise AssertionError("unreachable")


def _catalog_error(path: str, exc: sqlite3.Error) -> CatalogError:
    """What went wrong with the catalog file, in words a user can act on."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        return CatalogError(
            f"the catalog file {path} could not be written ({exc}: the disk may be full, or "
            "the file too large for this process); the statement changed nothing",
            hint="free some space (or raise the file size limit), then run it again",
            code="CATALOG_FULL",
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return CatalogError(
            f"the catalog file {path} is damaged ({exc})",
            hint="restore it from a copy; PRAGMA integrity_check in sqlite3 says what is wrong",
            code="CATALOG_DAMAGED",
        )
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return CatalogError(
            f"the catalog {path} stayed locked by another process for "
            f"{BUSY_TIMEOUT_MS // 1000} s; the statement changed nothing",
            hint="run it again when the other writer is done",
            code="CATALOG_LOCKED",
        )
    if code == sqlite3.SQLITE_READONLY:
        return CatalogError(
            f"the catalog {path} cannot be written ({exc}); the statement changed nothing",
            hint="check that the file and its folder may be written (a read-only disk?)",
            code="CATALOG_READ_ONLY",
        )
    return CatalogError(
        f"the catalog file {path} failed: {exc}",
        hint="check the file, its folder and the disk",
    )
