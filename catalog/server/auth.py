"""Who may call the registry: ``schemacat serve --users FILE`` (the users file is read by
``catalog.server.users``).

**Credentials.**  The Authorization header's bytes are read as UTF-8 (as latin-1 when
they are not UTF-8), for Basic (after base64) and Bearer alike.  HTTP Basic checks the
named user's password.  ``Authorization: Bearer SECRET`` checks the secret against
every line's hash, so a line made with a long random password serves as a token
(confluent-kafka's ``STATIC_TOKEN``); the request runs as that line's user.
confluent-kafka's ``target-sr-cluster`` and ``Confluent-Identity-Pool-Id`` headers are
ignored.  ``/health``, ``/health/ready`` and ``/metrics`` stay open.

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
import secrets
import time
from collections import OrderedDict

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from catalog.server.errors import OPEN_PATHS, error_answer, routed_path
from catalog.server.users import ROLES, User, Users

REALM = 'Basic realm="schemacat"'
#: the bounds of a users-file hash's parameters (see the module's text)

FAILURE_BURST, FAILURE_REFILL_SECONDS, TRACKED_ADDRESSES = 10, 3.0, 10_000
CACHE_SIZE, CACHE_SECONDS, CACHE_ADDRESSES = 1024, 600.0, 64


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
