"""``Catalog``: streams and their schema versions, over a store.

This is the service layer every door (SQL, shell, scripts, Python) goes through;
``catalog.Catalog`` (``catalog.api``) adds ``execute`` for SQL text.
Every new version is checked against the stream's compatibility mode first and
registered only if the stream has not moved meanwhile (optimistic concurrency:
on a conflict the check runs again against the newer version).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

from catalog.changes import diff
from catalog.compat import CompatibilityResult, check_compatibility
from catalog.errors import ConcurrentModification, IncompatibleSchema, SchemacatError, StreamExists
from catalog.modes import normalize_mode
from catalog.schema import Schema
from catalog.store import (
    NewVersion,
    SchemaVersion,
    Store,
    StreamRecord,
    StreamSpec,
    open_store,
)
from catalog.store.base import not_found

COMPATIBILITY_SETTING = "compatibility"
RETRIES = 5


class Catalog:
    """A versioned catalog of streams.  Open with ``await Catalog.open(url)``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    async def open(cls, url: str | None = None) -> Self:
        return cls(await open_store(url))

    @property
    def url(self) -> str:
        """The catalog's URL, without any password."""
        return self.store.url

    async def close(self) -> None:
        await self.store.close()

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
    async def default_compatibility(self) -> str:
        """The mode new streams get: ``SET compatibility``, else $SCHEMACAT_COMPATIBILITY."""
        stored = await self.store.get_setting(COMPATIBILITY_SETTING)
        return stored or os.environ.get("SCHEMACAT_COMPATIBILITY", "BACKWARD").upper()

    async def set_default_compatibility(self, mode: str) -> None:
        await self.store.set_setting(COMPATIBILITY_SETTING, normalize_mode(mode))

    # -- streams -------------------------------------------------------------------
    async def create_stream(
        self,
        name: str,
        schema: Schema,
        *,
        datasource: str | None = None,
        format: str | None = None,
        options: Mapping[str, str] | None = None,
        compatibility: str | None = None,
        lineage: tuple[str, ...] = (),
        origin: str = "declared",
        change: str = "created",
        discovery: Mapping[str, Any] | None = None,
        if_not_exists: bool = False,
        replace: bool = False,
    ) -> SchemaVersion:
        """Create a stream at version 1.

        ``if_not_exists`` returns the latest version of an existing stream
        untouched; ``replace`` makes the schema the stream's next version,
        checked against the given compatibility mode (else the stream's), and
        replaces its metadata.
        """
        if if_not_exists and replace:
            raise SchemacatError("OR REPLACE and IF NOT EXISTS cannot be used together")
        mode = normalize_mode(compatibility) if compatibility else None
        spec = StreamSpec(
            name=name,
            datasource=datasource,
            format=format,
            options=dict(options or {}),
            compatibility=mode or await self.default_compatibility(),
            lineage=tuple(lineage),
        )
        try:
            return await self.store.create_stream(
                spec, NewVersion(schema, origin, change, discovery)
            )
        except StreamExists:
            if if_not_exists:
                return await self.store.get_version(name)
            if not replace:
                raise
        return await self._evolve(name, schema, origin, None, discovery, spec=spec, mode=mode)

    async def register(
        self,
        name: str,
        schema: Schema,
        *,
        origin: str = "altered",
        change: str = "",
        discovery: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> SchemaVersion:
        """Make ``schema`` the stream's next version, if its compatibility mode allows.

        An identical schema registers nothing and returns the latest version.
        ``change`` defaults to a summary of the differences.  With
        ``expected_version`` the call fails if the stream has moved past it.
        """
        return await self._evolve(
            name, schema, origin, change or None, discovery, expected_version=expected_version
        )

    async def check(self, name: str, schema: Schema) -> tuple[SchemaVersion, CompatibilityResult]:
        """The latest version and the compatibility result of ``schema`` following it."""
        stream = await self.store.get_stream(name)
        return await self._check(stream, schema, stream.compatibility)

    async def _check(
        self, stream: StreamRecord, schema: Schema, mode: str
    ) -> tuple[SchemaVersion, CompatibilityResult]:
        if mode.endswith("_TRANSITIVE"):
            history = await self.store.list_versions(stream.name)
        else:
            history = [await self.store.get_version(stream.name)]
        result = check_compatibility(
            schema,
            [v.schema for v in history],
            mode,
            versions=[v.version for v in history],
            avro_binary=stream.format == "avro",
        )
        return history[-1], result

    async def _evolve(
        self,
        name: str,
        schema: Schema,
        origin: str,
        change: str | None,
        discovery: Mapping[str, Any] | None,
        *,
        spec: StreamSpec | None = None,
        mode: str | None = None,
        expected_version: int | None = None,
    ) -> SchemaVersion:
        for _ in range(RETRIES):
            stream = await self.store.get_stream(name)
            if expected_version is not None and stream.latest_version != expected_version:
                raise ConcurrentModification(
                    f"stream {stream.name} is at version {stream.latest_version}, "
                    f"not {expected_version}",
                    hint="run the statement again; it will be checked against the new version",
                )
            latest, result = await self._check(stream, schema, mode or stream.compatibility)
            if latest.fingerprint == schema.fingerprint and spec is None:
                return latest
            if not result.compatible:
                raise IncompatibleSchema(
                    f"the new schema of {stream.name} is not {result.mode} compatible "
                    f"with version {latest.version}; nothing was registered",
                    result.issues,
                    hint="change it compatibly, or ALTER STREAM ... SET (compatibility = 'NONE')",
                )
            summary = change or diff(latest.schema, schema).summary
            version = NewVersion(schema, origin, summary, discovery)
            try:
                registered, _ = await self.store.add_version(
                    name, version, expected_version=latest.version, spec=spec
                )
                return registered
            except ConcurrentModification:
                if expected_version is not None:
                    raise
        raise ConcurrentModification(
            f"stream {name} kept changing while this version was checked",
            hint="run the statement again",
        )

    async def update_stream(self, name: str, **changes: Any) -> StreamRecord:
        if "compatibility" in changes:
            changes["compatibility"] = normalize_mode(str(changes["compatibility"]))
        return await self.store.update_stream(name, **changes)

    async def get_schema(self, name: str, version: int | None = None) -> Schema:
        return (await self.store.get_version(name, version)).schema

    async def get_version(self, name: str, version: int | None = None) -> SchemaVersion:
        return await self.store.get_version(name, version)

    async def versions(self, name: str) -> list[SchemaVersion]:
        return await self.store.list_versions(name)

    async def stream(self, name: str) -> StreamRecord:
        return await self.store.get_stream(name)

    async def streams(self) -> list[StreamRecord]:
        return await self.store.list_streams()

    async def latest_versions(self) -> list[tuple[StreamRecord, SchemaVersion]]:
        """Every stream with its latest version, in one read."""
        return await self.store.list_latest()

    async def drop(self, name: str, *, if_exists: bool = False) -> bool:
        dropped = await self.store.drop_stream(name)
        if not dropped and not if_exists:
            raise not_found(name, [s.name for s in await self.streams()])
        return dropped
