"""``schemacat run``: SQL scripts in CI, statement by statement, errors at FILE:LINE:COL."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from catalog.cli.errors import EXIT_INTERRUPTED, print_error
from catalog.cli.render import FORMATS, print_result, use_color
from catalog.sql.script import read_script, script_text


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "run",
        help="run SQL scripts (files, a folder of them in name order, or -c)",
        description="Run the statements of each script in order. A failing statement prints "
        "FILE:LINE:COL: error: MESSAGE and stops the run (exit 1) unless --continue-on-error; "
        "the statements before it stay applied.",
        epilog="examples:\n  schemacat run sql_examples/quickstart.sql\n"
        "  schemacat run migrations/ --var env=prod --format json\n"
        '  schemacat run -c "SHOW STREAMS; DESCRIBE orders"\n'
        "  generate-ddl | schemacat run - --continue-on-error",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="*", metavar="FILE.sql", help="scripts, folders of .sql files, or - (stdin)"
    )
    parser.add_argument("-c", dest="statements", metavar="STATEMENTS", help="statements to run")
    parser.add_argument(
        "--var", action="append", default=[], metavar="NAME=VALUE", help="a ${NAME} value"
    )
    parser.add_argument("--format", default="table", choices=FORMATS)
    parser.add_argument("--continue-on-error", action="store_true")
    parser.set_defaults(run=run)


def scripts(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(name, text) of each script to run, in order."""
    found: list[tuple[str, str]] = []
    if args.statements is not None:
        found.append(("-c", args.statements))
    for name in args.files:
        if name == "-":
            found.append(("<stdin>", script_text(sys.stdin.buffer, "<stdin>")))
            continue
        path = Path(name)
        files = sorted(path.glob("*.sql")) if path.is_dir() else [path]
        found += [(str(file), read_script(file)) for file in files]
    return found


def variables(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            sys.stderr.write(f"schemacat run: error: --var takes NAME=VALUE, not {pair!r}\n")
            raise SystemExit(2)
        out[name] = value
    return out


def run(args: argparse.Namespace) -> int:
    if args.statements is None and not args.files:
        sys.stderr.write("schemacat run: error: give FILE.sql, a folder, or -c STATEMENTS\n")
        return 2
    return asyncio.run(run_texts(args, scripts(args), variables(args.var)))


async def run_texts(
    args: argparse.Namespace, texts: list[tuple[str, str]], defined: dict[str, str]
) -> int:
    """Run each (name, text) script in order; 1 if a statement failed, else 0."""
    from catalog.core import Catalog
    from catalog.sql.session import Session

    out, err = sys.stdout, sys.stderr
    color = use_color(out)
    fmt = getattr(args, "format", "table")
    failed = False
    async with await Catalog.open(args.catalog) as catalog:
        session = Session(catalog, defined)
        try:
            for name, text in texts:
                if Path(name).is_file():
                    session.enter_file(name)
                async for outcome in session.outcomes(text, name):
                    if outcome.error is not None:
                        print_error(outcome.error, err, scripts=dict(texts), debug=args.debug)
                        failed = True
                        if not getattr(args, "continue_on_error", False):
                            return 1
                        continue
                    for result in outcome.results:
                        print_result(result, fmt, out, color=color)
        except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels this task
            out.flush()
            err.write(
                "schemacat run: interrupted; the statement running then changed nothing, "
                "the ones shown before it stay applied\n"
            )
            return EXIT_INTERRUPTED
    return 1 if failed else 0
