"""Scripts: statements split at ``;``, ``${var}`` substituted, and errors placed in the file.

A ``;`` inside a string, a quoted name or a comment does not end a statement.
``${name}`` is replaced anywhere outside comments; the replacements are
remembered, so that an error in the substituted text still points at the line
and column of the original file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from catalog.errors import Position, SqlError


@dataclass(frozen=True)
class Piece:
    """One statement of a script: its text (without the ``;``) and where it starts."""

    text: str
    start: int
    terminated: bool  # ended by ``;`` (the shell waits for one)


def split_statements(script: str) -> list[Piece]:
    pieces: list[Piece] = []
    start = i = 0
    length = len(script)
    while i < length:
        char = script[i]
        if char in ("'", '"'):
            i = _after_quoted(script, i, char)
            continue
        if script.startswith("--", i):
            end = script.find("\n", i)
            i = length if end < 0 else end + 1
            continue
        if script.startswith("/*", i):
            end = script.find("*/", i + 2)
            i = length if end < 0 else end + 2
            continue
        if char == ";":
            _add(pieces, script, start, i, terminated=True)
            start = i + 1
        i += 1
    _add(pieces, script, start, length, terminated=False)
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


def _after_quoted(script: str, i: int, quote: str) -> int:
    """The index after the quoted text opening at ``i`` (the end if it is never closed)."""
    end = _closing(script, i, quote)
    return len(script) if end is None else end


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


def _add(pieces: list[Piece], script: str, start: int, end: int, *, terminated: bool) -> None:
    text = script[start:end]
    if _only_comments(text):
        return
    skipped = len(text) - len(text.lstrip())
    pieces.append(Piece(text[skipped:].rstrip(), start + skipped, terminated))


def _only_comments(text: str) -> bool:
    rest = text
    while True:
        rest = rest.lstrip()
        if rest.startswith("--"):
            end = rest.find("\n")
            rest = "" if end < 0 else rest[end + 1 :]
        elif rest.startswith("/*"):
            end = rest.find("*/")
            rest = "" if end < 0 else rest[end + 2 :]
        else:
            return not rest


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
