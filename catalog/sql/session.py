"""A session runs scripts: statement after statement, with its variables, placing every error.

Statements run in order and each is applied or not at all; a failing
statement leaves the ones before it applied.  A cancelled session stops before
its next statement: one whose commit had begun when the cancel came completes
(the store sees to that), the one running otherwise changes nothing.  An
error's position is the line and column in the original file (after ``${var}``
substitution too), and its ``source`` is the file's name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlglot import exp

from catalog.core import Catalog
from catalog.errors import SchemacatError, SqlError
from catalog.result import Result
from catalog.secrets import is_secret_option, remember_secret
from catalog.sql.columns import at, place
from catalog.sql.dialect import parse_statement
from catalog.sql.script import (
    Piece,
    Substituted,
    position,
    read_script,
    split_statements,
    substitute,
)
from catalog.sql.table import BY_NODE

MAX_NESTING = 16


@dataclass(frozen=True)
class Outcome:
    """What one statement of a script did: its results, or its error."""

    piece: Piece
    results: list[Result]
    error: SchemacatError | None = None


class Session:
    def __init__(self, catalog: Catalog, variables: Mapping[str, str] | None = None) -> None:
        self.catalog = catalog
        self.variables: dict[str, str] = {}
        for name, value in (variables or {}).items():
            self.define(name, value)
        self._files: list[Path] = []  # the scripts being run, innermost last

    def define(self, name: str, value: str) -> None:
        """``${name}`` is ``value`` from now on; a variable named as a secret is masked in
        whatever schemacat prints (DEFINE pg_password = '...')."""
        if is_secret_option(name):
            remember_secret(value)
        self.variables[name] = value

    async def execute(self, script: str, source: str | None = None) -> list[Result]:
        """Run every statement; raise the first error (the statements before it stay applied)."""
        results: list[Result] = []
        async for outcome in self.outcomes(script, source):
            if outcome.error is not None:
                raise outcome.error
            results += outcome.results
        return results

    async def outcomes(
        self, script: str, source: str | None = None
    ) -> AsyncGenerator[Outcome, None]:
        """Each statement's outcome in turn; the caller decides whether to go on after an error."""
        for piece in split_statements(script):
            _stop_if_cancelled()
            try:
                results = await self.run_piece(script, piece, source)
            except SchemacatError as exc:
                yield Outcome(piece, [], exc)
                continue
            yield Outcome(piece, results)

    async def run_piece(self, script: str, piece: Piece, source: str | None) -> list[Result]:
        substituted: Substituted | None = None
        node: exp.Expression | None = None
        try:
            piece.check()
            substituted = substitute(piece.text, self.variables)
            node = parse_statement(substituted.text)
            return await BY_NODE[type(node)].run(self, node)
        except SchemacatError as exc:
            if node is not None:
                place(exc, node)
            if exc.position is None:
                offset = exc.offset or 0
                if substituted is not None:
                    offset = substituted.original(offset)
                exc.position = position(script, piece.start + offset, source)
            raise

    async def run_file(self, path: str, node: exp.Expression) -> list[Result]:
        """RUN SCRIPT: a path relative to the running script's folder (else the working folder)."""
        base = self._files[-1].parent if self._files else Path.cwd()
        target = (base / path).resolve()
        if target in self._files:
            chain = " -> ".join(f.name for f in self._files[self._files.index(target) :])
            error = SqlError(
                f"RUN SCRIPT {path} would run itself again ({chain} -> {target.name})",
                code="SCRIPT_LOOP",
            )
            raise at(error, node.this)
        if len(self._files) >= MAX_NESTING:
            error = SqlError(
                f"RUN SCRIPT {path} would be the {len(self._files) + 1}th script deep; scripts "
                f"run scripts at most {MAX_NESTING} deep",
                hint="run some of them one after the other instead",
                code="SCRIPT_TOO_DEEP",
            )
            raise at(error, node.this)
        try:
            text = read_script(target)
        except SqlError as exc:
            raise at(exc, node.this) from None
        self._files.append(target)
        try:
            return await self.execute(text, str(target))
        finally:
            self._files.pop()

    def enter_file(self, path: str) -> None:
        """The file the next statements come from (RUN SCRIPT paths are relative to it)."""
        self._files = [Path(path).resolve()]


def _stop_if_cancelled() -> None:
    """A cancel that came while a commit finished did not stop the task; it stops here."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
