"""What ``schemacat serve`` prepares before uvicorn starts its workers.

Importing this must not import prometheus_client: the directory has to be in the
environment before the first import (each worker reads it then, metrics.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import NoReturn

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "schemacat-metrics-"


@contextmanager
def metrics_directory() -> Iterator[str]:
    """A private ``$PROMETHEUS_MULTIPROC_DIR`` where every worker writes its metrics, so a
    scrape of any worker adds them all up; removed at the end.  uvicorn stops on SIGTERM
    and then raises it again to die by it: it exits through here, as ``SystemExit(143)``,
    so the directory goes too.  One left by a server that was killed (SIGKILL) is
    removed by the next start (its name holds the server's process id)."""
    _sweep()
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        with tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-") as directory:
            os.environ[MULTIPROCESS_VARIABLE] = directory
            yield directory
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signum)


def _sweep() -> None:
    """Remove this user's metrics directories whose server is gone."""
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = path.name.removeprefix(PREFIX).split("-", 1)[0]
        try:
            if pid.isdigit() and path.stat().st_uid == os.getuid() and not _alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)
        except OSError:  # removed meanwhile by another start
            continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
