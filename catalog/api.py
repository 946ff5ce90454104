"""The Python door: ``Catalog`` with SQL, and its blocking twin ``connect(url)``.

``catalog.Catalog`` is the service layer (``catalog.core``) plus ``execute``,
which runs SQL text through the same statements the shell and ``schemacat
run`` use.  ``SyncCatalog`` is generated from it: every public coroutine method
of ``Catalog`` is a blocking method of the same name, arguments and docstring.
It owns a private event loop in a daemon thread, so it works from plain scripts
and from inside a running loop (Jupyter) alike; Ctrl-C while waiting cancels the
running call.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Callable, Coroutine, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from catalog import core
from catalog.result import Result

T = TypeVar("T")


class Catalog(core.Catalog):
    """A versioned catalog of streams.  Open with ``await Catalog.open(url)``."""

    async def execute(
        self, sql: str, *, variables: Mapping[str, str] | None = None
    ) -> list[Result]:
        """Run the statements of ``sql`` in order; each is applied whole or not at all, and
        the first that fails raises (those before it stay applied)."""
        from catalog.sql.session import Session  # the SQL dialect costs a third of a second

        return await Session(self, variables).execute(sql)


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
    """The blocking twin of ``Catalog``: each of its coroutine methods, without ``await``."""

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
        """Run SQL statements; the results of each, in order (``${name}`` from ``variables``)."""
        return self._loop.run(self.catalog.execute(sql, variables=variables))

    if TYPE_CHECKING:  # the generated methods, for type checkers

        def __getattr__(self, name: str) -> Any: ...


def _blocking(method: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: SyncCatalog, *args: Any, **kwargs: Any) -> Any:
        return self._loop.run(method(self.catalog, *args, **kwargs))

    return call


for _name, _method in inspect.getmembers(Catalog, inspect.iscoroutinefunction):
    if not _name.startswith("_") and _name not in ("open", "close"):
        setattr(SyncCatalog, _name, _blocking(_method))


def connect(url: str | None = None) -> SyncCatalog:
    """Open the catalog at ``url`` (default ``$SCHEMACAT_CATALOG``, else ``./schemacat.db``)."""
    return SyncCatalog(url)
