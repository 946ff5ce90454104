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
import bisect
import hashlib
import random
from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from catalog.errors import (
    CatalogVersionError,
    InvalidRequest,
    NotPermitted,
    StreamExists,
    VersionNotFound,
)
from catalog.registration import Registration, of_columns, references
from catalog.schema import Schema
from catalog.store.base import (
    MAX_NUMBER,
    CatalogDump,
    LoadReport,
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
    pending_compatibility_key,
    pending_mode_key,
    spec_changes,
    stream_key,
)
from catalog.store.load import insert_schema, plan_load

Row = Mapping[str, Any]
T = TypeVar("T")

_STREAM_COLUMNS = (
    "name, datasource, format, options, compatibility, lineage, latest_version, "
    "created_at, updated_at, query, mode"
)
_VERSION_COLUMNS = (
    "version, schema, fingerprint, origin, change, discovery, created_at, schema_id, deleted"
)
_S_COLUMNS = ", ".join(f"s.{c}" for c in _STREAM_COLUMNS.split(", "))
_V_COLUMNS = ", ".join(f"v.{c}" for c in _VERSION_COLUMNS.split(", "))
#: every version of every stream, with the schema it registered
_VERSION_ROW = f"s.name AS stream_name, {_V_COLUMNS}, r.schema_type, r.text, r.refs"
_VERSION_JOIN = (
    "FROM streams s JOIN schema_versions v ON v.stream_key = s.key "
    "LEFT JOIN schemas r ON r.id = v.schema_id"
)
_VERSIONS = f"SELECT {_VERSION_ROW} {_VERSION_JOIN}"
#: a stream (its columns NULL if there is none), and the mode and compatibility set for
#: it before it existed (keys $2 and $3 of settings), which its creation takes
_STREAM_AND_PENDING = (
    f"SELECT p.pending_mode, p.pending_compatibility, {_S_COLUMNS} "
    "FROM (SELECT (SELECT value FROM settings WHERE key = $2) AS pending_mode, "
    "(SELECT value FROM settings WHERE key = $3) AS pending_compatibility) p "
    "LEFT JOIN streams s ON s.key = $1"
)
#: the number a stream's next version takes: one past every number it has held
_NEXT_NUMBER = "(SELECT COALESCE(MAX(version), 0) + 1 FROM schema_versions WHERE stream_key = $1)"
#: a stream's newest live version, with the number of the next
_LATEST_AND_NEXT = (
    f"SELECT {_VERSION_ROW}, {_NEXT_NUMBER} AS next_number {_VERSION_JOIN} "
    "WHERE s.key = $1 AND v.version = s.latest_version"
)
#: the id of the schema with an identity (NULL if none has it), and the next id to give
_ID_OR_NEXT = (
    "SELECT (SELECT id FROM schemas WHERE identity = $1) AS id, "
    "(SELECT COALESCE(MAX(id), 0) + 1 FROM schemas) AS next, "
    "(SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'next_schema_id') AS reserved"
)
#: a stream's live versions (number and fingerprint, oldest first) and, in a row with no
#: number, the history summary kept of it with the digest of the versions it summarises
_LIVE_HISTORY = (
    "SELECT version, fingerprint, NULL AS history, NULL AS summary FROM schema_versions "
    "WHERE stream_key = $1 AND deleted = 0 UNION ALL "
    "SELECT NULL, NULL, history, summary FROM history_summaries WHERE stream_key = $1 "
    "ORDER BY 1"
)
_KEEP_SUMMARY = (
    "INSERT INTO history_summaries (stream_key, history, summary) VALUES ($1, $2, $3) "
    "ON CONFLICT (stream_key) DO UPDATE SET history = excluded.history, "
    "summary = excluded.summary"
)
#: a stream's ``compatibility`` when it follows the catalog's default (SQLite cannot
#: drop a NOT NULL from the column it had)
FOLLOWS_DEFAULT = ""
#: the newest live version of a stream whose schema has an identity
_HOLDING = (
    f"{_VERSIONS} WHERE s.key = $1 AND r.identity = $2 AND v.deleted = 0 "
    "ORDER BY v.version DESC LIMIT 1"
)
#: the ids of the schemas, held by a live version, that reference a version
_REFERENCING = (
    "SELECT DISTINCT f.schema_id FROM schema_refs f JOIN schema_versions v "
    "ON v.schema_id = f.schema_id AND v.deleted = 0 "
    "WHERE f.subject_key = $1 AND f.version = $2 ORDER BY 1"
)


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
        pending = (pending_mode_key(spec.name), pending_compatibility_key(spec.name))
        async with self.transaction() as tx:
            await self._lock_subject(tx, spec.name)
            found = (await tx.fetch(_STREAM_AND_PENDING, stream_key(spec.name), *pending))[0]
            if found["latest_version"]:
                raise StreamExists(
                    f"stream {found['name']!r} already exists",
                    hint="use CREATE OR REPLACE STREAM, or IF NOT EXISTS",
                )
            if found["pending_mode"] or found["pending_compatibility"]:  # taken, all or nothing
                await tx.execute("DELETE FROM settings WHERE key IN ($1, $2)", *pending)
            spec = replace(
                spec,
                mode=spec.mode or found["pending_mode"],
                compatibility=spec.compatibility or found["pending_compatibility"],
            )
            if found["name"] is not None:  # every version deleted (softly): the next number
                writer = _Writer(self, tx, self._stream_record(found))
                mode = {"mode": spec.mode} if spec.mode is not None else {}
                await writer.update(**spec_changes(spec), **mode)
                return await writer.append(version)
            await tx.execute(
                "INSERT INTO streams (key, name, datasource, format, options, compatibility, "
                "lineage, query, mode, latest_version, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10)",
                stream_key(spec.name),
                spec.name,
                spec.datasource,
                spec.format,
                dump_json(dict(spec.options)),
                spec.compatibility or FOLLOWS_DEFAULT,
                dump_json(list(spec.lineage)),
                spec.query,
                spec.mode,
                at,
            )
            stream = StreamRecord(
                name=spec.name,
                datasource=spec.datasource,
                format=spec.format,
                options=dict(spec.options),
                compatibility=spec.compatibility or None,
                lineage=tuple(spec.lineage),
                latest_version=0,
                created_at=at,
                updated_at=at,
                query=spec.query,
                mode=spec.mode,
            )
            return await _Writer(self, tx, stream, next_number=1).append(version, at)

    @asynccontextmanager
    async def writing(self, name: str, *, deleted: bool = False) -> AsyncIterator[StreamWriter]:
        async with self.transaction() as tx:
            rows = await tx.fetch(
                f"SELECT {_STREAM_COLUMNS} FROM streams WHERE key = $1{self.FOR_UPDATE}",
                stream_key(name),
            )
            if not rows or not (deleted or rows[0]["latest_version"]):
                raise not_found(name, await self._names(tx))
            yield _Writer(self, tx, self._stream_record(rows[0]))

    async def drop_stream(self, name: str) -> bool:
        async with self.transaction() as tx:
            await tx.execute("DELETE FROM schema_versions WHERE stream_key = $1", stream_key(name))
            rows = await tx.fetch(
                "DELETE FROM streams WHERE key = $1 RETURNING key", stream_key(name)
            )
            return bool(rows)

    async def get_stream(self, name: str, *, deleted: bool = False) -> StreamRecord:
        rows = await self.query(
            f"SELECT {_STREAM_COLUMNS} FROM streams WHERE key = $1", stream_key(name)
        )
        if not rows or not (deleted or rows[0]["latest_version"]):
            raise not_found(name, await self._names())
        return self._stream_record(rows[0])

    async def list_streams(self, *, deleted: bool = False) -> list[StreamRecord]:
        live = "" if deleted else " WHERE latest_version > 0"
        rows = await self.query(f"SELECT {_STREAM_COLUMNS} FROM streams{live} ORDER BY key")
        return [self._stream_record(r) for r in rows]

    async def get_version(
        self, name: str, version: int | None = None, *, deleted: bool = False
    ) -> SchemaVersion:
        live = "" if deleted else " AND v.deleted = 0"
        rows = await self.query(
            f"{_VERSIONS} WHERE s.key = $1 AND v.version = COALESCE($2, s.latest_version){live}",
            stream_key(name),
            version,
        )
        if not rows:
            stream = await self.get_stream(name, deleted=deleted)
            numbers = [v.version for v in await self.list_versions(name, deleted=deleted)]
            raise VersionNotFound(
                f"stream {stream.name!r} has no version {version}",
                hint=f"its versions are {_ranges(numbers)}" if numbers else None,
            )
        return self._version(rows[0]["stream_name"], rows[0])

    async def list_versions(self, name: str, *, deleted: bool = False) -> list[SchemaVersion]:
        live = "" if deleted else " AND v.deleted = 0"
        rows = await self.query(
            f"{_VERSIONS} WHERE s.key = $1{live} ORDER BY v.version", stream_key(name)
        )
        if not rows:
            await self.get_stream(name, deleted=deleted)  # StreamNotFound, if it is that
        return [self._version(r["stream_name"], r) for r in rows]

    async def list_latest(self) -> list[tuple[StreamRecord, SchemaVersion]]:
        version_columns = ", ".join(f"v.{c} AS v_{c}" for c in _VERSION_COLUMNS.split(", "))
        rows = await self.query(
            f"SELECT {_S_COLUMNS}, {version_columns}, r.schema_type AS v_schema_type, "
            "r.text AS v_text, r.refs AS v_refs FROM streams s JOIN schema_versions v "
            "ON v.stream_key = s.key AND v.version = s.latest_version "
            "LEFT JOIN schemas r ON r.id = v.schema_id ORDER BY s.key"
        )
        return [
            (
                self._stream_record(r),
                self._version(r["name"], {k[2:]: v for k, v in r.items() if k.startswith("v_")}),
            )
            for r in rows
        ]

    # -- schemas by id ----------------------------------------------------------------
    async def registered_schema(self, schema_id: int) -> Registration | None:
        rows = await self.query(
            "SELECT schema_type, text, refs FROM schemas r WHERE id = $1 AND EXISTS "
            "(SELECT 1 FROM schema_versions v WHERE v.schema_id = r.id)",
            schema_id,
        )
        return _registration(rows[0]) if rows else None

    async def schema_versions(
        self, schema_id: int, *, deleted: bool = False
    ) -> list[tuple[str, int]]:
        live = "" if deleted else " AND v.deleted = 0"
        rows = await self.query(
            "SELECT s.name, v.version FROM schema_versions v JOIN streams s "
            f"ON s.key = v.stream_key WHERE v.schema_id = $1{live} ORDER BY s.key, v.version",
            schema_id,
        )
        return [(r["name"], r["version"]) for r in rows]

    async def schema_ids(self) -> list[int]:
        """The id of every schema a version (live or softly deleted) holds, in order."""
        rows = await self.query("SELECT DISTINCT schema_id FROM schema_versions ORDER BY 1")
        return [r["schema_id"] for r in rows]

    async def holding(
        self, name: str, identity: str, *, deleted: bool = False
    ) -> SchemaVersion | None:
        """The newest version of stream ``name`` whose schema has this identity."""
        live = "" if deleted else " AND v.deleted = 0"
        rows = await self.query(
            _HOLDING.replace(" AND v.deleted = 0", live), stream_key(name), identity
        )
        return self._version(rows[0]["stream_name"], rows[0]) if rows else None

    async def referencing(self, name: str, version: int) -> list[int]:
        """The ids of the schemas, held by a live version, that reference this version."""
        rows = await self.query(_REFERENCING, stream_key(name), version)
        return [r["schema_id"] for r in rows]

    async def ping(self) -> None:
        await self.query("SELECT 1 FROM settings LIMIT 1")

    async def get_setting(self, key: str, *fallbacks: str) -> str | None:
        return await _setting(self.query, key, *fallbacks)

    async def set_before_creation(self, name: str, key: str, value: str | None) -> bool:
        async with self.transaction() as tx:
            await self._lock_subject(tx, name)
            if await tx.fetch("SELECT 1 FROM streams WHERE key = $1", stream_key(name)):
                return False
            await _set(tx, key, value)
            return True

    async def set_setting(self, key: str, value: str | None) -> None:
        async with self.transaction() as tx:
            await _set(tx, key, value)

    # -- the whole catalog -------------------------------------------------------------
    async def dump(self) -> CatalogDump:
        async with self.snapshot() as tx:
            schemas = await tx.fetch("SELECT id, schema_type, text, refs FROM schemas ORDER BY id")
            streams = await tx.fetch(f"SELECT {_STREAM_COLUMNS} FROM streams ORDER BY key")
            rows = await tx.fetch(f"{_VERSIONS} ORDER BY s.key, v.version")
            settings = await tx.fetch("SELECT key, value FROM settings ORDER BY key")
        versions: dict[str, list[SchemaVersion]] = {}
        for row in rows:
            name = row["stream_name"]
            versions.setdefault(stream_key(name), []).append(self._version(name, row))
        records = [self._stream_record(r) for r in streams]
        return CatalogDump(
            schemas={int(r["id"]): _registration(r) for r in schemas},
            streams=[(s, versions.get(stream_key(s.name), [])) for s in records],
            settings={r["key"]: r["value"] for r in settings},
        )

    async def load(
        self, dump: CatalogDump, *, merge: bool = False, dry_run: bool = False
    ) -> LoadReport:
        async with self.snapshot() if dry_run else self.transaction() as tx:
            if not dry_run:
                await self._lock_streams(tx)  # what it plans from stays so until it commits
                await self._lock_schema_ids(tx)  # the ids it gives are seen by every writer
            plan = await plan_load(tx, dump, merge=merge)
            if not dry_run:
                await plan.apply(tx)
        return plan.report

    # -- rows ----------------------------------------------------------------------
    async def _lock_streams(self, tx: Tx) -> None:
        """Held by a load: no other writer changes a stream until it commits, and it
        waits for those that are under way, so that locks are taken in the order every
        writer takes them (a stream, then the schema ids).  SQLite's writers take turns
        anyway."""

    async def _lock_schema_ids(self, tx: Tx) -> bool:
        """Held while a new schema id is given, so two writers never give the same one;
        whether one was taken now (SQLite's writers take turns anyway: none is)."""
        return False

    async def _lock_subject(self, tx: Tx, name: str) -> None:
        """Held while a stream is made, and while a setting is kept for it before it
        exists: the creation takes such a setting whole, or it is set on the stream."""

    async def _schema_id(self, tx: Tx, registration: Registration, given: int | None = None) -> int:
        """The id of ``registration``: the one it has, or the next, never given before;
        or (IMPORT mode) ``given``, unless another schema holds it or it has another."""
        if given is not None:
            await self._lock_schema_ids(tx)  # no writer gives it meanwhile
            if not await _held_as(tx, registration, given):
                await insert_schema(tx, given, registration)
            return given
        rows = await tx.fetch(_ID_OR_NEXT, registration.identity)
        if rows[0]["id"] is None and await self._lock_schema_ids(tx):  # given meanwhile?
            rows = await tx.fetch(_ID_OR_NEXT, registration.identity)
        found = rows[0]
        if found["id"] is not None:
            return int(found["id"])
        schema_id = max(int(found["next"]), int(found["reserved"] or 0))
        if schema_id > MAX_NUMBER:
            raise InvalidRequest(  # 42201 over REST, as an id out of range is
                f"the catalog has given every schema id up to {MAX_NUMBER}, the largest a "
                "registry client can carry (a Java int), so it cannot give this schema one",
                hint="ids above it come only from an IMPORT of such an id; nothing was registered",
                code="SCHEMA_IDS_EXHAUSTED",
            )
        await insert_schema(tx, schema_id, registration)
        return schema_id

    async def _names(self, tx: Tx | None = None) -> list[str]:
        sql = "SELECT name FROM streams WHERE latest_version > 0"
        return [r["name"] for r in await (tx.fetch(sql) if tx else self.query(sql))]

    async def _stream(self, tx: Tx, name: str, *, deleted: bool = False) -> StreamRecord:
        rows = await tx.fetch(
            f"SELECT {_STREAM_COLUMNS} FROM streams WHERE key = $1", stream_key(name)
        )
        if not rows or not (deleted or rows[0]["latest_version"]):
            raise not_found(name, await self._names(tx))
        return self._stream_record(rows[0])

    async def _update(self, tx: Tx, name: str, columns: Mapping[str, Any], at: datetime) -> None:
        assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(columns, start=3))
        sql = "UPDATE streams SET updated_at = $2" + (f", {assignments}" if assignments else "")
        await tx.execute(sql + " WHERE key = $1", stream_key(name), at, *columns.values())

    def _stream_record(self, row: Row) -> StreamRecord:
        return StreamRecord(
            name=row["name"],
            datasource=row["datasource"],
            format=row["format"],
            options=load_json(row["options"]),
            compatibility=row["compatibility"] or None,
            lineage=tuple(load_json(row["lineage"])),
            latest_version=row["latest_version"],
            created_at=self.to_datetime(row["created_at"]),
            updated_at=self.to_datetime(row["updated_at"]),
            query=row["query"],
            mode=row["mode"],
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
            schema_id=row["schema_id"],
            deleted=bool(row["deleted"]),
            registration=_registration(row) if row["schema_type"] else None,
        )


class _Decoded:
    """Decoded schemas by canonical text (schemas are immutable, and a check reads the
    same versions again and again), at most ``size``.  When full, a random one makes room:
    a scan over more schemas than it holds still finds a share of them, where an LRU
    would find none (a long history read in order evicts each entry before its reuse)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.schemas: dict[str, Schema] = {}
        self.keys: list[str] = []
        self.random = random.Random(0)
        self.hits = self.misses = 0

    def __call__(self, canonical: str) -> Schema:
        found = self.schemas.get(canonical)
        if found is not None:
            self.hits += 1
        else:
            self.misses += 1
            found = self.schemas[canonical] = Schema.from_json(canonical)
            if len(self.keys) < self.size:
                self.keys.append(canonical)
            else:
                i = self.random.randrange(self.size)
                self.schemas.pop(self.keys[i], None)
                self.keys[i] = canonical
        return found


_decode = _Decoded(4096)


def decoded_schema_cache() -> tuple[int, int, int]:
    """Hits, misses and entries of this process's cache of decoded schemas."""
    return _decode.hits, _decode.misses, len(_decode.schemas)


async def _held_as(tx: Tx, registration: Registration, given: int) -> bool:
    """Whether the schema has the id ``given`` already; 42205 when the id is another
    schema's (Confluent's words), or the schema has another (schemacat gives a schema one)."""
    rows = await tx.fetch(
        "SELECT id, identity FROM schemas WHERE id = $1 OR identity = $2",
        given,
        registration.identity,
    )
    for row in rows:
        if int(row["id"]) == given and row["identity"] != registration.identity:
            raise NotPermitted(
                f"Overwrite new schema with id {given} is not permitted.",
                hint=f"the id {given} is another schema's; GET /schemas/ids/{given} shows it",
            )
        if int(row["id"]) != given:
            raise NotPermitted(
                f"this schema has the id {row['id']} already, so it cannot take the id "
                f"{given} too: schemacat gives a schema one id",
                hint=f"import it with the id {row['id']}",
            )
    return bool(rows)


def _digest(live: Sequence[tuple[int, str]]) -> str:
    """What a history summary records of the versions it summarises."""
    text = "".join(f"{number}:{fingerprint}\n" for number, fingerprint in live)
    return hashlib.sha256(text.encode()).hexdigest()


async def _setting(fetch: Callable[..., Awaitable[list[Row]]], *keys: str) -> str | None:
    """The value of the first of ``keys`` that is set, read by ``fetch``."""
    marks = ", ".join(f"${i}" for i in range(1, len(keys) + 1))
    rows = await fetch(f"SELECT key, value FROM settings WHERE key IN ({marks})", *keys)
    found = {r["key"]: r["value"] for r in rows}
    return next((found[k] for k in keys if k in found), None)


async def _set(tx: Tx, key: str, value: str | None) -> None:
    """Set a setting in ``tx``; None removes it."""
    if value is None:
        await tx.execute("DELETE FROM settings WHERE key = $1", key)
        return
    await tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value,
    )


def _registration(row: Row) -> Registration:
    return Registration(row["schema_type"], row["text"], references(load_json(row["refs"])))


def _ranges(numbers: Sequence[int]) -> str:
    """``1 to 3, 5``."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a} to {b}" if b > a else str(a) for a, b in spans)


class _Writer(StreamWriter):
    def __init__(
        self, store: SQLStore, tx: Tx, stream: StreamRecord, next_number: int | None = None
    ) -> None:
        self._store, self._tx, self.stream = store, tx, stream
        self._next_number = next_number  # the number append gives, when it is known
        #: the live versions' numbers and fingerprints, once read (kept up to date by append)
        self._live: list[tuple[int, str]] | None = None

    async def latest(self) -> SchemaVersion:
        """The newest live version; read with the number the next one takes (the stream
        is held by now, so no other writer takes it meanwhile)."""
        rows = await self._tx.fetch(_LATEST_AND_NEXT, stream_key(self.stream.name))
        if not rows:
            raise VersionNotFound(f"stream {self.stream.name!r} has no live version")
        self._next_number = int(rows[0]["next_number"])
        return self._store._version(self.stream.name, rows[0])

    async def versions(self, *, deleted: bool = False) -> list[SchemaVersion]:
        live = "" if deleted else " AND v.deleted = 0"
        rows = await self._tx.fetch(
            f"{_VERSIONS} WHERE s.key = $1{live} ORDER BY v.version",
            stream_key(self.stream.name),
        )
        return [self._store._version(self.stream.name, r) for r in rows]

    async def schemas(self) -> list[tuple[int, Schema]]:
        rows = await self._tx.fetch(
            "SELECT version, schema FROM schema_versions WHERE stream_key = $1 "
            "AND deleted = 0 ORDER BY version",
            stream_key(self.stream.name),
        )
        return [(r["version"], _decode(r["schema"])) for r in rows]

    async def setting(self, key: str) -> str | None:
        return await _setting(self._tx.fetch, key)

    async def history_summary(self) -> str | None:
        live, kept = await self._history()
        if kept is None or kept["history"] != _digest(live):
            return None
        return str(kept["summary"])

    async def keep_history_summary(self, summary: str) -> None:
        live = self._live if self._live is not None else (await self._history())[0]
        key = stream_key(self.stream.name)
        await self._tx.execute(_KEEP_SUMMARY, key, _digest(live), summary)

    async def _history(self) -> tuple[list[tuple[int, str]], Row | None]:
        """The live versions' numbers and fingerprints (kept for what follows in this
        transaction), and the row of the summary kept, if any."""
        rows = await self._tx.fetch(_LIVE_HISTORY, stream_key(self.stream.name))
        self._live = [(r["version"], r["fingerprint"]) for r in rows if r["version"] is not None]
        return self._live, next((r for r in rows if r["version"] is None), None)

    async def holding(self, identity: str) -> SchemaVersion | None:
        rows = await self._tx.fetch(_HOLDING, stream_key(self.stream.name), identity)
        return self._store._version(self.stream.name, rows[0]) if rows else None

    async def version_of(self, name: str, version: int) -> SchemaVersion:
        rows = await self._tx.fetch(
            f"{_VERSIONS} WHERE s.key = $1 AND v.version = $2", stream_key(name), version
        )
        if not rows:
            raise VersionNotFound(f"stream {name!r} has no version {version}")
        return self._store._version(rows[0]["stream_name"], rows[0])

    async def referencing(self, version: int) -> list[int]:
        rows = await self._tx.fetch(_REFERENCING, stream_key(self.stream.name), version)
        return [r["schema_id"] for r in rows]

    async def append(self, version: NewVersion, at: datetime | None = None) -> SchemaVersion:
        """The next number: one past every number the stream has held, deleted ones too."""
        key, at = stream_key(self.stream.name), at or now()
        known, self._next_number = self._next_number, None
        if version.number is None:
            if known is None:
                rows = await self._tx.fetch(f"SELECT {_NEXT_NUMBER} AS n", key)
                known = int(rows[0]["n"])
            number = known
        else:  # IMPORT mode: the number given, which no version may hold yet
            number = version.number
            rows = await self._tx.fetch(
                "SELECT schema_id FROM schema_versions WHERE stream_key = $1 AND version = $2",
                key,
                number,
            )
            if rows:
                raise NotPermitted(
                    f"version {number} of {self.stream.name!r} exists already (schema id "
                    f"{rows[0]['schema_id']}); a version is never overwritten",
                    hint="import into a subject that does not hold that version yet",
                )
        registration = version.registration or of_columns(version.schema, self.stream.name)
        schema_id = await self._store._schema_id(self._tx, registration, version.schema_id)
        discovery = None if version.discovery is None else dump_json(version.discovery)
        await self._tx.execute(
            "INSERT INTO schema_versions (stream_key, version, schema, fingerprint, origin, "
            "change, discovery, created_at, schema_id) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            key,
            number,
            version.schema.canonical,
            version.schema.fingerprint,
            version.origin,
            version.change,
            discovery,
            at,
            schema_id,
        )
        latest = max(number, self.stream.latest_version)  # a number given may be lower
        await self._tx.execute(
            "UPDATE streams SET latest_version = $2, updated_at = $3 WHERE key = $1",
            key,
            latest,
            at,
        )
        self.stream = replace(self.stream, latest_version=latest, updated_at=at)
        if self._live is not None:
            bisect.insort(self._live, (number, version.schema.fingerprint))
        return SchemaVersion(
            stream=self.stream.name,
            version=number,
            schema=version.schema,
            fingerprint=version.schema.fingerprint,
            origin=version.origin,
            change=version.change,
            created_at=at,
            discovery=version.discovery,
            schema_id=schema_id,
            registration=registration,
        )

    async def delete(self, versions: Sequence[int], *, permanent: bool) -> None:
        key, self._live, self._next_number = stream_key(self.stream.name), None, None
        for number in versions:
            if permanent:
                await self._tx.execute(
                    "DELETE FROM schema_versions WHERE stream_key = $1 AND version = $2",
                    key,
                    number,
                )
            else:
                await self._tx.execute(
                    "UPDATE schema_versions SET deleted = 1 WHERE stream_key = $1 AND version = $2",
                    key,
                    number,
                )
        rows = await self._tx.fetch(
            "SELECT MAX(version) AS live, COUNT(*) AS held FROM schema_versions "
            "WHERE stream_key = $1 AND deleted = 0",
            key,
        )
        everything = await self._tx.fetch(
            "SELECT COUNT(*) AS n FROM schema_versions WHERE stream_key = $1", key
        )
        if not everything[0]["n"]:  # nothing left, not even softly deleted: the stream goes
            await self._tx.execute("DELETE FROM streams WHERE key = $1", key)
            return
        latest = int(rows[0]["live"] or 0)
        await self._tx.execute(
            "UPDATE streams SET latest_version = $2, updated_at = $3 WHERE key = $1",
            key,
            latest,
            now(),
        )
        self.stream = replace(self.stream, latest_version=latest)

    async def update(self, **changes: Any) -> StreamRecord:
        await self._store._update(self._tx, self.stream.name, encode_updates(changes), now())
        self.stream = await self._store._stream(self._tx, self.stream.name, deleted=True)
        return self.stream
