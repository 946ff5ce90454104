"""``schemacat serve``: the catalog as a Confluent-compatible Schema Registry over HTTP."""

from __future__ import annotations

import argparse
import os

from catalog.cli import serve_limits, serve_security
from catalog.server.accesslog import ACCESS_LOG_MODES
from catalog.server.workers import metrics_directory

#: how the catalog and the options reach each worker process (uvicorn imports the app)
CATALOG_VARIABLE, READ_ONLY_VARIABLE = "SCHEMACAT_CATALOG", "SCHEMACAT_SERVE_READ_ONLY"
ACCESS_LOG_VARIABLE = "SCHEMACAT_SERVE_ACCESS_LOG"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve the catalog with the REST API of Confluent Schema Registry",
        description="Serve the catalog over HTTP with Confluent Schema Registry's REST API, "
        "so Kafka serializers, ksqlDB, Connect and Flink can use it as their registry. "
        "Subjects are streams: what SQL changes, clients see, and the other way round.",
        epilog="examples:\n  schemacat serve\n"
        "  schemacat --catalog postgresql://app@db/registry serve --host 0.0.0.0 --workers 4 \\\n"
        "      --users users.txt --tls-cert server.pem --tls-key server-key.pem\n"
        "  schemacat passwd producer --role write >> users.txt\n"
        "  schemacat serve --read-only --port 8082",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=_port, default=8081, help="port, 1 to 65535 (Confluent's: 8081)"
    )
    parser.add_argument("--workers", type=_workers, default=1, metavar="N", help="processes")
    parser.add_argument("--read-only", action="store_true", help="refuse every change (42205)")
    parser.add_argument(
        "--access-log",
        choices=ACCESS_LOG_MODES,
        default="json",
        help="one line a request on stderr: JSON (the default), uvicorn's words, or none; "
        "never a header or an unknown query parameter",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="trust X-Forwarded-For and X-Forwarded-Proto from these proxies (comma-separated "
        "addresses or networks, * for any): the failed-login limit and the access log then "
        "see the client's address; by default no proxy is trusted",
    )
    serve_security.add_options(parser)
    serve_limits.add_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    if (refused := serve_security.prepare(args)) is not None:
        return refused
    serve_limits.prepare(args)
    if args.catalog:
        os.environ[CATALOG_VARIABLE] = args.catalog
    os.environ[READ_ONLY_VARIABLE] = "1" if args.read_only else ""
    os.environ[ACCESS_LOG_VARIABLE] = args.access_log
    with metrics_directory():  # the workers' metrics add up there
        uvicorn.run(
            "catalog.cli.serve:app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
            access_log=False,  # ours (accesslog.py): uvicorn's logs whole query strings
            proxy_headers=bool(args.forwarded_allow_ips),
            forwarded_allow_ips=args.forwarded_allow_ips or None,
            timeout_graceful_shutdown=10,
            **serve_security.uvicorn_options(args),
        )
    return 0


def _port(text: str) -> int:
    return _whole(text, 1, 65535, "a port")


def _workers(text: str) -> int:
    return _whole(text, 1, None, "a number of processes")


def _whole(text: str, low: int, high: int | None, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < low or (high is not None and value > high):
        bounds = f"{low} to {high}" if high is not None else f"at least {low}"
        raise argparse.ArgumentTypeError(f"{what} is {bounds}, not {text}")
    return value


def app() -> object:
    """The app each worker serves, made from the environment ``run`` set."""
    from catalog.server.app import make_app

    return make_app(
        os.environ.get(CATALOG_VARIABLE),
        read_only=bool(os.environ.get(READ_ONLY_VARIABLE)),
        users=serve_security.users_from_environment(),
        limits=serve_limits.limits_from_environment(),
        access_log=os.environ.get(ACCESS_LOG_VARIABLE) or "off",
    )
