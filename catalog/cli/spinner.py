"""A spinner on stderr for a statement that runs longer than half a second, with its progress."""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from types import TracebackType

from rich.console import Console

from catalog.progress import listening

DELAY = 0.5  # seconds before the spinner shows: quick statements never flicker
REFRESH = 0.1


class Spinner:
    """``async with Spinner(console):`` around the awaiting of one statement."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.message = "working"
        self._task: asyncio.Task[None] | None = None
        self._listening: AbstractContextManager[None] | None = None

    def update(self, message: str) -> None:
        """Called by providers, from any thread: only the latest message is kept."""
        self.message = message

    async def __aenter__(self) -> Spinner:
        self._listening = listening(self.update)
        self._listening.__enter__()
        self._task = asyncio.create_task(self._show())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._task is not None and self._listening is not None
        self._task.cancel()
        await asyncio.wait([self._task])  # its end, without swallowing our own cancellation
        self._listening.__exit__(exc_type, exc, tb)

    async def _show(self) -> None:
        await asyncio.sleep(DELAY)
        with self.console.status(short(self.message)) as status:
            while True:
                status.update(short(self.message))
                await asyncio.sleep(REFRESH)


def short(message: str) -> str:
    """URIs cut to their scheme and last part: ``sampling kafka://…/orders: 640/1000``."""
    return " ".join(_short_uri(word) for word in message.split(" "))


def _short_uri(word: str) -> str:
    scheme, sep, rest = word.partition("://")
    if sep and "/" in rest.strip("/"):
        return f"{scheme}://…/{rest.rstrip('/').rsplit('/', 1)[-1]}"
    return word
