"""What a catalog store keeps, and the contract both backends fulfil.

A stream has a name (case-insensitive, case kept for display), where its data
lives (the datasource, never with a password), its options, a compatibility
mode, its lineage, and numbered schema versions starting at 1.  Every write is
one transaction: it happens entirely or not at all.  ``add_version`` appends
the next number atomically even when several processes write at once, and
registers nothing when the schema's fingerprint equals the latest version's.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from catalog.errors import ConcurrentModification, StreamNotFound, did_you_mean
from catalog.registration import Registration
from catalog.schema import Schema
from catalog.secrets import redact, redact_options, redact_text

#: the largest schema id and version number: Java ints in Confluent's registry and wire
#: format (a magic byte and a 4-byte signed id), which no client could carry beyond
MAX_NUMBER = 2**31 - 1
ORIGINS = ("declared", "discovered", "altered", "refreshed", "derived", "registered")


@dataclass(frozen=True)
class StreamSpec:
    """The metadata of a stream, as given to ``create_stream`` or ``add_version``."""

    name: str
    datasource: str | None = None
    format: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    compatibility: str | None = "BACKWARD"  # None: follow the catalog's default
    lineage: tuple[str, ...] = ()
    query: str | None = None  # a derived stream's query, which REFRESH and VALIDATE re-derive
    mode: str | None = None  # READWRITE, READONLY ...; None: the catalog's

    def redacted(self) -> StreamSpec:
        """The spec with every secret removed, as it may be stored."""
        return StreamSpec(
            name=self.name,
            datasource=redact(self.datasource) if self.datasource else None,
            format=self.format,
            options=redact_options(self.options),
            compatibility=self.compatibility,
            lineage=tuple(redact(source) for source in self.lineage),
            query=redact_text(self.query) if self.query else None,
            mode=self.mode,
        )


@dataclass(frozen=True)
class NewVersion:
    """A schema about to be registered, with where it came from."""

    schema: Schema
    origin: str
    change: str = ""
    discovery: Mapping[str, Any] | None = None  # sampling facts and column statistics
    registration: Registration | None = None  # as a registry client sent it; else Avro
    number: int | None = None  # IMPORT mode: the version number given (else the next one)
    schema_id: int | None = None  # IMPORT mode: the id given (else its schema's, or the next)

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}, got {self.origin!r}")


@dataclass(frozen=True)
class StreamRecord:
    name: str
    datasource: str | None
    format: str | None
    options: Mapping[str, str]
    compatibility: str | None  # None: the catalog's default, whatever it is then
    lineage: tuple[str, ...]
    latest_version: int  # the newest version not deleted; 0 when every one is
    created_at: datetime
    updated_at: datetime
    query: str | None = None
    mode: str | None = None  # READWRITE, READONLY ...; None: the catalog's


@dataclass(frozen=True)
class SchemaVersion:
    stream: str
    version: int
    schema: Schema
    fingerprint: str
    origin: str
    change: str
    created_at: datetime
    discovery: Mapping[str, Any] | None = None
    schema_id: int | None = None  # the registry's global id of its schema
    deleted: bool = False  # softly deleted: kept, but out of sight unless asked for
    registration: Registration | None = None


@dataclass(frozen=True)
class CatalogDump:
    """Everything a catalog holds, as ``Store.dump`` reads it and ``Store.load`` writes it:
    every schema id ever given (with its schema, held by a version or not), every stream
    with every version (softly deleted ones too), and the catalog's settings."""

    schemas: Mapping[int, Registration]
    streams: Sequence[tuple[StreamRecord, Sequence[SchemaVersion]]]
    settings: Mapping[str, str]


@dataclass(frozen=True)
class LoadReport:
    """What ``Store.load`` wrote (or, in a dry run, would write)."""

    schemas: int = 0  # schema ids added
    versions: int = 0  # versions added
    settings: int = 0  # settings set or changed: the catalog's, and a stream's own
    kept: int = 0  # versions already there, the same
    added: tuple[tuple[str, int, int, bool], ...] = ()  # subject, version, id, deleted


class StreamWriter(ABC):
    """A write to one stream, inside a transaction that holds the stream: no other writer
    changes it until the transaction ends, and an exception ends it with nothing written."""

    stream: StreamRecord  # the stream as it is now

    @abstractmethod
    async def latest(self) -> SchemaVersion:
        """The stream's latest version."""

    @abstractmethod
    async def versions(self, *, deleted: bool = False) -> list[SchemaVersion]:
        """Every version of the stream, oldest first (softly deleted ones too, if asked)."""

    @abstractmethod
    async def holding(self, identity: str) -> SchemaVersion | None:
        """The stream's newest live version whose schema has this identity."""

    @abstractmethod
    async def version_of(self, name: str, version: int) -> SchemaVersion:
        """One version of any stream, deleted or not, read in this transaction."""

    @abstractmethod
    async def referencing(self, version: int) -> list[int]:
        """The ids of the schemas, held by a live version, that reference ``version``."""

    @abstractmethod
    async def schemas(self) -> list[tuple[int, Schema]]:
        """The number and schema of every live version, oldest first (what a transitive
        check reads, without the rest of each version)."""

    @abstractmethod
    async def setting(self, key: str) -> str | None:
        """A catalog setting, read in the writer's transaction."""

    @abstractmethod
    async def history_summary(self) -> str | None:
        """The summary kept of the stream's live history (``keep_history_summary``), if it
        is that of the live versions as they are now; None if none was kept, or the versions
        changed since by a path that kept none (a delete, an import, a restore)."""

    @abstractmethod
    async def keep_history_summary(self, summary: str) -> None:
        """Keep ``summary`` as that of the stream's live versions as they are now."""

    @abstractmethod
    async def append(self, version: NewVersion) -> SchemaVersion:
        """Register ``version`` as the next version, with the global id of its schema."""

    @abstractmethod
    async def delete(self, versions: Sequence[int], *, permanent: bool) -> None:
        """Delete versions softly (kept, out of sight) or for good; a stream left with no
        version at all goes too."""

    @abstractmethod
    async def update(self, **changes: Any) -> StreamRecord:
        """Change the stream's metadata (the keys of ``STREAM_UPDATABLE``)."""


class Store(ABC):
    """A catalog store; ``open_store`` picks the backend from the URL."""

    url: str

    @abstractmethod
    def writing(
        self, name: str, *, deleted: bool = False
    ) -> AbstractAsyncContextManager[StreamWriter]:
        """Hold stream ``name`` for a change that reads it first (``StreamNotFound`` if
        there is none; with ``deleted``, one whose versions are all softly deleted counts):
        writers of one stream go one after the other, so a change made against the latest
        version is never made against an older one."""

    @abstractmethod
    async def create_stream(self, spec: StreamSpec, version: NewVersion) -> SchemaVersion:
        """Create a stream with version 1; ``StreamExists`` if the name is taken."""

    async def add_version(
        self,
        name: str,
        version: NewVersion,
        *,
        expected_version: int | None = None,
        spec: StreamSpec | None = None,
    ) -> tuple[SchemaVersion, bool]:
        """Register the next version; returns it and whether it is new (a schema with the
        latest version's fingerprint is not).

        With ``expected_version`` the write fails with ``ConcurrentModification``
        if the latest version is another one by then.  With ``spec`` the
        stream's metadata is replaced in the same transaction (CREATE OR REPLACE).
        """
        async with self.writing(name) as writer:
            latest = await writer.latest()
            if expected_version is not None and latest.version != expected_version:
                raise ConcurrentModification(
                    f"stream {latest.stream!r} moved from version {expected_version} to "
                    f"{latest.version} while this change was prepared",
                    hint="run the statement again; it will be checked against the new version",
                )
            if spec is not None:
                await writer.update(**spec_changes(spec))
            if latest.fingerprint == version.schema.fingerprint:
                return latest, False
            return await writer.append(version), True

    async def update_stream(self, name: str, **changes: Any) -> StreamRecord:
        """Change metadata only (``compatibility``, ``options``, ``datasource``, ``format``)."""
        async with self.writing(name) as writer:
            return await writer.update(**changes)

    @abstractmethod
    async def drop_stream(self, name: str) -> bool:
        """Delete a stream and all its versions; False if there was none."""

    @abstractmethod
    async def get_stream(self, name: str, *, deleted: bool = False) -> StreamRecord:
        """A stream (``deleted``: one whose versions are all softly deleted, too)."""

    @abstractmethod
    async def list_streams(self, *, deleted: bool = False) -> list[StreamRecord]: ...

    @abstractmethod
    async def get_version(
        self, name: str, version: int | None = None, *, deleted: bool = False
    ) -> SchemaVersion:
        """One version; the latest when ``version`` is None (``deleted``: softly deleted
        versions count)."""

    @abstractmethod
    async def list_versions(self, name: str, *, deleted: bool = False) -> list[SchemaVersion]: ...

    @abstractmethod
    async def list_latest(self) -> list[tuple[StreamRecord, SchemaVersion]]:
        """Every stream with its latest version, by name."""

    @abstractmethod
    async def registered_schema(self, schema_id: int) -> Registration | None:
        """The schema of a global id, while a version (softly deleted or not) holds it."""

    @abstractmethod
    async def schema_versions(
        self, schema_id: int, *, deleted: bool = False
    ) -> list[tuple[str, int]]:
        """The (stream, version) pairs that hold a schema id."""

    @abstractmethod
    async def schema_ids(self) -> list[int]:
        """Every schema id a version holds, in order."""

    @abstractmethod
    async def holding(
        self, name: str, identity: str, *, deleted: bool = False
    ) -> SchemaVersion | None:
        """The newest version of stream ``name`` whose schema has this identity."""

    @abstractmethod
    async def referencing(self, name: str, version: int) -> list[int]:
        """The ids of schemas, held by live versions, that reference this version."""

    @abstractmethod
    async def get_setting(self, key: str, *fallbacks: str) -> str | None:
        """A setting's value; else that of the first of ``fallbacks`` that is set."""

    @abstractmethod
    async def set_setting(self, key: str, value: str | None) -> None:
        """Set a setting; None removes it."""

    @abstractmethod
    async def set_before_creation(self, name: str, key: str, value: str | None) -> bool:
        """Set (None: remove) the setting ``key`` kept for stream ``name`` until it is
        made, which takes it; False, and nothing set, if the stream exists by now (a
        creation under way is waited for)."""

    @abstractmethod
    async def dump(self) -> CatalogDump:
        """Everything the catalog holds, read in one snapshot."""

    @abstractmethod
    async def load(
        self, dump: CatalogDump, *, merge: bool = False, dry_run: bool = False
    ) -> LoadReport:
        """Write ``dump`` as it is (ids, version numbers, deleted marks, times) in one
        transaction, secrets removed from each new stream's metadata as ``create_stream``
        removes them.  Without ``merge`` the catalog must be empty; with it, what is already
        there the same is kept, the dump's settings win (the catalog's, and a stream's
        compatibility and mode, where the dump sets them; a stream keeps its other
        metadata), a version's deleted mark becomes the dump's, and any id or version that
        differs (an id held by another schema, a version holding another id) stops the load
        before it writes anything.  ``dry_run`` checks and counts, writing nothing."""

    async def exists(self) -> bool:
        """Whether the catalog is there already (a SQLite file not made yet is not)."""
        return True

    @abstractmethod
    async def ping(self) -> None:
        """Answer one trivial query on the catalog's tables (a readiness check); a
        ``CatalogError`` says why the store cannot."""

    @abstractmethod
    async def close(self) -> None: ...


# -- helpers both backends use -----------------------------------------------------

STREAM_UPDATABLE = (
    "datasource",
    "format",
    "options",
    "compatibility",
    "lineage",
    "query",
    "mode",
)


def spec_changes(spec: StreamSpec) -> dict[str, Any]:
    """A spec as the metadata changes that make a stream's metadata the spec's."""
    return {
        "datasource": spec.datasource,
        "format": spec.format,
        "options": spec.options,
        "compatibility": spec.compatibility,
        "lineage": spec.lineage,
        "query": spec.query,
    }


def stream_key(name: str) -> str:
    return name.lower()


def pending_mode_key(name: str) -> str:
    """The setting that holds the mode set for a stream that does not exist yet, which
    ``create_stream`` takes (and removes) in the transaction that makes the stream."""
    return f"mode:{stream_key(name)}"


def pending_compatibility_key(name: str) -> str:
    """The same for the compatibility set for a stream that does not exist yet (Schema
    Registry clients set a subject's before they register its first schema)."""
    return f"compatibility:{stream_key(name)}"


def now() -> datetime:
    return datetime.now(UTC)


def not_found(name: str, known: Iterable[str]) -> StreamNotFound:
    hint = did_you_mean(name, known) or "SHOW STREAMS lists the streams there are"
    return StreamNotFound(f"stream {name!r} does not exist", hint=hint)


def encode_updates(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for a metadata update, secrets removed, JSON where the column is JSON."""
    unknown = set(changes) - set(STREAM_UPDATABLE)
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}; only {STREAM_UPDATABLE}")
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "datasource":
            out[key] = redact(value) if value else None
        elif key == "options":
            out[key] = dump_json(redact_options(value))
        elif key == "lineage":
            out[key] = dump_json([redact(v) for v in value])
        elif key == "query":
            out[key] = redact_text(value) if value else None
        elif key == "compatibility":
            out[key] = value or ""  # the catalog's default (the column cannot be NULL)
        else:
            out[key] = value
    return out


def dump_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def load_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)
