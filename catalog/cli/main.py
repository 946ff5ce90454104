"""``schemacat``: the command line.  Thin: arguments in, rendering out, no catalog logic."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from catalog._version import __version__

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # as a shell reports a SIGPIPE


def build_parser() -> argparse.ArgumentParser:
    from catalog.cli import check, discover, passwd, script, serve, shell, transfer

    parser = argparse.ArgumentParser(
        prog="schemacat",
        description="A SQL-first streaming catalog with schema discovery: point it at Kafka "
        "topics, files, S3 and PostgreSQL, keep every schema as a checked, numbered version.",
        epilog="examples:\n"
        "  schemacat shell\n"
        "  schemacat run sql_examples/quickstart.sql\n"
        '  schemacat run -c "SHOW STREAMS" --format json\n'
        "  schemacat discover kafka://localhost:9092/orders\n"
        "  schemacat check orders-v1.avsc orders-v2.avsc --mode FULL\n\n"
        "environment: SCHEMACAT_CATALOG, SCHEMACAT_COMPATIBILITY, SCHEMACAT_KAFKA_BOOTSTRAP, "
        "SCHEMACAT_SAMPLE_SIZE,\n  SCHEMACAT_TIMEOUT, SCHEMACAT_CACHE_TTL, SCHEMACAT_CACHE_SIZE, "
        "SCHEMACAT_KAFKA_SASL_PASSWORD, NO_COLOR",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"schemacat {__version__}")
    _add_global_options(parser)
    commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND")
    shell.add_parser(commands)
    script.add_parser(commands)
    discover.add_parser(commands)
    check.add_parser(commands)
    serve.add_parser(commands)
    passwd.add_parser(commands)
    transfer.add_parsers(commands)
    for command in commands.choices.values():  # before or after the command, as users type
        _add_global_options(command, default=argparse.SUPPRESS)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, default: object = None) -> None:
    """``--catalog`` and ``--debug``; a subcommand's copy has no default of its own, so it
    keeps what was given before the subcommand."""
    parser.add_argument(
        "--catalog",
        metavar="URL",
        default=default,
        help="sqlite:///path.db, a file path, or postgresql://... "
        "(default: $SCHEMACAT_CATALOG, else ./schemacat.db)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if default is None else default,
        help="show tracebacks, and the log lines of the client libraries",
    )


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None and sys.argv[1:] == ["--version"]:  # answer without importing anything
        print(f"schemacat {__version__}")
        return EXIT_OK
    code = _command(argv)
    if argv is None:  # the program itself, not a caller in its own process
        _end_now_if_given_up_threads(code)
    return code


def _end_now_if_given_up_threads(code: int) -> None:
    """A discovery given up at its deadline leaves its daemon thread to end at its next
    request; one still inside pyarrow (reading a Parquet footer from S3) aborts the
    interpreter's finalization when it wakes ("PyGILState_Release"), turning a clear
    timeout into a crash.  So while such a thread runs, the process ends here, its output
    flushed, without finalizing: nothing else is left to clean up by then."""
    import contextlib
    import os
    import threading

    if any(t.daemon and t.is_alive() for t in threading.enumerate()):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):  # a reader gone away (BrokenPipeError)
                stream.flush()
        os._exit(code)


def _command(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.subcommand is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from catalog.errors import SchemacatError

    _log_to_the_terminal(debug=args.debug)
    try:
        code: int = args.run(args)
    except SchemacatError as exc:
        from catalog.cli.errors import print_error

        print_error(exc, sys.stderr, debug=args.debug)
        return EXIT_ERROR
    except KeyboardInterrupt:
        from catalog.cli.errors import EXIT_INTERRUPTED

        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`schemacat ... | head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        from catalog.cli.errors import print_internal_error

        print_internal_error(exc, sys.stderr, debug=args.debug)
        return EXIT_ERROR
    return code


def _log_to_the_terminal(*, debug: bool) -> None:
    """The log lines of the libraries schemacat calls (aiokafka, asyncpg, botocore ...)
    reach the terminal only with --debug, and redacted: schemacat's own errors say what
    went wrong."""
    import logging

    from catalog.secrets import redact_text

    class Redacted(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.msg, record.args = redact_text(record.getMessage()), ()
            return True

    root = logging.getLogger()
    if not debug:
        root.addHandler(logging.NullHandler())  # else Python's last resort prints warnings
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(Redacted())
    handler.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
