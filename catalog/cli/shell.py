"""``schemacat shell``: the interactive shell, in the manner of psql and the DuckDB CLI.

A statement may span lines and runs when a line ends it with ``;`` (one inside
a string or a comment does not count).  Ctrl-C while a statement runs cancels
it (a discovery stops, nothing is registered) and returns to the prompt;
Ctrl-C at the prompt clears the line; Ctrl-D leaves.  With stdin not a
terminal, the shell runs what it reads as a script.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from catalog.cli.errors import print_error
from catalog.cli.render import FORMATS, print_result, print_table, use_color
from catalog.errors import SchemacatError

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import History
    from rich.console import Console

    from catalog.cli.completion import StatementCompleter
    from catalog.core import Catalog
    from catalog.sql.session import Session

ROW_LIMIT = 40  # rows shown of a long result; the rest are counted
QUIT = ("\\q", "quit", "exit")
HELP = """\
CREATE [OR REPLACE] STREAM [IF NOT EXISTS] name [(col TYPE [NOT NULL] ...)] [WITH (k = v)]
CREATE STREAM name [WITH (...)] AS SELECT ... FROM 'uri' | stream [JOIN ...]
ALTER STREAM name ADD COLUMN col TYPE | DROP COLUMN col | RENAME COLUMN a TO b [, ...]
ALTER STREAM name ALTER COLUMN col TYPE t | SET DEFAULT v | DROP DEFAULT
ALTER STREAM name ALTER COLUMN col SET NOT NULL | DROP NOT NULL
ALTER STREAM name SET (compatibility = 'FULL', ...)
ALTER STREAM name REFRESH
VALIDATE STREAM name
DROP STREAM [IF EXISTS] name
SHOW STREAMS | SHOW SCHEMAS | SHOW TOPICS [FROM 'kafka://host:port']
SHOW CREATE STREAM name
SHOW SCHEMA VERSIONS FOR name
SHOW SCHEMA COMPATIBILITY FOR name
DESCRIBE [EXTENDED] [STREAM] name [VERSION n]
DESCRIBE 'uri' [WITH (sample_size = n, ...)]
SET compatibility = 'BACKWARD'
DEFINE name = 'value'            -- then ${name} in later statements
RUN SCRIPT 'file.sql'
"""
META_HELP = """\
\\d [name]        SHOW STREAMS, or DESCRIBE name
\\timing          show how long each statement takes (on/off)
\\format FORMAT   table, json or csv
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
    if not sys.stdin.isatty():
        from catalog.cli.script import run_texts

        return asyncio.run(run_texts(args, [("<stdin>", sys.stdin.read())], {}))
    return asyncio.run(Shell(args.catalog, debug=args.debug).main())


class Shell:
    def __init__(self, url: str | None, *, debug: bool = False) -> None:
        self.url = url
        self.debug = debug
        self.out: TextIO = sys.stdout
        self.err: TextIO = sys.stderr
        self.color = use_color(self.out)
        self.format = "table"
        self.timing = False

    async def main(self) -> int:
        from catalog._version import __version__
        from catalog.cli.completion import StatementCompleter
        from catalog.core import Catalog
        from catalog.sql.session import Session

        try:
            catalog = await Catalog.open(self.url)
        except SchemacatError as exc:
            print_error(exc, self.err, debug=self.debug)
            return 1
        async with catalog:
            self.catalog: Catalog = catalog
            self.session: Session = Session(catalog)
            self.completer: StatementCompleter = StatementCompleter()
            await self.refresh()
            self.out.write(
                f"schemacat {__version__}, catalog {catalog.url}\n"
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
        return 0

    async def handle(self, text: str) -> None:
        stripped = text.strip()
        if not stripped:
            return
        if stripped.startswith("\\"):
            await self.meta(stripped)
            return
        task = asyncio.create_task(self.statements(text))
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, task.cancel)
        try:
            await task
        except asyncio.CancelledError:
            self.err.write("cancelled; the interrupted statement changed nothing\n")
        finally:
            loop.remove_signal_handler(signal.SIGINT)
        await self.refresh()

    async def statements(self, text: str) -> None:
        """Each statement in turn, with a spinner while it runs; stop at the first error."""
        from catalog.cli.spinner import Spinner

        outcomes = self.session.outcomes(text)
        while True:
            start = time.perf_counter()
            if self.err.isatty():
                async with Spinner(self._console()):
                    outcome = await anext(outcomes, None)
            else:
                outcome = await anext(outcomes, None)
            if outcome is None:
                return
            if outcome.error is not None:
                print_error(outcome.error, self.err, scripts={None: text}, debug=self.debug)
                await outcomes.aclose()
                return
            for result in outcome.results:
                if self.format == "table":
                    print_table(result, self.out, color=self.color, limit=ROW_LIMIT)
                else:
                    print_result(result, self.format, self.out)
            if self.timing:
                self.out.write(f"Time: {(time.perf_counter() - start) * 1000:.3f} ms\n")

    async def meta(self, command: str) -> None:
        name, _, argument = command.partition(" ")
        argument = argument.strip().rstrip(";")
        if name == "\\d":
            await self.handle(f"DESCRIBE {argument}" if argument else "SHOW STREAMS")
        elif name == "\\timing":
            self.timing = not self.timing
            self.out.write(f"Timing is {'on' if self.timing else 'off'}.\n")
        elif name == "\\format" and argument in FORMATS:
            self.format = argument
            self.out.write(f"Output format is {argument}.\n")
        elif name == "\\format":
            self.err.write(f"error: \\format takes one of {', '.join(FORMATS)}\n")
        elif name in ("\\help", "\\?", "\\h"):
            lines = [line for line in HELP.splitlines() if line.startswith(argument.upper())]
            self.out.write("\n".join(lines or HELP.splitlines()) + "\n\n" + META_HELP + "\n")
        else:
            self.err.write(f"error: unknown command {name}\nhint: \\help lists the commands\n")

    async def refresh(self) -> None:
        """The stream names and columns completion offers."""
        latest = await self.catalog.latest_versions()
        self.completer.streams = {s.name: tuple(v.schema.names) for s, v in latest}

    def _console(self) -> Console:
        from rich.console import Console

        return Console(file=self.err, no_color=not self.color)

    def _prompt(self) -> PromptSession[str]:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.lexers import PygmentsLexer

        session: PromptSession[str] = PromptSession(
            "schemacat> ",
            multiline=Condition(lambda: not complete(session.default_buffer.text)),
            prompt_continuation=lambda width, line, wrap: "-> ".rjust(width),
            lexer=PygmentsLexer.from_filename("statement.sql"),
            completer=self.completer,
            complete_while_typing=False,
            history=_history(),
            enable_history_search=True,
        )
        return session


def complete(text: str) -> bool:
    """Whether Enter should run ``text``: it ends a statement, or it is a command."""
    from catalog.sql.script import split_statements

    stripped = text.strip()
    if not stripped or stripped.startswith("\\") or stripped in QUIT:
        return True
    pieces = split_statements(text)
    return not pieces or pieces[-1].terminated


def _history() -> History:
    """The history file in the user's data folder (in memory if that cannot be written)."""
    from platformdirs import user_data_path
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    folder: Path = user_data_path("schemacat")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "history").touch()
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(folder / "history"))
