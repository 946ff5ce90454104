"""A timeout is a deadline: a server that takes the connection and never answers is given up
at the timeout, and the message says how long it really took (through schemacat discover)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest


@pytest.fixture
def silent() -> Iterator[str]:
    """host:port of a socket that takes connections (the kernel does) and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


@pytest.mark.parametrize(
    ("uri", "said"),
    [
        ("postgresql://u@{}/db?table=t&timeout=2", "PostgreSQL at"),
        ("kafka://{}/orders?timeout=2", "cannot reach the Kafka broker at"),
    ],
    ids=["postgresql", "kafka"],
)
def test_a_silent_server_is_given_up_at_the_timeout(silent: str, uri: str, said: str) -> None:
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "catalog", "discover", uri.format(silent)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    took = time.monotonic() - started
    assert out.returncode == 1 and "internal error" not in out.stderr
    assert said in out.stderr and "within the timeout (after 2." in out.stderr, out.stderr
    assert took < 6
