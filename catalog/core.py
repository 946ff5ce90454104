"""``Catalog``: streams and their schema versions, over a store, discovering through providers.

This is the service layer every door goes through (the SQL statements, the
shell, scripts, Python, the REST server): each operation a door offers is one
method here, with plain arguments and typed results, so that every door makes
the same checks and says the same things.  ``catalog.Catalog`` (``catalog.api``)
adds ``execute`` for SQL text.

Every new version is checked against the stream's compatibility mode first and
registered only if the stream has not moved meanwhile (optimistic concurrency:
on a conflict the change is applied again to the newer version, and checked
again).  An error about one argument says which in its ``subject``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from catalog.changes import diff
from catalog.compat import (
    CompatibilityResult,
    HistorySummary,
    avro_binary,
    check_compatibility,
    history,
    transitive,
)
from catalog.discover import Discoverer, default_discoverer
from catalog.discovery import Discovery, SourceObject
from catalog.drift import Drift, drift
from catalog.errors import (
    ConcurrentModification,
    IncompatibleSchema,
    InvalidRequest,
    SchemacatError,
    StreamExists,
    StreamNotFound,
    VersionNotFound,
)
from catalog.evolve import ColumnAction, apply, follow
from catalog.first import first_schema
from catalog.infer.stats import ColumnStats
from catalog.modes import normalize_mode
from catalog.options import kafka_uri, provider_options, resolve
from catalog.outcomes import Description, Registered, Updated
from catalog.registration import Registration, canonical_text_cache, of_columns, value_columns
from catalog.schema import Schema
from catalog.secrets import is_secret_option, redact
from catalog.store import (
    NewVersion,
    SchemaVersion,
    Store,
    StreamRecord,
    StreamSpec,
    StreamWriter,
    open_store,
)
from catalog.store.base import not_found, pending_compatibility_key, spec_changes
from catalog.store.sql import decoded_schema_cache, to_the_end
from catalog.subject_settings import COMPATIBILITY_SETTING
from catalog.subjects import (
    incompatible,
    parsed_schema_cache,
    registration_counts,
)
from catalog.transfer import Transfers
from catalog.words import versions

SETTINGS = (COMPATIBILITY_SETTING,)


class Catalog(Transfers):  # Transfers (backup, restore, import) is Subjects and more
    """A versioned catalog of streams.  Open with ``await Catalog.open(url)``."""

    def __init__(self, store: Store, discoverer: Discoverer | None = None) -> None:
        self.store = store
        self.discoverer = discoverer or default_discoverer

    @classmethod
    async def open(cls, url: str | None = None, *, discoverer: Discoverer | None = None) -> Self:
        return cls(await open_store(url), discoverer)

    @property
    def url(self) -> str:
        """The catalog's URL, without any password."""
        return self.store.url

    async def close(self) -> None:
        await self.store.close()

    async def ping(self) -> None:
        """Whether the store answers: one trivial query (``CatalogError`` if it cannot)."""
        await self.store.ping()

    @staticmethod
    def cache_stats() -> tuple[dict[str, tuple[int, int, int]], dict[str, int]]:
        """This process's registry caches, name -> (hits, misses, entries), and its
        registrations by outcome (``new``, ``existing``): plain counts for a door's
        metrics."""
        caches = {
            "parsed_schemas": parsed_schema_cache(),
            "decoded_schemas": decoded_schema_cache(),
            "canonical_texts": canonical_text_cache(),
        }
        return caches, registration_counts()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- settings ------------------------------------------------------------------
    async def default_compatibility(self, stream: str | None = None) -> str:
        """The mode new streams get: ``SET compatibility``, else $SCHEMACAT_COMPATIBILITY;
        for ``stream``, first the mode set for it over REST before it existed."""
        keys = (pending_compatibility_key(stream),) if stream else ()
        return _default(await self.store.get_setting(*keys, COMPATIBILITY_SETTING))

    async def mode_of(self, stream: StreamRecord) -> str:
        """The compatibility mode a stream's changes are checked under: its own, else the
        catalog's default."""
        return stream.compatibility or await self.default_compatibility()

    async def set_default_compatibility(self, mode: str) -> str:
        """Make ``mode`` the mode of new streams; the mode, normalised."""
        return await self.set_setting(COMPATIBILITY_SETTING, mode)

    async def reset_default_compatibility(self) -> None:
        """Forget ``SET compatibility``: new streams get $SCHEMACAT_COMPATIBILITY, else
        BACKWARD."""
        await self.store.set_setting(COMPATIBILITY_SETTING, None)

    async def set_setting(self, key: str, value: str) -> str:
        """Set a catalog setting (``compatibility``); the value as stored."""
        if key.lower() not in SETTINGS:
            raise InvalidRequest(
                f"unknown setting {key}",
                hint=f"the settings are {', '.join(SETTINGS)}",
                code="UNKNOWN_SETTING",
                subject=("key",),
            )
        try:
            mode = normalize_mode(value)
        except SchemacatError as exc:
            exc.subject = ("value",)
            raise
        await self.store.set_setting(COMPATIBILITY_SETTING, mode)
        return mode

    # -- sources -------------------------------------------------------------------
    async def discover(self, uri: str, **options: Any) -> Discovery:
        """The schema of whatever ``uri`` points at; registers nothing (``DESCRIBE 'uri'``)."""
        return await self.discoverer.discover(uri, **options)

    async def list_objects(self, uri: str, **options: Any) -> list[SourceObject] | None:
        """What a URI naming many objects (a broker, a database) holds; None for one source."""
        return await self.discoverer.list_objects(uri, **options)

    async def topics(self, broker: str | None = None) -> list[SourceObject]:
        """The topics of ``broker`` (a ``kafka://`` URI; default $SCHEMACAT_KAFKA_BOOTSTRAP)."""
        source = broker or kafka_uri()
        objects = await self.discoverer.list_objects(source) or []
        others = sorted({o.kind for o in objects if o.kind != "topic"})
        if others:
            raise InvalidRequest(
                f"{redact(source)} holds {' and '.join(k + 's' for k in others)}, not topics",
                hint=f"schemacat discover '{redact(source)}' lists them",
                code="NOT_A_BROKER",
                subject=("broker",),
            )
        return objects

    # -- creating ------------------------------------------------------------------
    async def create_stream(
        self,
        name: str,
        schema: Schema | None = None,
        *,
        datasource: str | None = None,
        format: str | None = None,
        compatibility: str | None = None,
        options: Mapping[str, str | None] | None = None,
        query: str | None = None,
        validate: bool = True,
        if_not_exists: bool = False,
        replace: bool = False,
    ) -> Registered:
        """Create a stream at version 1, as CREATE STREAM does.

        * ``schema`` declares its columns; with a ``datasource`` and ``validate``
          they are checked against a discovery of it first.  A ``Discovery`` (from
          ``discover``) is registered as discovered, with its facts.
        * A ``datasource`` alone is discovered.
        * ``query`` (DuckDB SQL over ``'uri'`` sources and stream names) is typed by
          DuckDB, and its sources are kept as the stream's lineage.

        ``options`` take every WITH key (ksqlDB's spellings, provider options);
        ``if_not_exists`` leaves an existing stream untouched; ``replace`` makes the
        schema the stream's next version, checked against the given compatibility
        mode (else the stream's), and replaces its settings.
        """
        if if_not_exists and replace:
            raise InvalidRequest("OR REPLACE and IF NOT EXISTS cannot be used together")
        given = dict(options or {})
        for key, value in (("datasource", datasource), ("format", format),
                           ("compatibility", compatibility)):  # fmt: skip
            if value is not None:
                given[key] = value
        settings = resolve(given, self.discoverer.registry)
        previous = await self._latest_or_none(name) if if_not_exists or replace else None
        if previous is not None and if_not_exists:
            return Registered.of(previous, previous.version)
        check = validate if settings.validate is None else settings.validate
        first = await first_schema(name, schema, query, settings, validate=check, sources=self)
        found = first.found
        schema = Schema(first.schema.fields, settings.schema_name or first.schema.name)
        spec = StreamSpec(
            name=name,
            datasource=settings.datasource,
            format=settings.format or (found.format if found else None),
            options=settings.kept,
            compatibility=settings.compatibility or await self.default_compatibility(name),
            lineage=first.lineage,
            query=query,
        )
        facts = found.facts() if found is not None else None
        bridged = None
        if first.subject is not None:  # checked before anything is written
            bridged = await self._bridged(first.subject, schema, settings.format)
        try:
            created = await self.store.create_stream(
                spec, NewVersion(schema, first.origin, "created", facts)
            )
        except StreamExists:
            if not (if_not_exists or replace):
                raise
        else:
            if bridged is not None and first.subject is not None:
                try:
                    await self.register_schema(first.subject, bridged)
                except BaseException:  # cancelled too: the stream goes with its subject
                    await to_the_end(self.store.drop_stream(name))
                    raise
            return Registered.of(created, None, found)
        if if_not_exists:  # created by another writer meanwhile
            latest = await self.store.get_version(name)
            return Registered.of(latest, latest.version)
        evolved = await self._evolve(
            name,
            lambda _: schema,
            first.origin,
            discovery=facts,
            found=found,
            spec=spec,
            mode=settings.compatibility,
        )
        if bridged is not None and first.subject is not None:
            await self.register_schema(first.subject, bridged)
        return evolved

    async def _bridged(self, subject: str, schema: Schema, format: str | None) -> Registration:
        """What ksqlDB's bridge registers under ``subject`` for a stream's value columns
        (an Avro record named as the subject's latest, unless named), checked as
        registering would check it (409, 42201), registering nothing."""
        latest = await self._latest_or_none(subject)
        value = value_columns(schema)
        if value.name is None and latest is not None:
            value = Schema(value.fields, latest.schema.name)
        registration = of_columns(value, subject, format)
        if latest is not None:
            result = await self.test_compatibility(subject, registration)
            if not result.compatible:
                raise incompatible(subject, result)
        return registration

    # -- evolving ------------------------------------------------------------------
    async def register(
        self,
        name: str,
        schema: Schema,
        *,
        origin: str = "altered",
        change: str = "",
        discovery: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Registered:
        """Make ``schema`` the stream's next version, if its compatibility mode allows.

        An identical schema registers nothing and returns the latest version.
        ``change`` defaults to a summary of the differences.  With
        ``expected_version`` the call fails if the stream has moved past it.
        """
        return await self._evolve(
            name,
            lambda _: schema,
            origin,
            change=change or None,
            discovery=discovery,
            expected_version=expected_version,
        )

    async def alter(self, name: str, actions: Sequence[ColumnAction]) -> Registered:
        """Apply column actions (``catalog.evolve``) to the latest version, as one new
        version; none when they change nothing."""
        return await self._evolve(
            name,
            lambda latest: apply(latest.schema, actions),
            "altered",
            not_derived="its columns are its query's",
        )

    async def set_options(self, name: str, options: Mapping[str, str | None]) -> Updated:
        """Change a stream's settings (ALTER STREAM ... SET): compatibility, datasource,
        format and the datasource's options; its versions stay as they are."""
        try:
            async with self.store.writing(name) as writer:
                stream = writer.stream
                settings = resolve(
                    options,
                    self.discoverer.registry,
                    kept=stream.options,
                    datasource=stream.datasource,
                )
                if stream.query and (settings.datasource or settings.format):
                    raise _derived(stream, "its sources are those its query names")
                changes: dict[str, Any] = {"options": settings.kept}
                shown: dict[str, str] = {}
                for key in ("datasource", "format", "compatibility"):
                    value = getattr(settings, key)
                    if value:
                        changes[key] = value
                        shown[key] = redact(value) if key == "datasource" else value
                shown |= {k: v for k, v in settings.kept.items() if stream.options.get(k) != v}
                secrets = tuple(k for k in options if is_secret_option(k))
                broken: list[tuple[int, CompatibilityResult]] = []
                if settings.compatibility and settings.compatibility != stream.compatibility:
                    earlier = await writer.versions()
                    numbers = [v.version for v in earlier]
                    checks = history(
                        [v.schema for v in earlier],
                        numbers,
                        settings.compatibility,
                        avro_binary=avro_binary(settings.format or stream.format),
                    )
                    broken = [(n, r) for n, r in zip(numbers, checks, strict=True) if r.issues]
                    if transitive(settings.compatibility):  # what its next ALTER reads
                        kept = HistorySummary.build(v.schema for v in earlier)
                        await writer.keep_history_summary(kept.to_json())
                return Updated(await writer.update(**changes), shown, secrets, tuple(broken))
        except StreamNotFound as exc:
            exc.subject = ("name",)
            raise

    async def update_stream(self, name: str, **changes: Any) -> StreamRecord:
        """Change stored settings as they are given (``compatibility``, ``datasource``,
        ``format``, ``options``, ``lineage``)."""
        if "compatibility" in changes:
            changes["compatibility"] = normalize_mode(str(changes["compatibility"]))
        return await self.store.update_stream(name, **changes)

    async def refresh(self, name: str) -> Registered:
        """Discover the stream's datasource again (derive a derived stream again from its
        sources) and register what is there now, if it changed and the mode allows."""
        stream = await self.stream(name)
        if stream.query:
            derived = await self._rederive(stream)
            return await self._evolve(
                name, lambda latest: follow(derived, latest.schema), "refreshed"
            )
        found = await self._rediscover(stream)
        return await self._evolve(
            name,
            lambda latest: follow(found, latest.schema),
            "refreshed",
            discovery=found.facts(),
            found=found,
        )

    async def validate(self, name: str) -> list[Drift]:
        """How the datasource's data has drifted from the latest version, column by
        column; registers nothing."""
        stream = await self.stream(name)
        registered = await self.get_schema(stream.name)
        if stream.query:
            return drift(registered, await self._rederive(stream))
        return drift(registered, await self._rediscover(stream))

    async def check(self, name: str, schema: Schema) -> tuple[SchemaVersion, CompatibilityResult]:
        """The latest version and the compatibility result of ``schema`` following it."""
        stream = await self.stream(name)
        mode = await self.mode_of(stream)
        if transitive(mode):
            earlier = await self.versions(stream.name)
        else:
            earlier = [await self.get_version(stream.name)]
        pairs = [(v.version, v.schema) for v in earlier]
        return earlier[-1], _checked(stream, schema, pairs, mode)

    async def drop(self, name: str, *, if_exists: bool = False) -> bool:
        """Delete a stream and its versions; False if there was none (and ``if_exists``)."""
        dropped = await self.store.drop_stream(name)
        if not dropped and not if_exists:
            error = not_found(name, [s.name for s in await self.streams()])
            error.subject = ("name",)
            raise error
        return dropped

    # -- reading -------------------------------------------------------------------
    async def stream(self, name: str) -> StreamRecord:
        try:
            return await self.store.get_stream(name)
        except StreamNotFound as exc:
            exc.subject = ("name",)
            raise

    async def streams(self) -> list[StreamRecord]:
        return await self.store.list_streams()

    async def latest_versions(self) -> list[tuple[StreamRecord, SchemaVersion]]:
        """Every stream with its latest version, in one read."""
        return await self.store.list_latest()

    async def get_version(self, name: str, version: int | None = None) -> SchemaVersion:
        """One version of a stream; the latest when ``version`` is None."""
        stream = await self.stream(name)
        if version is not None and not 1 <= version <= stream.latest_version:
            raise VersionNotFound(
                f"stream {stream.name!r} has no version {version}",
                hint=f"its versions are 1 to {stream.latest_version}",
                subject=("version",),
            )
        try:
            return await self.store.get_version(stream.name, version)
        except SchemacatError as exc:
            exc.subject = ("version",)
            raise

    async def get_schema(self, name: str, version: int | None = None) -> Schema:
        return (await self.get_version(name, version)).schema

    async def versions(self, name: str) -> list[SchemaVersion]:
        try:
            return await self.store.list_versions(name)
        except StreamNotFound as exc:
            exc.subject = ("name",)
            raise

    async def describe(
        self, name: str, version: int | None = None, *, extended: bool = False
    ) -> Description:
        """The stream at ``version`` (default the latest); with ``extended``, the statistics
        and basis of the newest discovery up to it."""
        stream = await self.stream(name)
        found = await self.get_version(stream.name, version)
        if not extended:
            return Description(stream, found, {}, None)
        facts = found.discovery
        if facts is None and found.version > 1:
            earlier = [v for v in await self.versions(stream.name) if v.version < found.version]
            facts = next((v.discovery for v in reversed(earlier) if v.discovery), None)
        if not facts:
            return Description(stream, found, {}, None)
        stats = {name: ColumnStats.from_json(s) for name, s in (facts.get("stats") or {}).items()}
        return Description(stream, found, stats, self.discoverer.basis(facts))

    async def compatibility_history(self, name: str) -> list[tuple[int, CompatibilityResult]]:
        """Each version checked against the one before it (every one before it, in a
        transitive mode), under the stream's mode as it is now."""
        stream = await self.stream(name)
        versions = await self.versions(stream.name)
        numbers = [v.version for v in versions]
        results = history(
            [v.schema for v in versions],
            numbers,
            await self.mode_of(stream),
            avro_binary=avro_binary(stream.format),
        )
        return list(zip(numbers, results, strict=True))

    # -- inner workings ------------------------------------------------------------
    async def _latest_or_none(self, name: str) -> SchemaVersion | None:
        try:
            return await self.store.get_version(name)
        except StreamNotFound:
            return None

    async def _evolve(
        self,
        name: str,
        make: Callable[[SchemaVersion], Schema],
        origin: str,
        *,
        change: str | None = None,
        discovery: Mapping[str, Any] | None = None,
        found: Discovery | None = None,
        spec: StreamSpec | None = None,
        mode: str | None = None,
        expected_version: int | None = None,
        not_derived: str | None = None,
    ) -> Registered:
        """Register ``make(latest)`` as the next version, checked first, while the stream is
        held: writers of one stream go one after the other, each against the version the
        one before it left, so none is lost and none fails for another's sake.
        ``not_derived``: why a stream derived from a query cannot take it."""
        try:
            async with self.store.writing(name) as writer:
                stream = writer.stream
                if not_derived and stream.query:
                    raise _derived(stream, not_derived)
                if expected_version is not None and stream.latest_version != expected_version:
                    raise ConcurrentModification(
                        f"stream {stream.name} is at version {stream.latest_version}, "
                        f"not {expected_version}",
                        hint="run the statement again; it is checked against the new version",
                    )
                if spec is not None:  # CREATE OR REPLACE: its settings, whatever the schema
                    stream = await writer.update(**spec_changes(spec))
                mode_now = (
                    mode
                    or stream.compatibility
                    or _default(await writer.setting(COMPATIBILITY_SETTING))
                )
                latest = await writer.latest()
                schema = make(latest)
                if latest.fingerprint == schema.fingerprint:
                    return Registered.of(latest, latest.version, found)
                if transitive(mode_now):
                    kept = await _checked_transitively(writer, schema, mode_now)
                else:
                    _refuse(
                        stream,
                        _checked(stream, schema, [(latest.version, latest.schema)], mode_now),
                    )
                    kept = None
                summary = change or diff(latest.schema, schema).summary
                plain = schema if type(schema) is Schema else Schema(schema.fields, schema.name)
                added = await writer.append(NewVersion(plain, origin, summary, discovery))
                if kept is not None:  # the new version taken in, in the same transaction
                    kept.add(schema)
                    await writer.keep_history_summary(kept.to_json())
                return Registered.of(added, latest.version, found)
        except StreamNotFound as exc:
            exc.subject = ("name",)
            raise

    async def _rederive(self, stream: StreamRecord) -> Schema:
        """A derived stream's query typed again over its sources as they are now."""
        from catalog.derive import derive

        async def fresh(uri: str) -> Discovery:
            self.discoverer.invalidate(uri)
            return await self.discover(uri)

        assert stream.query is not None
        schema, _ = await derive(stream.query, self.get_schema, fresh)
        return schema

    async def _rediscover(self, stream: StreamRecord) -> Discovery:
        """The stream's source looked at again (not from the cache), with its options."""
        if not stream.datasource:
            raise InvalidRequest(
                f"stream {stream.name} has no datasource to look at",
                hint="ALTER STREAM ... SET (datasource = '...')",
                code="NO_DATASOURCE",
                subject=("name",),
            )
        self.discoverer.invalidate(stream.datasource)
        accepted = provider_options(stream.datasource, self.discoverer.registry)
        options = {k: v for k, v in stream.options.items() if k in accepted}
        if stream.format and "," not in stream.format and "format" in accepted:
            options.setdefault("format", stream.format)  # as discovered or declared
        return await self.discover(stream.datasource, **options)


def _checked(
    stream: StreamRecord, schema: Schema, earlier: Sequence[tuple[int, Schema]], mode: str
) -> CompatibilityResult:
    """``schema`` checked against ``earlier`` (version numbers and schemas)."""
    return check_compatibility(
        schema,
        [s for _, s in earlier],
        mode,
        versions=[n for n, _ in earlier],
        avro_binary=avro_binary(stream.format),
    )


async def _checked_transitively(writer: StreamWriter, schema: Schema, mode: str) -> HistorySummary:
    """``schema`` checked against every live version (``IncompatibleSchema`` if it fails);
    the summary of those versions.  The summary kept of them clears most schemas without
    reading the versions; any other is checked against each, and so is every schema of a
    history whose summary was not kept or summarises other versions."""
    kept = await writer.history_summary()
    summary = HistorySummary.from_json(kept) if kept is not None else None
    if summary is not None and summary.clears(schema, mode):
        return summary
    earlier = await writer.schemas()
    _refuse(writer.stream, _checked(writer.stream, schema, earlier, mode))
    return summary if summary is not None else HistorySummary.build(s for _, s in earlier)


def _refuse(stream: StreamRecord, result: CompatibilityResult) -> None:
    """``IncompatibleSchema`` if the check found an issue."""
    if not result.compatible:
        against = sorted({i.version for i in result.issues if i.version})
        raise IncompatibleSchema(
            f"the new schema of {stream.name} is not {result.mode} compatible "
            f"with {versions(against)}; nothing was registered",
            result.issues,
            hint="change it compatibly, or ALTER STREAM ... SET (compatibility = 'NONE')",
        )


def _default(stored: str | None) -> str:
    """The catalog's default compatibility: as set, else $SCHEMACAT_COMPATIBILITY."""
    return stored or os.environ.get("SCHEMACAT_COMPATIBILITY", "BACKWARD").upper()


def _derived(stream: StreamRecord, why: str) -> InvalidRequest:
    return InvalidRequest(
        f"stream {stream.name} is derived from a query: {why}",
        hint=f"change the query with CREATE OR REPLACE STREAM {stream.name} AS SELECT ... "
        f"(SHOW CREATE STREAM {stream.name} shows it)",
        code="DERIVED_STREAM",
        subject=("name",),
    )
