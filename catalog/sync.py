"""``catalog.connect(url)``: the catalog without ``await``.

The facade owns a private event loop in a daemon thread, so it works from plain
scripts and from inside a running loop (Jupyter) alike.  Ctrl-C while waiting
cancels the running call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from catalog.compat import CompatibilityResult
from catalog.core import Catalog
from catalog.result import Result
from catalog.schema import Schema
from catalog.store import SchemaVersion, StreamRecord

T = TypeVar("T")


class LoopThread:
    """An event loop running in its own thread; ``run`` waits for a coroutine's result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="schemacat-loop", daemon=True
        )
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except KeyboardInterrupt:
            future.cancel()
            raise

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class SyncCatalog:
    """The blocking twin of ``Catalog``; same methods, same arguments."""

    def __init__(self, url: str | None = None) -> None:
        self._loop = LoopThread()
        try:
            self.catalog = self._loop.run(Catalog.open(url))
        except BaseException:
            self._loop.stop()
            raise

    @property
    def url(self) -> str:
        return self.catalog.url

    def close(self) -> None:
        try:
            self._loop.run(self.catalog.close())
        finally:
            self._loop.stop()

    def __enter__(self) -> SyncCatalog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def sql(self, sql: str, **variables: str) -> list[Result]:
        """Run SQL statements; the results of each, in order."""
        return self._loop.run(self.catalog.execute(sql, variables=variables))

    def create_stream(self, name: str, schema: Schema, **kwargs: Any) -> SchemaVersion:
        return self._loop.run(self.catalog.create_stream(name, schema, **kwargs))

    def register(self, name: str, schema: Schema, **kwargs: Any) -> SchemaVersion:
        return self._loop.run(self.catalog.register(name, schema, **kwargs))

    def check(self, name: str, schema: Schema) -> tuple[SchemaVersion, CompatibilityResult]:
        return self._loop.run(self.catalog.check(name, schema))

    def update_stream(self, name: str, **changes: Any) -> StreamRecord:
        return self._loop.run(self.catalog.update_stream(name, **changes))

    def get_schema(self, name: str, version: int | None = None) -> Schema:
        return self._loop.run(self.catalog.get_schema(name, version))

    def get_version(self, name: str, version: int | None = None) -> SchemaVersion:
        return self._loop.run(self.catalog.get_version(name, version))

    def versions(self, name: str) -> list[SchemaVersion]:
        return self._loop.run(self.catalog.versions(name))

    def stream(self, name: str) -> StreamRecord:
        return self._loop.run(self.catalog.stream(name))

    def streams(self) -> list[StreamRecord]:
        return self._loop.run(self.catalog.streams())

    def latest_versions(self) -> list[tuple[StreamRecord, SchemaVersion]]:
        return self._loop.run(self.catalog.latest_versions())

    def drop(self, name: str, *, if_exists: bool = False) -> bool:
        return self._loop.run(self.catalog.drop(name, if_exists=if_exists))

    def default_compatibility(self) -> str:
        return self._loop.run(self.catalog.default_compatibility())

    def set_default_compatibility(self, mode: str) -> None:
        self._loop.run(self.catalog.set_default_compatibility(mode))


def connect(url: str | None = None) -> SyncCatalog:
    """Open the catalog at ``url`` (default ``$SCHEMACAT_CATALOG``, else ``./schemacat.db``)."""
    return SyncCatalog(url)
