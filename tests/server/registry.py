"""``schemacat serve`` in a child process on a free port, as a team runs it."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from tests.services import free_port


@contextmanager
def serving(
    catalog_url: str,
    *args: str,
    log: Path | None = None,
    tls: ssl.SSLContext | None = None,
    stdout: Path | None = None,
) -> Iterator[str]:
    """The URL of a registry serving ``catalog_url``; stopped (SIGTERM) at the end."""
    with served(catalog_url, *args, log=log, tls=tls, stdout=stdout) as (url, _):
        yield url


@contextmanager
def served(
    catalog_url: str,
    *args: str,
    log: Path | None = None,
    tls: ssl.SSLContext | None = None,
    stdout: Path | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``serving``, with the server's process (a benchmark reads its CPU time).  With
    ``tls`` (a client's context: the CA to trust, a client certificate) it serves HTTPS,
    ``args`` giving its --tls-* options.  ``log`` gets stderr, and stdout too unless
    ``stdout`` names a file of its own."""
    port = free_port()
    with ExitStack() as stack:
        out = stack.enter_context(log.open("w")) if log else subprocess.DEVNULL
        own = stack.enter_context(stdout.open("w")) if stdout else None
        process = subprocess.Popen(
            [sys.executable, "-m", "catalog", "--catalog", catalog_url, "serve",
             "--port", str(port), *args],
            stdout=own or out,
            stderr=out if log else subprocess.STDOUT,
            env={**os.environ},
        )  # fmt: skip
        url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1, verify=tls or True).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"schemacat serve did not start (exit {process.poll()})")
            time.sleep(0.1)
        try:
            yield url, process
        finally:
            process.terminate()
            process.wait(timeout=15)


CONTENT = "application/vnd.schemaregistry.v1+json"


def error(answer: httpx.Response, status: int, code: int) -> str:
    """The message of an error answer, after checking its status, code and shape."""
    assert (answer.status_code, answer.json().get("error_code")) == (status, code), answer.text
    assert set(answer.json()) == {"error_code", "message"}
    assert answer.headers["content-type"].startswith(CONTENT)
    message: str = answer.json()["message"]
    return message
