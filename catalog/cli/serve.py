"""``schemacat serve``: the catalog as a Confluent-compatible Schema Registry over HTTP."""

from __future__ import annotations

import argparse
import os

from catalog.cli import serve_limits, serve_security
from catalog.server.accesslog import ACCESS_LOG_MODES, ACCESS_LOG_VARIABLE
from catalog.server.workers import metrics_directory

#: how the catalog and the options reach each worker process (uvicorn imports the app)
CATALOG_VARIABLE, READ_ONLY_VARIABLE = "SCHEMACAT_CATALOG", "SCHEMACAT_SERVE_READ_ONLY"


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
    parser.add_argument("--port", type=int, default=8081, help="port (Confluent's: 8081)")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="processes")
    parser.add_argument("--read-only", action="store_true", help="refuse every change (42205)")
    parser.add_argument(
        "--access-log",
        choices=ACCESS_LOG_MODES,
        default="json",
        help="one JSON line a request on stderr (json, the default), uvicorn's text, or none",
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
            access_log=args.access_log == "text",
            timeout_graceful_shutdown=10,
            **serve_security.uvicorn_options(args),
        )
    return 0


def app() -> object:
    """The app each worker serves, made from the environment ``run`` set."""
    from catalog.server.app import make_app

    return make_app(
        os.environ.get(CATALOG_VARIABLE),
        read_only=bool(os.environ.get(READ_ONLY_VARIABLE)),
        users=serve_security.users_from_environment(),
        limits=serve_limits.limits_from_environment(),
    )
