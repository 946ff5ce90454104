"""``schemacat serve``'s security options: ``--users`` and TLS.

Everything is checked before the server starts, so a missing file, a bad users line or a
key that does not match its certificate is one line on stderr and exit code 2, not a
traceback from a worker.  The users file reaches each worker through
``SCHEMACAT_SERVE_USERS`` (each worker reads it); TLS is uvicorn's, set in each worker
from its configuration.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import ssl
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from catalog.server.users import Users

USERS_VARIABLE = "SCHEMACAT_SERVE_USERS"
EXIT_USAGE = 2  # as catalog.cli.main's (main imports this module: no import back)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--users",
        metavar="FILE",
        help="require credentials: one name:hash:role a line, made by schemacat passwd "
        "(read once at start)",
    )
    parser.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this certificate")
    parser.add_argument("--tls-key", metavar="FILE", help="the certificate's private key")
    parser.add_argument(
        "--tls-client-ca",
        metavar="FILE",
        help="require a client certificate issued by this CA (mutual TLS)",
    )


def prepare(args: argparse.Namespace) -> int | None:
    """Check the options (None when they are good, else the exit code after saying why)
    and pass the users file on to the workers."""
    try:
        problem = _users_problem(args.users) or _tls_problem(args)
    except OSError as exc:  # pragma: no cover - a file that vanished between two checks
        problem = str(exc)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    os.environ[USERS_VARIABLE] = os.path.abspath(args.users) if args.users else ""
    if not args.users and not _loopback(args.host):
        print(
            f"warning: serving on {args.host} without --users: anyone who can reach it "
            "may register, delete and reconfigure schemas",
            file=sys.stderr,
        )
    return None


def uvicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    """uvicorn's TLS settings for the options given."""
    if not args.tls_cert:
        return {}
    options: dict[str, Any] = {"ssl_certfile": args.tls_cert, "ssl_keyfile": args.tls_key}
    if args.tls_client_ca:
        options.update(ssl_ca_certs=args.tls_client_ca, ssl_cert_reqs=ssl.CERT_REQUIRED)
    return options


def users_from_environment() -> Users | None:
    """The users ``prepare`` passed on (a worker reads the file again), or None."""
    path = os.environ.get(USERS_VARIABLE)
    if not path:
        return None
    from catalog.server.users import read_users

    return read_users(path)


def _users_problem(path: str | None) -> str | None:
    if path is None:
        return None
    from catalog.server.users import UsersFileError, read_users

    try:
        read_users(path)
    except UsersFileError as exc:
        return str(exc)
    return None


def _tls_problem(args: argparse.Namespace) -> str | None:
    cert, key, ca = args.tls_cert, args.tls_key, args.tls_client_ca
    if not cert and (key or ca):
        return "--tls-key and --tls-client-ca need --tls-cert (the server's certificate)"
    if not cert:
        return None
    if not key:
        return "--tls-cert needs --tls-key (the certificate's private key, in PEM)"
    for option, path in (("--tls-cert", cert), ("--tls-key", key), ("--tls-client-ca", ca)):
        if path and not os.path.isfile(path):
            reason = "is a directory" if os.path.isdir(path) else "no such file"
            return f"{option} {path}: {reason}; give a PEM file"
        if path and not os.access(path, os.R_OK):
            return f"{option} {path}: not readable"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key, password=_no_password)
    except _Encrypted:
        return f"--tls-key {key}: the key is encrypted; give an unencrypted key"
    except ssl.SSLError as exc:
        return f"--tls-cert {cert} with --tls-key {key}: {_why(exc)}"
    if ca:
        try:
            context.load_verify_locations(ca)
        except ssl.SSLError as exc:
            return f"--tls-client-ca {ca}: no PEM certificate found in it ({exc.reason})"
    return None


class _Encrypted(Exception):
    """The key asks for a pass phrase (which uvicorn would prompt for in each worker)."""


def _no_password() -> NoReturn:
    raise _Encrypted


def _why(error: ssl.SSLError) -> str:
    reason: str | None = error.reason  # None for OpenSSL's "PEM lib": nothing it could read
    if reason == "KEY_VALUES_MISMATCH":
        return "the key is not the certificate's private key"
    if reason is None:
        return "no PEM certificate and private key found in them"
    return f"they are not a PEM certificate and its key ({reason})"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
