"""``schemacat shell``: the interactive shell, in the manner of psql and the DuckDB CLI.

A statement may span lines and runs when a line ends it with ``;`` (one inside
a string or a comment does not count).  Ctrl-C while a statement runs cancels
it (a discovery stops, nothing is registered) and returns to the prompt;
Ctrl-C at the prompt clears the line; Ctrl-D leaves.  A result longer than
the screen goes through a pager, as in psql (``$SCHEMACAT_PAGER``, else
``$PAGER``, else ``less``; ``\\pager off`` turns it off), rows too wide for the
screen can be shown as records (``\\x``), and ``\\maxrows`` cuts long results.
With stdin not a terminal, the shell runs what it reads as a script, backslash
commands included, never cut and never paged, and stops at the first error
(exit 1) as ``schemacat run`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from catalog.cli.errors import print_error, print_internal_error
from catalog.cli.render import FORMATS, cell, print_expanded, print_result, print_table, use_color
from catalog.errors import SchemacatError
from catalog.secrets import redact_text

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import History
    from rich.console import Console

    from catalog.cli.completion import StatementCompleter
    from catalog.core import Catalog
    from catalog.result import Result
    from catalog.sql.session import Session

ROW_LIMIT = 1000  # rows shown of a long result at a terminal (\maxrows); the rest are counted
EXPANDED = ("off", "on", "auto")
STDIN = "<stdin>"
QUIT = ("\\q", "quit", "exit")
META_HELP = """\
\\d [name]        SHOW STREAMS, or DESCRIBE name
\\timing          show how long each statement takes (on/off)
\\format FORMAT   table, json or csv
\\x [on|off|auto] each row as a record of column | value lines (auto: when too wide)
\\pager [on|off]  long results through $SCHEMACAT_PAGER, $PAGER or less
\\maxrows [N|off] rows shown of a long result (default 1000)
\\help [word]     this help, or the statements starting with word
\\q               quit (Ctrl-D too)"""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "shell",
        help="the interactive shell",
        description="Statements end with ; and may span lines. Tab completes keywords, "
        "streams, columns, WITH keys and URIs; \\help lists what there is.",
        epilog="examples:\n  schemacat shell\n  schemacat --catalog team.db shell\n"
        "  schemacat shell < setup.sql",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    shell = Shell(args.catalog, debug=args.debug)
    if not sys.stdin.isatty():
        from catalog.sql.script import script_text

        return asyncio.run(shell.script(script_text(sys.stdin.buffer, STDIN)))
    return asyncio.run(shell.main())


class Shell:
    def __init__(self, url: str | None, *, debug: bool = False) -> None:
        self.url = url
        self.debug = debug
        self.out: TextIO = sys.stdout
        self.err: TextIO = sys.stderr
        self.color = use_color(self.out)
        self.format = "table"
        self.timing = False
        self.limit: int | None = ROW_LIMIT  # rows of a table shown at a terminal
        self.expanded = "off"
        self.pager = True

    async def _open(self) -> bool:
        from catalog.cli.completion import StatementCompleter
        from catalog.core import Catalog
        from catalog.sql.session import Session

        try:
            self.catalog: Catalog = await Catalog.open(self.url)
        except SchemacatError as exc:
            print_error(exc, self.err, debug=self.debug)
            return False
        self.session: Session = Session(self.catalog)
        self.completer: StatementCompleter = StatementCompleter(self.catalog.discoverer)
        return True

    async def script(self, text: str) -> int:
        """Piped input: its statements and backslash commands in order; 1 at the first error."""
        if not await self._open():
            return 1
        self.limit, self.pager = None, False
        async with self.catalog:
            for command, chunk in script_parts(text):
                if command and chunk in QUIT:
                    break
                if command:
                    ok = await self.meta(chunk)
                else:
                    ok = await self.statements(chunk, source=STDIN, script=text)
                if not ok:
                    return 1
        return 0

    async def main(self) -> int:
        from catalog._version import __version__

        if not await self._open():
            return 1
        async with self.catalog:
            await self.refresh()
            self.out.write(
                f"schemacat {__version__}, catalog {self.catalog.url}\n"
                "Statements end with ;  \\help for help, \\q to quit.\n"
            )
            prompt = self._prompt()
            while True:
                try:
                    text = await prompt.prompt_async()
                except KeyboardInterrupt:
                    continue
                except EOFError:
                    break
                if text.strip() in QUIT:
                    break
                try:
                    await self.handle(text)
                except SchemacatError as exc:  # the catalog itself failed: say so, stay
                    print_error(exc, self.err, debug=self.debug)
                except Exception as exc:  # a bug: say so, and stay in the shell
                    print_internal_error(exc, self.err, debug=self.debug)
        return 0

    async def handle(self, text: str) -> bool:
        """Run what was typed; False if it failed."""
        stripped = text.strip()
        if not stripped:
            return True
        if stripped.startswith("\\"):
            return await self.meta(stripped)
        task = asyncio.create_task(self.statements(text))
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, task.cancel)
        try:
            ok = await task
        except asyncio.CancelledError:
            self.err.write("cancelled; the interrupted statement changed nothing\n")
            ok = False
        finally:
            loop.remove_signal_handler(signal.SIGINT)
        await self.refresh()
        return ok

    async def statements(
        self, text: str, *, source: str | None = None, script: str | None = None
    ) -> bool:
        """Each statement in turn, with a spinner while it runs; False at the first error.
        ``source`` names the ``script`` that ``text`` comes from, for error positions."""
        from catalog.cli.spinner import Spinner

        outcomes = self.session.outcomes(text, source)
        while True:
            start = time.perf_counter()
            if self.err.isatty():
                async with Spinner(self._console()):
                    outcome = await anext(outcomes, None)
            else:
                outcome = await anext(outcomes, None)
            if outcome is None:
                return True
            if outcome.error is not None:
                scripts = {source: script if script is not None else text}
                print_error(outcome.error, self.err, scripts=scripts, debug=self.debug)
                await outcomes.aclose()
                return False
            for result in outcome.results:
                self.show(result)
            if self.timing:
                self.out.write(f"Time: {(time.perf_counter() - start) * 1000:.3f} ms\n")

    def show(self, result: Result) -> None:
        """A result as the settings say: a table, or records (``\\x``), through the pager
        when it is longer than the screen."""
        if self.format != "table":
            print_result(result, self.format, self.out)
            return
        size = shutil.get_terminal_size()
        text = io.StringIO()
        if self.expanded == "on" or (self.expanded == "auto" and _too_wide(result, size.columns)):
            print_expanded(result, text, limit=self.limit)
        else:
            width = size.columns if self.out.isatty() else None
            print_table(result, text, color=self.color, limit=self.limit, width=width)
        self.page(text.getvalue(), size.lines)

    def page(self, text: str, lines: int) -> None:
        """``text`` through the pager if it is on and the text longer than the screen."""
        command = _pager_command() if self.pager and self.out.isatty() else None
        if command is None or text.count("\n") < lines - 1:
            self.out.write(text)
            return
        self.out.flush()
        environment = {**os.environ, "LESS": os.environ.get("LESS", "FRSX")}
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the pager's
        try:
            paged = subprocess.run(
                command, shell=True, input=text, text=True, env=environment, check=False
            )
        finally:
            signal.signal(signal.SIGINT, interrupt)
        if paged.returncode == 127:  # the shell found no such command
            self.out.write(text)
            self.err.write(f"error: the pager {command!r} was not found\nhint: \\pager off\n")

    async def meta(self, command: str) -> bool:
        """A backslash command; False if it failed."""
        name, _, argument = command.partition(" ")
        argument = argument.strip().rstrip(";")
        if name == "\\d":
            return await self.handle(f"DESCRIBE {argument}" if argument else "SHOW STREAMS")
        if name == "\\timing":
            self.timing = not self.timing
            self.out.write(f"Timing is {'on' if self.timing else 'off'}.\n")
        elif name == "\\format" and argument in FORMATS:
            self.format = argument
            self.out.write(f"Output format is {argument}.\n")
        elif name == "\\format":
            self.err.write(f"error: \\format takes one of {', '.join(FORMATS)}\n")
            return False
        elif name == "\\x" and argument in ("", *EXPANDED):
            self.expanded = argument or ("off" if self.expanded != "off" else "on")
            self.out.write(f"Expanded display is {self.expanded}.\n")
        elif name == "\\pager" and argument in ("", "on", "off"):
            self.pager = argument == "on" if argument else not self.pager
            self.out.write(f"Pager is {'on' if self.pager else 'off'}.\n")
        elif name == "\\maxrows" and (argument in ("", "off") or argument.isdigit()):
            if argument:
                self.limit = int(argument) if argument.isdigit() and int(argument) else None
            self.out.write(f"Results are cut after {self.limit} rows.\n" if self.limit else
                           "Results are never cut.\n")  # fmt: skip
        elif name in ("\\x", "\\pager", "\\maxrows"):
            usage = {"\\x": "on, off or auto", "\\pager": "on or off", "\\maxrows": "N or off"}
            self.err.write(f"error: {name} takes {usage[name]}, not {argument!r}\n")
            return False
        elif name in ("\\help", "\\?", "\\h"):
            from catalog.sql.table import help_lines

            every = help_lines()
            lines = [line for line in every if line.startswith(argument.upper())] or every
            self.out.write("\n".join(lines) + "\n\n" + META_HELP + "\n")
        else:
            self.err.write(f"error: unknown command {name}\nhint: \\help lists the commands\n")
            return False
        return True

    async def refresh(self) -> None:
        """The stream names and columns completion offers."""
        latest = await self.catalog.latest_versions()
        self.completer.streams = {s.name: tuple(v.schema.names) for s, v in latest}

    def _console(self) -> Console:
        from rich.console import Console

        return Console(file=self.err, no_color=not self.color)

    def _prompt(self) -> PromptSession[str]:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import ThreadedCompleter
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.lexers import PygmentsLexer

        session: PromptSession[str] = PromptSession(
            "schemacat> ",
            multiline=Condition(lambda: not complete(session.default_buffer.text)),
            prompt_continuation=lambda width, line, wrap: "-> ".rjust(width),
            lexer=PygmentsLexer.from_filename("statement.sql"),
            completer=ThreadedCompleter(self.completer),  # topics and tables come over the network
            complete_while_typing=False,
            history=_history(),
            enable_history_search=True,
        )
        return session


def _too_wide(result: Result, columns: int) -> bool:
    """Whether the table of ``result`` would be wider than the screen."""
    widths = [len(c) for c in result.columns]
    for row in result.rows[:ROW_LIMIT]:
        cells = (max(len(line) for line in cell(v).split("\n")) for v in row)
        widths = [max(w, c) for w, c in zip(widths, cells, strict=True)]
    return sum(w + 3 for w in widths) + 1 > columns


def _pager_command() -> str | None:
    """The pager, as psql finds one: $SCHEMACAT_PAGER, else $PAGER (empty: none), else less."""
    for variable in ("SCHEMACAT_PAGER", "PAGER"):
        if variable in os.environ:
            return os.environ[variable].strip() or None
    return "less" if shutil.which("less") else None


def script_parts(text: str) -> list[tuple[bool, str]]:
    """Piped input as (is_command, chunk) in order.  A line starting with a backslash
    outside any statement is a command; each stretch of statements between commands is
    the whole text with every other line left empty, so positions stay the script's."""
    from catalog.sql.script import split_statements

    parts: list[tuple[bool, str]] = []
    lines = text.split("\n")
    first = 0  # the first line of the statements not yet taken

    def take(end: int) -> None:
        chunk = lines[first:end]
        if any(line.strip() for line in chunk):
            parts.append((False, "\n" * first + "\n".join(chunk)))

    for number, line in enumerate(lines):
        if not line.lstrip().startswith("\\"):
            continue
        pending = split_statements("\n".join(lines[first:number]))
        if not pending or pending[-1].terminated:  # not inside a statement
            take(number)
            parts.append((True, line.strip()))
            first = number + 1
    take(len(lines))
    return parts


def complete(text: str) -> bool:
    """Whether Enter should run ``text``: it ends a statement, or it is a command."""
    from catalog.sql.script import split_statements

    stripped = text.strip()
    if not stripped or stripped.startswith("\\") or stripped in QUIT:
        return True
    pieces = split_statements(text)
    return not pieces or pieces[-1].terminated


def _history() -> History:
    """The history file in the user's data folder, readable by the user alone, keeping
    each line redacted (in memory if the file cannot be written)."""
    from platformdirs import user_data_path
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    class RedactedHistory(FileHistory):
        def store_string(self, string: str) -> None:
            super().store_string(redact_text(string))

    path: Path = user_data_path("schemacat") / "history"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_CREAT | os.O_APPEND, 0o600))
        path.chmod(0o600)  # a history written by an earlier schemacat may be wider open
    except OSError:
        return InMemoryHistory()
    return RedactedHistory(str(path))
