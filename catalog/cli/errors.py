"""Errors as people read them: FILE:LINE:COL: error: MESSAGE, the line, a caret, the hint.

The line echoed from the script is redacted (a password in it is masked), and the
caret moves with what the masking took out before it.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from catalog.errors import SchemacatError
from catalog.secrets import redact_text

#: a run stopped by Ctrl-C, as shells report a SIGINT
EXIT_INTERRUPTED = 130


def print_error(
    error: SchemacatError,
    err: TextIO,
    *,
    scripts: Mapping[str | None, str] | None = None,
    debug: bool = False,
) -> None:
    if debug:
        traceback.print_exception(error, file=err)
    where = error.position
    if where is None or where.source is None:  # the shell: the caret shows where
        err.write(f"error: {error.message}\n")
    else:
        err.write(f"{where.source}:{where.line}:{where.column}: error: {error.message}\n")
    if where is not None:
        line = _line(where.source, where.line, scripts or {})
        if line is not None:
            caret = len(redact_text(line[: where.column - 1]))
            err.write(f"  {redact_text(line)}\n  {' ' * caret}^\n")
    if error.hint:
        err.write(f"hint: {error.hint}\n")


def print_internal_error(error: Exception, err: TextIO, *, debug: bool = False) -> None:
    """An error schemacat did not expect: a bug.  The traceback only with --debug."""
    if debug:
        traceback.print_exception(error, file=err)
    err.write(f"error: internal error: {type(error).__name__}: {redact_text(str(error))}\n")
    err.write("hint: this is a bug in schemacat; run again with --debug and report the traceback\n")


def _line(source: str | None, number: int, scripts: Mapping[str | None, str]) -> str | None:
    text = scripts.get(source)
    if text is None and source:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError:
            return None
    lines = (text or "").split("\n")
    return lines[number - 1].rstrip("\r") if 0 < number <= len(lines) else None
