"""The door's limits: how large a request may be, how long it may take, and how many
run at once (``schemacat serve --max-request-bytes --max-schema-bytes --request-timeout
--max-concurrency``).

One ASGI middleware, in front of the routes, answers each breach in Confluent's error
shape, before any route sees the request:

* **Size.**  A body over ``max_request_bytes`` is refused without being read: at once
  when its ``Content-Length`` says so, else (a chunked body) as soon as the bytes read
  pass the limit.  On the routes that carry a schema (register, lookup, compatibility)
  the answer is Confluent's 422 ``42209`` (schema too large), elsewhere 413.  A schema
  text over ``max_schema_bytes`` (UTF-8) in a body that fits is 42209 too (the routes
  check it, ``check_schema_size``).  The defaults follow what Confluent and Karapace
  accept: a schema is one Kafka record there, so about 1 MiB (Kafka's
  ``message.max.bytes``, Confluent Cloud's documented schema limit); a body may be four
  times that, room for the schema's JSON escaping and its references.
* **Time.**  A request not answered within ``request_timeout`` seconds is cancelled and
  answered 504 ``50002`` (Confluent's "operation timed out"), saying how long it ran and
  where it was; a client that does not send its body in time gets 408.  The catalog's
  writes are transactions: cancelling one rolls it back (``catalog.store``), so a request
  that timed out changed nothing.  A write whose COMMIT had begun completes, and its
  answer is the usual one, late.  The 504 is sent once the cancelled work has unwound,
  never before (an answer sent earlier could say "failed" of a write that then
  commits): on PostgreSQL at once (asyncpg cancels the query on the server); on SQLite a
  statement already waiting for another process's write lock first ends, at the latest
  at the store's busy timeout (60 s), and the message gives the time it really took.
* **Concurrency.**  At most ``max_concurrency`` requests are handled at once in a
  worker; one beyond waits up to ``queue_wait`` seconds for a turn, then gets 503 with
  ``Retry-After``.  ``/health`` and ``/metrics`` are never held back, so probes and
  scrapes still answer under load.

It runs outside authentication (auth.py), so a request waiting for its argon2 check
holds a turn and counts toward the timeout: a flood of credentials to check queues no
further than ``max_concurrency`` requests.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import ClientDisconnect

from catalog.errors import SchemacatError
from catalog.server.errors import OPEN_PATHS, error_answer, routed_path

if TYPE_CHECKING:
    from starlette.responses import JSONResponse
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

MiB = 1024 * 1024
#: the routes whose body carries a schema: their size errors are 42209
_SCHEMA_ROUTE = re.compile(r"/subjects/[^/]+(/versions)?|/compatibility/subjects/[^/]+/versions.*")


@dataclass(frozen=True)
class Limits:
    max_request_bytes: int = 4 * MiB
    max_schema_bytes: int = MiB
    request_timeout: float = 30.0
    max_concurrency: int = 256
    queue_wait: float = 1.0
    retry_after: int = 1

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> Limits:
        return cls(**json.loads(text))


class SchemaTooLarge(SchemacatError):
    """Confluent's 42209: a schema, or a body carrying one, over the limit."""

    code = "SCHEMA_TOO_LARGE"


def check_schema_size(text: str, limits: Limits) -> None:
    """Refuse (42209) a schema text over ``limits.max_schema_bytes``."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_schema_bytes:
        raise SchemaTooLarge(
            f"the schema is too large: {size:,} bytes, over the limit of "
            f"{limits.max_schema_bytes:,} (--max-schema-bytes)",
            hint="split it into smaller schemas joined by references",
        )


def carries_schema(method: str, path: str) -> bool:
    return method == "POST" and _SCHEMA_ROUTE.fullmatch(path) is not None


class _TooLarge(Exception):
    """Raised from ``receive`` when a body read so far passes the limit."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class Guard:
    """The middleware that holds the limits (see the module's text)."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits
        self._slots = asyncio.Semaphore(limits.max_concurrency)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limits.max_request_bytes:
            await self._too_large(scope, receive, send, declared, declared=True)
            return
        if scope["path"] in OPEN_PATHS:
            await self._run(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.limits.queue_wait):
                await self._slots.acquire()
        except TimeoutError:
            await self._busy(scope, receive, send)
            return
        try:
            await self._run(scope, receive, send)
        finally:
            self._slots.release()

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit, started_at = self.limits.max_request_bytes, time.monotonic()
        state = {"read": 0, "waiting_for_body": False, "answered": False}

        async def counted() -> Message:
            state["waiting_for_body"] = True  # left so when the deadline cancels the wait
            message = await receive()
            state["waiting_for_body"] = False
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    raise _TooLarge(state["read"])
            return message

        async def sending(message: Message) -> None:
            state["answered"] = True
            await send(message)

        timer = asyncio.timeout(self.limits.request_timeout)
        try:
            async with timer:
                await self.app(scope, counted, sending)
        except _TooLarge as exc:
            if state["answered"]:
                raise
            await self._too_large(scope, receive, send, exc.size, declared=False)
        except TimeoutError:
            if not timer.expired() or state["answered"]:
                raise
            waited = time.monotonic() - started_at
            timed_out = self._timed_out(scope, waited, bool(state["waiting_for_body"]))
            await timed_out(scope, receive, send)
        except ClientDisconnect:
            pass  # the client hung up before its body came: no one to answer

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, size: int, *, declared: bool
    ) -> None:
        limit = self.limits.max_request_bytes
        said = (
            f"{size:,} bytes, over the limit of {limit:,} (--max-request-bytes); it was not read"
            if declared
            else f"it passed the limit of {limit:,} bytes (--max-request-bytes) as it was "
            "read (it came without a Content-Length); the rest was not read"
        )
        if carries_schema(scope["method"], routed_path(scope)):
            answer = error_answer(
                422, 42209, f"the schema is too large: the request body is {said}", _CLOSE
            )
        else:
            answer = error_answer(413, 413, f"the request body is too large: {said}", _CLOSE)
        await answer(scope, receive, send)

    async def _busy(self, scope: Scope, receive: Receive, send: Send) -> None:
        limits = self.limits
        await error_answer(
            503,
            503,
            f"the server is busy: {limits.max_concurrency} requests are being handled "
            f"(--max-concurrency) and none finished within {limits.queue_wait:g} s; "
            f"retry after {limits.retry_after} s",
            {"Retry-After": str(limits.retry_after)},
        )(scope, receive, send)

    def _timed_out(self, scope: Scope, waited: float, in_body: bool) -> JSONResponse:
        limit = self.limits.request_timeout
        what = f"{scope['method']} {scope['path']}"
        if in_body:
            return error_answer(
                408,
                408,
                f"{what} timed out after {waited:.2f} s waiting for the request body "
                f"(the limit is {limit:g} s, --request-timeout); nothing was done",
                _CLOSE,
            )
        return error_answer(
            504,
            50002,
            f"operation timed out: {what} was stopped after {waited:.2f} s, over the limit of "
            f"{limit:g} s (--request-timeout), while the catalog was handling it; "
            "what it was changing was rolled back",
        )


#: the connection ends after the answer: a body was left unread, so the next request on
#: it could not be found
_CLOSE = {"Connection": "close"}


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # uvicorn refuses such a request before it gets here
    return None
