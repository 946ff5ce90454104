"""``schemacat passwd NAME --role ROLE``: one line of ``schemacat serve --users FILE``.

The password comes from stdin: asked twice (not echoed) on a terminal, else the first
line read (its line ending dropped), so scripts can pipe it in.  The line printed holds
a salted argon2id hash, never the password.
"""

from __future__ import annotations

import argparse

from catalog.cli.password import read_password
from catalog.server.users import ROLES, check_name, user_line


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "passwd",
        help="make a users-file line for schemacat serve --users",
        description="Print one line for the users file of `schemacat serve --users FILE`: "
        "NAME, a salted argon2id hash of the password read from stdin, and the role. "
        "read: GET, lookups and compatibility tests; write: also register and delete "
        "schemas; admin: also change /config and /mode and delete permanently. "
        "A long random password also works as a bearer token.",
        epilog="examples:\n"
        "  schemacat passwd alice --role admin >> users.txt\n"
        "  printf '%s\\n' \"$PRODUCER_PASSWORD\" | schemacat passwd producer --role write "
        ">> users.txt",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", metavar="NAME", help="the user's name (no ':' or spaces)")
    parser.add_argument("--role", required=True, choices=ROLES, help="what the user may do")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_name(args.name)  # before asking for a password
    print(user_line(args.name, read_password("password", confirm=True), args.role))
    return 0
