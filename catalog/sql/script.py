"""Scripts: statements split at ``;``, ``${var}`` substituted, and errors placed in the file.

A ``;`` inside a string, a quoted name or a comment does not end a statement.
``${name}`` is replaced anywhere outside comments; the replacements are
remembered, so that an error in the substituted text still points at the line
and column of the original file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from catalog.errors import Position, SqlError, SqlSyntaxError

MAX_SCRIPT = 64 * 1024 * 1024  # bytes: larger is not a script someone wrote


def read_script(path: str | Path, what: str = "script") -> str:
    """The text of the script (or other ``what``) at ``path``: a regular file of UTF-8 text,
    at most 64 MB."""
    try:
        with open(path, "rb") as file:
            kind = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(kind):
                kind_of = "a folder" if stat.S_ISDIR(kind) else "not a regular file"
                raise SqlError(
                    f"the {what} {path} is {kind_of}",
                    hint="give a file (a folder's scripts run with schemacat run FOLDER)",
                    code="SCRIPT_NOT_FOUND",
                )
            return script_text(file, str(path))
    except OSError as exc:
        raise SqlError(
            f"cannot read the {what} {path}: {exc.strerror}", code="SCRIPT_NOT_FOUND"
        ) from None


def script_text(stream: BinaryIO, name: str) -> str:
    """What ``stream`` holds, as a script: UTF-8 text without NUL bytes, at most 64 MB."""
    data = stream.read(MAX_SCRIPT + 1)
    if len(data) > MAX_SCRIPT:
        raise SqlError(
            f"{name} is larger than {MAX_SCRIPT // 1024 // 1024} MB, too large for a script",
            code="SCRIPT_TOO_LARGE",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SqlError(
            f"{name} is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line}",
            hint="save the script as UTF-8",
            code="SCRIPT_NOT_TEXT",
        ) from None
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise SqlError(
            f"{name} holds binary data (a NUL byte on line {line}), not text",
            code="SCRIPT_NOT_TEXT",
        )
    return text


@dataclass(frozen=True)
class Piece:
    """One statement of a script: its text (without the ``;``) and where it starts."""

    text: str
    start: int
    terminated: bool  # ended by ``;`` (the shell waits for one)
    unclosed: int | None = None  # where a comment or quote the script never closes opens

    def check(self) -> None:
        """Raise a syntax error at what this piece leaves open."""
        if self.unclosed is None:
            return
        opened = self.text[self.unclosed - self.start :][:2]
        what = "comment /*" if opened == "/*" else f"quoted text {opened[0]}"
        error = SqlSyntaxError(
            f"the {what} opened here is never closed",
            hint="close it (*/ ends a comment; a quote inside quoted text is doubled: 'it''s')",
        )
        error.offset = self.unclosed - self.start
        raise error


def split_statements(script: str) -> list[Piece]:
    pieces: list[Piece] = []
    start = i = 0
    length = len(script)
    unclosed = None
    while i < length:
        char = script[i]
        if char in ("'", '"'):
            end = _closing(script, i, char)
            unclosed = i if end is None else None
            i = length if end is None else end
            continue
        if script.startswith("--", i):
            end = script.find("\n", i)
            i = length if end < 0 else end + 1
            continue
        if script.startswith("/*", i):
            end = script.find("*/", i + 2)
            unclosed = i if end < 0 else None
            i = length if end < 0 else end + 2
            continue
        if char == ";":
            _add(pieces, script, start, i, terminated=True)
            start = i + 1
        i += 1
    _add(pieces, script, start, length, terminated=False, unclosed=unclosed)
    return pieces


def open_quote(text: str) -> int | None:
    """Where a quoted string or name that ``text`` leaves open starts (None if none is open)."""
    i = 0
    while i < len(text):
        char = text[i]
        if char in ("'", '"'):
            end = _closing(text, i, char)
            if end is None:
                return i
            i = end
        elif text.startswith("--", i) or text.startswith("/*", i):
            end = text.find("\n" if char == "-" else "*/", i + 2)
            if end < 0:
                return None
            i = end + (1 if char == "-" else 2)
        else:
            i += 1
    return None


def _closing(script: str, i: int, quote: str) -> int | None:
    """The index after the quote closing the one at ``i`` (a doubled quote stays inside)."""
    i += 1
    while i < len(script):
        if script[i] == quote:
            if script.startswith(quote * 2, i):
                i += 2
                continue
            return i + 1
        i += 1
    return None


def _add(
    pieces: list[Piece],
    script: str,
    start: int,
    end: int,
    *,
    terminated: bool,
    unclosed: int | None = None,
) -> None:
    text = script[start:end]
    skipped = _leading_comments(text)
    if skipped == len(text) and unclosed is None:
        return
    if unclosed is not None and unclosed < start + skipped:  # an unclosed comment first
        skipped = unclosed - start
    pieces.append(Piece(text[skipped:].rstrip(), start + skipped, terminated, unclosed))


def _leading_comments(text: str) -> int:
    """How many characters of ``text`` are white space and comments before a statement."""
    i = 0
    while True:
        i += len(text) - i - len(text[i:].lstrip())
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i)
            i = len(text) if end < 0 else end + 2
        else:
            return i


@dataclass(frozen=True)
class Substituted:
    """A statement with its variables replaced, and a way back to original offsets."""

    text: str
    replacements: tuple[tuple[int, int, int, int], ...]  # new start, new end, old start, old end

    def original(self, offset: int) -> int:
        shift = 0
        for new_start, new_end, old_start, old_end in self.replacements:
            if offset < new_start:
                break
            if offset < new_end:
                return old_start
            shift = old_end - new_end
        return offset + shift


def substitute(text: str, variables: Mapping[str, str]) -> Substituted:
    """``text`` with each ``${name}`` outside comments replaced by its value."""
    if "${" not in text:
        return Substituted(text, ())
    out: list[str] = []
    replacements: list[tuple[int, int, int, int]] = []
    i = written = 0
    while i < len(text):
        if text.startswith("--", i) or text.startswith("/*", i):
            end = text.find("\n" if text[i + 1] == "-" else "*/", i)
            i = len(text) if end < 0 else end + (1 if text[i + 1] == "-" else 2)
            continue
        if text.startswith("${", i):
            end = text.find("}", i)
            name = text[i + 2 : end] if end > 0 else ""
            if end < 0 or not name:
                _undefined(name, i, variables)
            if name not in variables:
                _undefined(name, i, variables)
            out.append(text[written:i])
            new_start = sum(len(part) for part in out)
            value = variables[name]
            out.append(value)
            replacements.append((new_start, new_start + len(value), i, end + 1))
            i = written = end + 1
            continue
        i += 1
    out.append(text[written:])
    return Substituted("".join(out), tuple(replacements))


def _undefined(name: str, offset: int, variables: Mapping[str, str]) -> None:
    known = ", ".join(sorted(variables)) or "none"
    error = SqlError(
        f"undefined variable ${{{name}}}" if name else "a ${ without a name and a }",
        hint=f"DEFINE {name or 'name'} = 'value' first, or pass --var {name or 'name'}=value "
        f"(defined: {known})",
        code="UNDEFINED_VARIABLE",
    )
    error.offset = offset
    raise error


def position(script: str, offset: int, source: str | None) -> Position:
    line = script.count("\n", 0, offset) + 1
    column = offset - (script.rfind("\n", 0, offset) + 1) + 1
    return Position(line, column, source)
