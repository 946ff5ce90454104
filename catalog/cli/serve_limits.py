"""``schemacat serve``'s limits: request and schema size, request timeout, concurrency
(``catalog/server/limits.py`` says what each does).  They reach each worker process
through ``SCHEMACAT_SERVE_LIMITS``."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable

from catalog.server.limits import Limits

LIMITS_VARIABLE = "SCHEMACAT_SERVE_LIMITS"
_DEFAULT = Limits()


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def read(text: str) -> int | float:
        value = kind(text)
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"must be a finite number above 0, not {text}")
        return value

    read.__name__ = kind.__name__  # argparse names the type in its error
    return read


def add_options(parser: argparse.ArgumentParser) -> None:
    whole, seconds = _positive(int), _positive(float)
    parser.add_argument(
        "--max-request-bytes",
        type=whole,
        default=_DEFAULT.max_request_bytes,
        metavar="N",
        help="refuse a larger body unread: 413, or 42209 where it carries a schema "
        "(default: %(default)s, 4 MiB)",
    )
    parser.add_argument(
        "--max-schema-bytes",
        type=whole,
        default=_DEFAULT.max_schema_bytes,
        metavar="N",
        help="refuse a larger schema text with 42209, as Confluent does "
        "(default: %(default)s, 1 MiB)",
    )
    parser.add_argument(
        "--request-timeout",
        type=seconds,
        default=_DEFAULT.request_timeout,
        metavar="SECONDS",
        help="cancel a request not answered by then: 504 (50002), its change rolled back "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--max-concurrency",
        type=whole,
        default=_DEFAULT.max_concurrency,
        metavar="N",
        help="requests handled at once by a worker; more wait up to 1 s, then get 503 "
        "with Retry-After (default: %(default)s)",
    )


def prepare(args: argparse.Namespace) -> None:
    """Pass the limits on to the workers."""
    limits = Limits(
        max_request_bytes=args.max_request_bytes,
        max_schema_bytes=args.max_schema_bytes,
        request_timeout=args.request_timeout,
        max_concurrency=args.max_concurrency,
        queue_wait=min(_DEFAULT.queue_wait, args.request_timeout),
    )
    os.environ[LIMITS_VARIABLE] = limits.to_json()


def limits_from_environment() -> Limits:
    """The limits ``prepare`` passed on, or the defaults."""
    given = os.environ.get(LIMITS_VARIABLE)
    return Limits.from_json(given) if given else Limits()
