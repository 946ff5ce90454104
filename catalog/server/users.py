"""The users of ``schemacat serve --users FILE``, and the lines ``schemacat passwd`` makes.

**The users file.**  One user a line, ``name:hash:role``; blank lines and ``#`` comments
are skipped.  ``hash`` is an argon2id hash (argon2-cffi's ``PasswordHasher``: salted,
slow, memory-hard) made by ``schemacat passwd``; a password is never stored.  The file
is read once, when the server starts (each worker reads it): a change takes effect on
restart.  A line that cannot be read stops the start with ``FILE:LINE: what is wrong``,
never the hash itself.

**The hash's parameters** must be ones argon2 can check in reasonable time and memory:
a salt of at least 8 bytes, a hash of at least 16, at most 1 GiB of memory
(``m=1048576``), a time cost of at most 100 and a parallelism of at most 64 (``schemacat
passwd`` makes ``m=65536,t=3,p=4``, 16-byte salt, 32-byte hash).  Any other line stops
the start too.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.errors import InvalidRequest, SchemacatError

if TYPE_CHECKING:
    from argon2 import Parameters

# argon2 is imported where a line is made or read: 24 ms that every other command of
# the CLI, which reads ROLES from here, need not pay.

ROLES = ("read", "write", "admin")
MIN_SALT_BYTES, MIN_HASH_BYTES = 8, 16
MAX_MEMORY_KIB, MAX_TIME_COST, MAX_PARALLELISM = 1024 * 1024, 100, 64


class UsersFileError(SchemacatError):
    """The users file cannot be read or holds a line that is not ``name:hash:role``."""

    code = "BAD_USERS_FILE"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str
    hash: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Users:
    """The users of a users file, in its order, and the dummy hash an unknown user's
    password is checked against (made with the file's most common parameters)."""

    users: tuple[User, ...]
    dummy: str = field(repr=False)

    def named(self, name: str) -> User | None:
        return next((u for u in self.users if u.name == name), None)


# -- the users file -------------------------------------------------------------------


def check_name(name: str) -> None:
    """A user name as a users-file line can hold it."""
    if not name or re.search(r"[:\s]", name) or name.startswith("#"):
        raise InvalidRequest(
            f"{name!r} cannot be a user name",
            hint="a name is not empty, holds no ':' and no white space, and does not "
            "start with '#'",
        )


def user_line(name: str, password: str, role: str) -> str:
    """One users-file line: ``name:argon2id-hash:role``."""
    check_name(name)
    if role not in ROLES:
        raise InvalidRequest(f"{role!r} is not a role; roles are {', '.join(ROLES)}")
    if not password:
        raise InvalidRequest("the password is empty")
    from argon2 import PasswordHasher

    return f"{name}:{PasswordHasher().hash(password)}:{role}"


def read_users(path: str | Path) -> Users:
    """The users of the file at ``path``; ``UsersFileError`` names the file and the line
    of the first problem."""
    from argon2 import PasswordHasher, extract_parameters
    from argon2.exceptions import Argon2Error

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise UsersFileError(f"cannot read the users file {path}: {reason}") from None
    users: list[User] = []
    lines: list[int] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        problem = _problem(line, users)
        if problem:
            raise UsersFileError(
                f"{path}:{number}: {problem}",
                hint="each line is name:hash:role as `schemacat passwd NAME --role ROLE` prints it",
            )
        name, hashed, role = line.split(":")
        users.append(User(name, role, hashed))
        lines.append(number)
    if not users:
        raise UsersFileError(
            f"the users file {path} has no users",
            hint="add a line made by `schemacat passwd NAME --role admin`",
        )
    chosen = _common(users)
    try:
        dummy = PasswordHasher.from_parameters(extract_parameters(users[chosen].hash)).hash(
            secrets.token_urlsafe(32)
        )
    except Argon2Error as exc:  # pragma: no cover - the bounds of _unusable keep argon2 able to
        raise UsersFileError(
            f"{path}:{lines[chosen]}: argon2 cannot hash with the parameters of "
            f"{users[chosen].name!r}: {exc}"
        ) from None
    return Users(tuple(users), dummy)


def _common(users: list[User]) -> int:
    """The index of the first user whose hash has the parameters most hashes have."""
    from argon2 import extract_parameters

    params = [astuple(extract_parameters(u.hash)) for u in users]
    common = Counter(params).most_common(1)[0][0]
    return params.index(common)


def _problem(line: str, before: list[User]) -> str | None:
    from argon2 import extract_parameters
    from argon2.exceptions import InvalidHashError

    parts = line.split(":")
    if len(parts) != 3:
        return f"expected name:hash:role, found {len(parts)} field(s) separated by ':'"
    name, hashed, role = parts
    if not name or re.search(r"\s", name):
        return "the user name is empty or holds white space"
    if role not in ROLES:
        return f"the role of {name!r} is {role!r}; roles are {', '.join(ROLES)}"
    try:
        params = extract_parameters(hashed)
    except (InvalidHashError, ValueError):
        return f"the hash of {name!r} is not an argon2 hash (make it with schemacat passwd)"
    if unusable := _unusable(params):
        return f"the hash of {name!r} has {unusable} (make it with schemacat passwd)"
    if any(u.name == name for u in before):
        return f"{name!r} is on an earlier line too"
    return None


def _unusable(p: Parameters) -> str | None:
    """What makes a hash's parameters ones argon2 cannot check, or not in reasonable time
    and memory; None when they are fine."""
    if p.salt_len < MIN_SALT_BYTES:
        return f"a salt of {p.salt_len} bytes, under {MIN_SALT_BYTES}"
    if p.hash_len < MIN_HASH_BYTES:
        return f"a hash of {p.hash_len} bytes, under {MIN_HASH_BYTES}"
    if not 1 <= p.parallelism <= MAX_PARALLELISM:
        return f"a parallelism of {p.parallelism}, not 1 to {MAX_PARALLELISM}"
    if not 8 * p.parallelism <= p.memory_cost <= MAX_MEMORY_KIB:
        return (
            f"a memory cost of {p.memory_cost} KiB, not {8 * p.parallelism} "
            f"(8 x parallelism) to {MAX_MEMORY_KIB} (1 GiB)"
        )
    if not 1 <= p.time_cost <= MAX_TIME_COST:
        return f"a time cost of {p.time_cost}, not 1 to {MAX_TIME_COST}"
    if p.version not in (16, 19):
        return f"the argon2 version {p.version}, not 16 or 19"
    return None
