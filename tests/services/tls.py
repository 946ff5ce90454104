"""A TLS listener in front of a plain TCP port, for the Kafka TLS tests.

Tansu has no working TLS listener, so the tests put this proxy in front of a
broker that advertises the proxy's address: every connection a client makes,
bootstrap and fetch alike, then goes through a real TLS handshake (with client
certificates required, when the context says so) and on to the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import trustme


@dataclass(frozen=True)
class Certificates:
    """PEM files: the CA, the broker's certificate for 127.0.0.1, and a client's."""

    ca: Path
    client_cert: Path
    client_key: Path
    server: ssl.SSLContext


def make_certificates(folder: Path) -> Certificates:
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    ca.configure_trust(server)
    server.verify_mode = ssl.CERT_REQUIRED  # mutual TLS: the client must show a certificate
    client = ca.issue_cert("schemacat-tests@example.com")
    files = Certificates(folder / "ca.pem", folder / "client.pem", folder / "client.key", server)
    ca.cert_pem.write_to_path(str(files.ca))
    client.cert_chain_pems[0].write_to_path(str(files.client_cert))
    client.private_key_pem.write_to_path(str(files.client_key))
    return files


@contextlib.contextmanager
def tls_proxy(port: int, target_port: int, context: ssl.SSLContext) -> Iterator[None]:
    """Accept TLS on ``port`` and relay each connection to ``target_port``, in a thread."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stopping: asyncio.Future[None] = loop.create_future()

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(relay(reader, up_writer), relay(up_reader, writer))

    async def serve() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", port, ssl=context)
        started.set()
        async with server:
            await stopping

    loop.set_exception_handler(lambda _loop, _ctx: None)  # refused handshakes are expected
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError(f"the TLS proxy on port {port} did not start")
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stopping.set_result, None)
        thread.join(10)
        loop.close()
