"""Running ``schemacat`` as a user does: a child process, its exit code and its output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def schemacat(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run schemacat; ``stdin`` is a file to read input from (else an empty pipe)."""
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        stdin=stdin.open("rb") if stdin else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
