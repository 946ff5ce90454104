"""A TCP relay in front of a service, in a thread: TLS for the Kafka TLS tests, and the faults
of a real network for the others (a slow link, a connection that drops, a host that is gone)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Link:
    """How the relay treats traffic; a test changes it while the relay runs."""

    delay: float = 0.0  # seconds each chunk waits before it goes on
    down: bool = False  # refuse new connections
    most_open: int = 0  # the most directions of connections open at once (two each)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _open: set[asyncio.StreamWriter] = field(default_factory=set, repr=False)

    @property
    def busy(self) -> bool:
        """Whether a connection is open through the relay now."""
        return bool(self._open)

    def drop(self) -> None:
        """Close every connection now, and refuse new ones: the host is gone."""
        self.down = True
        if self._loop is not None:
            for writer in list(self._open):
                self._loop.call_soon_threadsafe(writer.transport.abort)


@contextlib.contextmanager
def relay(port: int, target_port: int, *, context: ssl.SSLContext | None = None) -> Iterator[Link]:
    """Accept on ``port`` (with TLS when ``context`` is given) and relay each connection to
    ``target_port``; yields the ``Link`` that says how."""
    loop = asyncio.new_event_loop()
    link = Link(_loop=loop)
    started = threading.Event()
    stopping: asyncio.Future[None] = loop.create_future()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        link._open.add(writer)
        link.most_open = max(link.most_open, len(link._open))
        try:
            while data := await reader.read(65536):
                if link.delay:
                    await asyncio.sleep(link.delay)
                writer.write(data)
                await writer.drain()
        except (OSError, ssl.SSLError):
            pass
        finally:
            link._open.discard(writer)
            writer.close()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if link.down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def serve() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", port, ssl=context)
        started.set()
        async with server:
            await stopping
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:  # connections still open: ended with the relay
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    loop.set_exception_handler(lambda _loop, _ctx: None)  # refused handshakes are expected
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError(f"the relay on port {port} did not start")
    try:
        yield link
    finally:
        loop.call_soon_threadsafe(stopping.set_result, None)
        thread.join(10)
        loop.close()
