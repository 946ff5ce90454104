"""Reading a password on the command line: from a variable, else asked on the terminal
(never echoed), else the first line of stdin, so scripts can pipe it in."""

from __future__ import annotations

import getpass
import os
import sys

from catalog.errors import InvalidRequest


def read_password(prompt: str, *, variable: str | None = None, confirm: bool = False) -> str:
    """The password in ``$variable`` if set; else asked on the terminal (twice with
    ``confirm``), else the first line of stdin (its line ending dropped), which must be
    UTF-8 text.  An empty one is refused."""
    given = os.environ.get(variable) if variable else None
    if given:
        return given
    if sys.stdin.isatty():
        first = getpass.getpass(f"{prompt}: ")
        if first and confirm and getpass.getpass(f"{prompt} again: ") != first:
            raise InvalidRequest("the two passwords differ; nothing was done")
    else:
        line = sys.stdin.buffer.readline().removesuffix(b"\n").removesuffix(b"\r")
        try:
            first = line.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidRequest(
                "the password read from stdin is not UTF-8 text",
                hint="give it as UTF-8 text, one line",
                code="BAD_PASSWORD",
            ) from None
    if not first:
        where = f"${variable}, or " if variable else ""
        raise InvalidRequest(
            "the password is empty", hint=f"give it in {where}a line on stdin or at the prompt"
        )
    return first
