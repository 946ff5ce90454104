"""Discovery results cached by URI and options: TTL + LRU, one load per key at a time.

Sizes come from $SCHEMACAT_CACHE_TTL (seconds, default 300) and
$SCHEMACAT_CACHE_SIZE (entries, default 1000).  Concurrent callers asking for
the same key while it loads wait for that one load (single flight).  Errors are
not cached.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class TTLCache(Generic[T]):
    def __init__(self, ttl: float | None = None, size: int | None = None) -> None:
        self.ttl = ttl if ttl is not None else float(os.environ.get("SCHEMACAT_CACHE_TTL", "300"))
        self.size = (
            size if size is not None else int(os.environ.get("SCHEMACAT_CACHE_SIZE", "1000"))
        )
        self._entries: OrderedDict[Hashable, tuple[float, T]] = OrderedDict()
        self._loading: dict[tuple[int, Hashable], asyncio.Future[T]] = {}
        self.hits = self.misses = 0

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]
        flight = (id(asyncio.get_running_loop()), key)
        pending = self._loading.get(flight)
        if pending is not None:
            self.hits += 1
            return await asyncio.shield(pending)
        self.misses += 1
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._loading[flight] = future
        try:
            value = await load()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # marked retrieved: the waiters get it, the loop need not log it
            raise
        finally:
            del self._loading[flight]
        future.set_result(value)
        self.put(key, value)
        return value

    def put(self, key: Hashable, value: T) -> None:
        if self.size <= 0 or self.ttl <= 0:
            return
        self._entries[key] = (time.monotonic() + self.ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def invalidate(self, match: Callable[[Hashable], bool]) -> int:
        stale = [key for key in self._entries if match(key)]
        for key in stale:
            del self._entries[key]
        return len(stale)

    def clear(self) -> None:
        """Forget every entry, and the hit and miss counts."""
        self._entries.clear()
        self.hits = self.misses = 0

    def info(self) -> dict[str, Any]:
        return {
            "hits": self.hits,
            "misses": self.misses,
            "entries": len(self._entries),
            "size": self.size,
            "ttl": self.ttl,
        }
