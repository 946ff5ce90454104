"""Progress of slow work (sampling a topic, reading files), for whoever shows it.

Providers call ``report("sampling kafka://host/orders", done, total)``; the
shell listens (``listening(callback)``) and draws a spinner.  The listener is a
context variable, so it follows the statement into tasks and into the threads
``asyncio.to_thread`` starts, and costs one lookup when nobody listens.
Listeners must be cheap and thread-safe: they are called from worker threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[str], None]

_listener: ContextVar[Listener | None] = ContextVar("schemacat_progress", default=None)


def report(what: str, done: int | None = None, total: int | None = None) -> None:
    """Tell the listener, if any, what is happening: ``what: done/total``."""
    listener = _listener.get()
    if listener is None:
        return
    if done is None:
        listener(what)
    else:
        listener(f"{what}: {done}/{total}" if total else f"{what}: {done}")


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
