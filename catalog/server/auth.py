"""Who may call the registry: ``schemacat serve --users FILE``.

**The users file.**  One user a line, ``name:hash:role``; blank lines and ``#`` comments
are skipped.  ``hash`` is an argon2id hash (argon2-cffi's ``PasswordHasher``: salted,
slow, memory-hard) made by ``schemacat passwd``; a password is never stored.  The file
is read once, when the server starts (each worker reads it): a change takes effect on
restart.  A line that cannot be read stops the start with ``FILE:LINE: what is wrong``,
never the hash itself.

**Credentials.**  HTTP Basic checks the named user's password.  ``Authorization: Bearer
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
``FAILURE_BURST`` (10) failures refilled at one per ``FAILURE_REFILL_SECONDS`` (3 s).
A check takes a token while it runs and gives it back if it succeeds, so successes
never count and concurrent guesses cannot outrun the bucket (requests sending the same
credential at once share one check, so a client's burst of logins takes one).  An address
with no token left gets 429 ``{"error_code": 429, ...}`` with ``Retry-After`` for every
request carrying credentials, *before* they are checked (else a guesser could go on);
a request without credentials costs nothing to refuse.  The address is the one uvicorn
reports (behind a proxy it trusts, the forwarded one).  Each worker has its own buckets.

**A cache of successful verifications**, because argon2 is slow on purpose and a
serializer sends Basic on every request: up to ``CACHE_SIZE`` entries for
``CACHE_SECONDS``, keyed by an HMAC-SHA256 of the Authorization header under a key
made at random by each process (never the credential, nor a plain hash of it that
could be attacked offline).  It lives in one process and dies with it, so it never
outlives the users file it was checked against.  Failures are never cached.

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
from urllib.parse import unquote

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.datastructures import QueryParams
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from catalog.errors import InvalidRequest, SchemacatError
from catalog.server.errors import body

ROLES = ("read", "write", "admin")
OPEN_PATHS = frozenset({"/health", "/health/ready", "/metrics"})
REALM = 'Basic realm="schemacat"'
MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"

FAILURE_BURST, FAILURE_REFILL_SECONDS, TRACKED_ADDRESSES = 10, 3.0, 10_000
CACHE_SIZE, CACHE_SECONDS = 1024, 600.0


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
    """The users of a users file, in its order."""

    path: str
    users: tuple[User, ...]

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
    if not users:
        raise UsersFileError(
            f"the users file {path} has no users",
            hint="add a line made by `schemacat passwd NAME --role admin`",
        )
    return Users(str(path), tuple(users))


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
        extract_parameters(hashed)
    except (InvalidHashError, ValueError):
        return f"the hash of {name!r} is not an argon2 hash (make it with schemacat passwd)"
    if any(u.name == name for u in before):
        return f"{name!r} is on an earlier line too"
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


def _routed_path(scope: Scope) -> str:
    """The path the router matches: decoded, with ``%2F`` kept (see app._EncodedSlashes)."""
    raw = scope.get("raw_path")
    if not raw:
        return str(scope["path"])
    return unquote(re.sub(r"%2[fF]", "%252F", raw.decode("latin-1")))


# -- the middleware -------------------------------------------------------------------


class Authentication:
    """ASGI middleware: 401 / 403 / 429 before the app, the user's name in the state."""

    def __init__(self, app: ASGIApp, users: Users) -> None:
        self.app, self.users = app, users
        self.cache = _Verified()
        self.checks: dict[bytes, asyncio.Future[User | None]] = {}  # by the header's digest
        self.failures = _FailureBuckets()
        self.hasher = PasswordHasher()
        self.dummy = _dummy_hash(users)
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
        wait = self.failures.wait(address)
        if wait:
            message = f"too many failed logins from {address}; try again in {wait} s"
            await _refuse(scope, receive, send, 429, message, headers={"Retry-After": str(wait)})
            return
        user = await self._authenticate(header, address)
        if user is None:
            await _refuse(scope, receive, send, 401, "Unauthorized: wrong credentials")
            return
        scope.setdefault("state", {})["user"] = user.name
        path = _routed_path(scope)
        needed = needed_role(scope["method"], path, QueryParams(scope.get("query_string", b"")))
        if ROLES.index(user.role) < ROLES.index(needed):
            message = (
                f"User is denied operation {scope['method']} {path}: user {user.name!r} has "
                f"the role {user.role!r}, this needs {needed!r}"
            )
            await _refuse(scope, receive, send, 403, message)
            return
        await self.app(scope, receive, send)

    async def _authenticate(self, header: str, address: str) -> User | None:
        """The user ``header`` names: from the cache, from a check of the same header
        already under way (a serializer's first requests arrive together), or checked
        now.  A check takes a token from ``address``'s bucket while it runs, so that
        concurrent guesses cannot outrun the limit, and gives it back if it succeeds."""
        digest = self.cache.digest(header)
        user = self.cache.get(digest)
        if user is not None:
            return user
        check = self.checks.get(digest)
        if check is None:
            self.failures.take(address)
            check = self.checks[digest] = asyncio.ensure_future(self._verify(header))
            check.add_done_callback(lambda done: self._checked(digest, address, done))
        return await asyncio.shield(check)

    def _checked(self, digest: bytes, address: str, check: asyncio.Future[User | None]) -> None:
        del self.checks[digest]
        user = None if check.cancelled() or check.exception() else check.result()
        if user is not None:
            self.cache.put(digest, user)
            self.failures.give_back(address)

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
            name, colon, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user = self.users.named(name)
        matches = await self._matches(user.hash if user else self.dummy, password)
        return user if matches and user and colon else None

    async def _matches(self, hashed: str, secret: str) -> bool:
        async with self.hashing:
            return await asyncio.to_thread(self._check, hashed, secret)

    def _check(self, hashed: str, secret: str) -> bool:
        try:
            return self.hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False


def _authorization(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"authorization":
            return str(value.decode("latin-1"))
    return None


def _dummy_hash(users: Users) -> str:
    """A hash of a random secret with the parameters most of the file's hashes have, so
    that checking an unknown user's password takes as long as a known user's."""
    params = [extract_parameters(u.hash) for u in users.users]
    common = Counter(astuple(p) for p in params).most_common(1)[0][0]
    chosen = next(p for p in params if astuple(p) == common)
    return PasswordHasher.from_parameters(chosen).hash(secrets.token_urlsafe(32))


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
    response = JSONResponse(
        body(code, message), status, {**extra, **(headers or {})}, media_type=MEDIA_TYPE
    )
    await response(scope, receive, send)


class _Verified:
    """Successful verifications: HMAC of the header -> (user, expiry), LRU-bounded."""

    def __init__(self) -> None:
        self.key = secrets.token_bytes(32)
        self.entries: OrderedDict[bytes, tuple[User, float]] = OrderedDict()

    def digest(self, header: str) -> bytes:
        return hmac.new(self.key, header.encode("latin-1"), hashlib.sha256).digest()

    def get(self, digest: bytes) -> User | None:
        found = self.entries.get(digest)
        if found is None:
            return None
        if found[1] < time.monotonic():
            del self.entries[digest]
            return None
        self.entries.move_to_end(digest)
        return found[0]

    def put(self, digest: bytes, user: User) -> None:
        if digest not in self.entries:
            self.entries[digest] = (user, time.monotonic() + CACHE_SECONDS)
            while len(self.entries) > CACHE_SIZE:
                self.entries.popitem(last=False)
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

    def take(self, address: str) -> None:
        self._add(address, -1)

    def give_back(self, address: str) -> None:
        self._add(address, 1)

    def _add(self, address: str, tokens: float) -> None:
        now = time.monotonic()
        self.buckets[address] = (max(0.0, self._tokens(address, now) + tokens), now)
        self.buckets.move_to_end(address)
        while len(self.buckets) > TRACKED_ADDRESSES:
            self.buckets.popitem(last=False)
