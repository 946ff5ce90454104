"""Who may call the registry: ``schemacat serve --users FILE``.

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

**Credentials.**  The Authorization header's bytes are read as UTF-8 (as latin-1 when
they are not UTF-8), for Basic (after base64) and Bearer alike.  HTTP Basic checks the
named user's password.  ``Authorization: Bearer
SECRET`` checks the secret against every line's hash, so a line made with a long random
password serves as a token (confluent-kafka's ``STATIC_TOKEN``); the request runs as that
line's user.  confluent-kafka's ``target-sr-cluster`` and ``Confluent-Identity-Pool-Id``
headers are ignored.  ``/health``, ``/health/ready`` and ``/metrics`` stay open.

**Roles**, each including the one before:

* ``read``: every GET, and the POSTs that change nothing: lookup (``POST /subjects/{s}``)
  and compatibility tests (``POST /compatibility/...``): a consumer's deserializer and a
  CI check need no more.
* ``write``: registering (``POST /subjects/{s}/versions``) and soft deletes
  (``DELETE /subjects/{s}[/versions/{v}]``): what a producer's serializer does.
* ``admin``: ``PUT``/``DELETE`` of ``/config`` and ``/mode`` (IMPORT mode included) and
  permanent deletes (``?permanent=true``): what loses data or changes the rules for
  everyone.  Any other change, present or future, needs ``admin`` too (fail closed).

**Answers**, as Confluent Schema Registry gives them (its clients act on the codes):
401 ``{"error_code": 401, "message": "Unauthorized: ..."}`` with ``WWW-Authenticate:
Basic realm="schemacat"``, as its Basic authentication answers; 403 ``{"error_code":
40301, ...}``, as its RBAC/ACL authorizer answers ("User is denied operation ...").  A
wrong password and an unknown user get the same body, and an unknown user's password
is verified against a dummy hash made with the file's own parameters, so the time
taken tells nothing either.

**Failed logins are rate-limited per client address**: a token bucket of
``FAILURE_BURST`` (10) argon2 checks refilled at one per ``FAILURE_REFILL_SECONDS`` (3 s).
A Basic check takes one token while it runs, a Bearer check one per users-file line
(a wrong secret is checked against every line), so each failed argon2 check costs a
token whatever the scheme; the tokens come back if the check succeeds, so successes
never count, and concurrent guesses cannot outrun the bucket (requests sending the same
credential at once share one check, so a client's burst of logins takes one).  A credential
verified already from the same address (the cache below) is let through without looking
at the bucket, so a client that logged in is never locked out by guesses from its
address; an unverified one from a locked-out address is not even checked.  An address
with no token left gets 429 ``{"error_code": 429, ...}`` with ``Retry-After`` for every
other request carrying credentials, *before* they are checked (else a guesser could go
on); a request without credentials costs nothing to refuse.  The address is the TCP
peer's, or the ``X-Forwarded-For`` one when the peer is a proxy named by ``schemacat
serve --forwarded-allow-ips`` (no proxy is trusted by default).  Each worker has its own
buckets.  Authentication runs inside the limits (limits.py): a request waiting for its
argon2 check holds one of ``--max-concurrency`` turns and counts toward
``--request-timeout``.

**A cache of successful verifications**, because argon2 is slow on purpose and a
serializer sends Basic on every request: up to ``CACHE_SIZE`` entries for
``CACHE_SECONDS``, keyed by an HMAC-SHA256 of the Authorization header under a key
made at random by each process (never the credential, nor a plain hash of it that
could be attacked offline).  It lives in one process and dies with it, so it never
outlives the users file it was checked against.  Failures are never cached.  An entry
remembers the addresses (up to ``CACHE_ADDRESSES``) it was verified or used from; only
from those does it pass a locked-out bucket.

The authenticated user's name is put in the request's state (``request.state.user``)
for the access log.  Nothing here logs, prints or echoes a credential.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import math
import os
import re
import secrets
import time
from collections import Counter, OrderedDict
from dataclasses import astuple, dataclass, field
from pathlib import Path

from argon2 import Parameters, PasswordHasher, extract_parameters
from argon2.exceptions import Argon2Error, InvalidHashError, VerificationError
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from catalog.errors import InvalidRequest, SchemacatError
from catalog.server.errors import OPEN_PATHS, error_answer, routed_path

ROLES = ("read", "write", "admin")
REALM = 'Basic realm="schemacat"'
#: the bounds of a users-file hash's parameters (see the module's text)
MIN_SALT_BYTES, MIN_HASH_BYTES = 8, 16
MAX_MEMORY_KIB, MAX_TIME_COST, MAX_PARALLELISM = 1024 * 1024, 100, 64

FAILURE_BURST, FAILURE_REFILL_SECONDS, TRACKED_ADDRESSES = 10, 3.0, 10_000
CACHE_SIZE, CACHE_SECONDS, CACHE_ADDRESSES = 1024, 600.0, 64


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
    return f"{name}:{PasswordHasher().hash(password)}:{role}"


def read_users(path: str | Path) -> Users:
    """The users of the file at ``path``; ``UsersFileError`` names the file and the line
    of the first problem."""
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
    params = [astuple(extract_parameters(u.hash)) for u in users]
    common = Counter(params).most_common(1)[0][0]
    return params.index(common)


def _problem(line: str, before: list[User]) -> str | None:
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


# -- what a request needs ---------------------------------------------------------------


def needed_role(method: str, path: str, query: QueryParams) -> str:
    """The least role that may send ``method`` to ``path`` (decoded as the router sees
    it, an encoded slash kept as ``%2F``)."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return "read"
    parts = path.strip("/").split("/")
    lookup = (parts[0], len(parts)) == ("subjects", 2)
    if method == "POST" and (parts[0] == "compatibility" or lookup):
        return "read"
    if method == "POST" and len(parts) == 3 and (parts[0], parts[2]) == ("subjects", "versions"):
        return "write"
    version = len(parts) == 4 and parts[2] == "versions"
    if method == "DELETE" and parts[0] == "subjects" and (len(parts) == 2 or version):
        permanent = any(v.strip().lower() == "true" for v in query.getlist("permanent"))
        return "admin" if permanent else "write"
    return "admin"


# -- the middleware -------------------------------------------------------------------


class Authentication:
    """ASGI middleware: 401 / 403 / 429 before the app, the user's name in the state."""

    def __init__(self, app: ASGIApp, users: Users) -> None:
        self.app, self.users = app, users
        self.cache = _Verified()
        self.checks: dict[bytes, asyncio.Future[User | None]] = {}  # by the header's digest
        self.failures = _FailureBuckets()
        self.hasher = PasswordHasher()
        self.hashing = asyncio.Semaphore(max(2, os.cpu_count() or 2))  # argon2 takes 64 MiB

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        header = _authorization(scope)
        if header is None:
            await _refuse(scope, receive, send, 401, "Unauthorized: this registry needs "
                          "credentials (HTTP Basic or Authorization: Bearer)")  # fmt: skip
            return
        address = scope["client"][0] if scope.get("client") else "unknown"
        digest = self.cache.digest(header)
        user, from_here = self.cache.get(digest, address)
        if not from_here:  # verified from this address already: never held back
            wait = self.failures.wait(address)
            if wait:
                message = f"too many failed logins from {address}; try again in {wait} s"
                headers = {"Retry-After": str(wait)}
                await _refuse(scope, receive, send, 429, message, headers=headers)
                return
            if user is None:
                user = await self._authenticate(header, digest, address)
            if user is not None:
                self.cache.put(digest, user, address)
        if user is None:
            await _refuse(scope, receive, send, 401, "Unauthorized: wrong credentials")
            return
        scope.setdefault("state", {})["user"] = user.name
        path = routed_path(scope)
        needed = needed_role(scope["method"], path, QueryParams(scope.get("query_string", b"")))
        if ROLES.index(user.role) < ROLES.index(needed):
            message = (
                f"User is denied operation {scope['method']} {path}: user {user.name!r} has "
                f"the role {user.role!r}, this needs {needed!r}"
            )
            await _refuse(scope, receive, send, 403, message)
            return
        await self.app(scope, receive, send)

    async def _authenticate(self, header: bytes, digest: bytes, address: str) -> User | None:
        """The user ``header`` names: from a check of the same header already under way
        (a serializer's first requests arrive together), or checked now.  A check takes
        from ``address``'s bucket a token for each argon2 check it may make while it
        runs, so that concurrent guesses cannot outrun the limit, and gives them back if
        it succeeds."""
        check = self.checks.get(digest)
        if check is None:
            text = _text(header)
            cost = self._cost(text)
            self.failures.take(address, cost)
            check = self.checks[digest] = asyncio.ensure_future(self._verify(text))
            check.add_done_callback(lambda done: self._checked(digest, address, cost, done))
        return await asyncio.shield(check)

    def _cost(self, header: str) -> int:
        """How many argon2 checks ``header`` may take: one for Basic, one per line for a
        Bearer secret."""
        bearer = header.partition(" ")[0].lower() == "bearer"
        return len(self.users.users) if bearer else 1

    def _checked(
        self, digest: bytes, address: str, cost: int, check: asyncio.Future[User | None]
    ) -> None:
        del self.checks[digest]
        user = None if check.cancelled() or check.exception() else check.result()
        if user is not None:
            self.cache.put(digest, user, address)
            self.failures.give_back(address, cost)

    async def _verify(self, header: str) -> User | None:
        scheme, _, value = header.partition(" ")
        scheme, value = scheme.lower(), value.strip()
        if scheme == "bearer" and value:
            for line in self.users.users:
                if await self._matches(line.hash, value):
                    return line
            return None
        if scheme != "basic":
            return None
        try:
            decoded = _text(base64.b64decode(value, validate=True))
        except binascii.Error:
            return None
        name, colon, password = decoded.partition(":")
        user = self.users.named(name)
        matches = await self._matches(user.hash if user else self.users.dummy, password)
        return user if matches and user and colon else None

    async def _matches(self, hashed: str, secret: str) -> bool:
        async with self.hashing:
            return await asyncio.to_thread(self._check, hashed, secret)

    def _check(self, hashed: str, secret: str) -> bool:
        try:
            return self.hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False


def _authorization(scope: Scope) -> bytes | None:
    for key, value in scope["headers"]:
        if key == b"authorization":
            return bytes(value)
    return None


def _text(raw: bytes) -> str:
    """Bytes of a credential as text: UTF-8, else latin-1 (every byte is one there)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    message: str,
    *,
    headers: dict[str, str] | None = None,
) -> None:
    code = {401: 401, 403: 40301, 429: 429}[status]
    extra = {"WWW-Authenticate": REALM} if status == 401 else {}
    await error_answer(status, code, message, {**extra, **(headers or {})})(scope, receive, send)


class _Verified:
    """Successful verifications: HMAC of the header -> (user, expiry, the client addresses
    it came from), LRU-bounded.  A credential lets a request past a locked-out bucket only
    from an address it was verified from (else a guesser could test guesses against the
    cache at full speed); from another address it is let through without a new check
    when the bucket allows."""

    def __init__(self) -> None:
        self.key = secrets.token_bytes(32)
        self.entries: OrderedDict[bytes, tuple[User, float, dict[str, None]]] = OrderedDict()

    def digest(self, header: bytes) -> bytes:
        return hmac.new(self.key, header, hashlib.sha256).digest()

    def get(self, digest: bytes, address: str) -> tuple[User | None, bool]:
        """The user, and whether the credential was verified from ``address``."""
        found = self.entries.get(digest)
        if found is None:
            return None, False
        if found[1] < time.monotonic():
            del self.entries[digest]
            return None, False
        self.entries.move_to_end(digest)
        return found[0], address in found[2]

    def put(self, digest: bytes, user: User, address: str) -> None:
        if digest not in self.entries:
            self.entries[digest] = (user, time.monotonic() + CACHE_SECONDS, {})
            while len(self.entries) > CACHE_SIZE:
                self.entries.popitem(last=False)
        addresses = self.entries[digest][2]
        addresses[address] = None
        while len(addresses) > CACHE_ADDRESSES:
            del addresses[next(iter(addresses))]
        self.entries.move_to_end(digest)


class _FailureBuckets:
    """A token bucket of failed logins per client address, LRU-bounded."""

    def __init__(self) -> None:
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when

    def _tokens(self, address: str, now: float) -> float:
        tokens, when = self.buckets.get(address, (FAILURE_BURST, now))
        return min(FAILURE_BURST, tokens + (now - when) / FAILURE_REFILL_SECONDS)

    def wait(self, address: str) -> int:
        """0 when ``address`` may try; else the whole seconds until it may."""
        if address not in self.buckets:
            return 0
        tokens = self._tokens(address, time.monotonic())
        return 0 if tokens >= 1 else math.ceil((1 - tokens) * FAILURE_REFILL_SECONDS)

    def take(self, address: str, tokens: int) -> None:
        """Take ``tokens`` (one per argon2 check): the bucket may go below zero, so that
        an address whose check cost many waits as long as they took to refill."""
        self._add(address, -tokens)

    def give_back(self, address: str, tokens: int) -> None:
        self._add(address, tokens)

    def _add(self, address: str, tokens: float) -> None:
        now = time.monotonic()
        self.buckets[address] = (self._tokens(address, now) + tokens, now)
        self.buckets.move_to_end(address)
        while len(self.buckets) > TRACKED_ADDRESSES:
            self.buckets.popitem(last=False)
