"""A statement, declared once: the words that select it, its nodes, how it is parsed,
written back and run, and its line of help.

The parser's dispatch, the generator's ``TRANSFORMS``, the session's execution,
the shell's ``\\help`` and its keyword completion are all derived from the table
of these (``catalog.sql.table``), so a new statement is its own module and one
line in the table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlglot import exp

if TYPE_CHECKING:
    from catalog.result import Result
    from catalog.sql.generator import StreamGenerator
    from catalog.sql.parser import StreamParser
    from catalog.sql.session import Session


@dataclass(frozen=True)
class Statement:
    words: tuple[str, ...]  # the leading words that select it: ("SHOW", "SCHEMAS")
    nodes: tuple[type[exp.Expression], ...]  # what it parses into
    parse: Callable[[StreamParser], exp.Expression]  # the rest, after the words
    generate: Callable[[StreamGenerator, Any], str]  # a node of it back to SQL
    run: Callable[[Session, Any], Awaitable[list[Result]]]  # one Catalog call, formatted
    help: tuple[str, ...]  # its syntax, a line per form
    also: tuple[tuple[str, ...], ...] = ()  # other spellings of the words: ("LIST", "STREAMS")
