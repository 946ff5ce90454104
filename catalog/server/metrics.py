"""What ``schemacat serve`` tells its operators: ``/metrics`` (Prometheus text),
``/health/ready`` (the store answers), and the access log (``accesslog.py``).

One ASGI middleware, outermost so that it sees every answer (auth's 401s too), times
each request and counts it by route template, never by raw path: a label takes the
path of the route the request matched (``/subjects/{subject}/versions``), or
``(unmatched)``, so the number of series stays bounded whatever clients send.

With ``--workers N`` uvicorn runs N processes; ``schemacat serve`` gives them a private
directory in ``PROMETHEUS_MULTIPROC_DIR`` (made at start, removed at exit), so each
process writes its numbers there and a scrape of any worker adds them all up
(prometheus-client's multiprocess mode).  The catalog's caches count their hits in
plain integers (the catalog does not know Prometheus); each process adds what moved
to its counters after every request and at every scrape.

Metrics (all ``schemacat_``):

* ``http_requests_total{method,route,status}``, ``http_request_duration_seconds{method,route}``
  (a histogram), ``http_requests_in_flight``;
* ``http_errors_total{error_code}``: error answers by Confluent's error_code;
* ``registrations_total{outcome}``: ``new`` versions, and schemas ``existing`` already;
* ``compatibility_rejections_total{route}``: 409 answers (an incompatible schema);
* ``store_errors_total{route}``: 50001 answers made from the store's errors (a bug in
  schemacat is a 500 counted in ``http_requests_total`` only);
* ``cache_hits_total{cache}``, ``cache_misses_total{cache}``, ``cache_entries{cache}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Coroutine
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.core import Catalog
from catalog.errors import SchemacatError
from catalog.server import accesslog
from catalog.server.errors import error_answer, message_of, routed_path
from catalog.server.workers import MULTIPROCESS_VARIABLE

#: /health/ready answers 503 when the store has not answered a trivial query by then
READY_DEADLINE = 2.0
UNMATCHED = "(unmatched)"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: an error answer's body is read for its error_code up to this size
MAX_ERROR_BODY = 65536

_registry = CollectorRegistry()  # in one process without PROMETHEUS_MULTIPROC_DIR

REQUESTS = Counter(
    "schemacat_http_requests",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
    registry=_registry,
)
DURATION = Histogram(
    "schemacat_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template",
    ["method", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=_registry,
)
IN_FLIGHT = Gauge(
    "schemacat_http_requests_in_flight",
    "Requests being answered now",
    multiprocess_mode="livesum",
    registry=_registry,
)
ERRORS = Counter(
    "schemacat_http_errors",
    "Error answers, by Confluent's error_code",
    ["error_code"],
    registry=_registry,
)
REGISTRATIONS = Counter(
    "schemacat_registrations",
    "Schemas registered: new versions, or a schema the subject already held",
    ["outcome"],
    registry=_registry,
)
REJECTIONS = Counter(
    "schemacat_compatibility_rejections",
    "Schemas refused as incompatible (409), by route template",
    ["route"],
    registry=_registry,
)
STORE_ERRORS = Counter(
    "schemacat_store_errors",
    "Answers 50001: the catalog's store failed, by route template",
    ["route"],
    registry=_registry,
)
CACHE_HITS = Counter("schemacat_cache_hits", "Cache hits, by cache", ["cache"], registry=_registry)
CACHE_MISSES = Counter(
    "schemacat_cache_misses", "Cache misses, by cache", ["cache"], registry=_registry
)
CACHE_ENTRIES = Gauge(
    "schemacat_cache_entries",
    "Entries held, by cache (summed over the live workers)",
    ["cache"],
    multiprocess_mode="livesum",
    registry=_registry,
)


def observe(app: FastAPI, access_log: str) -> None:
    """``/metrics``, ``/health/ready`` and the access log (json, text or off).  Call it
    last in ``make_app``: its middleware must be the outermost."""
    _routes(app)
    app.add_middleware(Observed, routed=app, log=access_log)


# -- the routes ----------------------------------------------------------------------


def _routes(app: FastAPI) -> None:
    @app.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
    async def metrics() -> Response:
        """Prometheus text: every worker's numbers added up."""
        _sync()
        text = await asyncio.to_thread(generate_latest, _collected())  # reads every worker's files
        return Response(text, media_type=CONTENT_TYPE_LATEST)

    @app.get(
        "/health/ready",
        responses={503: {"description": "the store did not answer (error_code 50001 or 50002)"}},
    )
    async def ready(request: Request) -> Response:
        """200 ``{"status": "UP"}`` when the catalog's store answers a trivial query within
        2 s; else 503 with 50002 (no answer by then) or 50001 (it failed), and why."""
        started = time.monotonic()
        try:
            await _within(request.app.state.catalog.ping(), READY_DEADLINE)
        except TimeoutError:
            code, reason = 50002, f"no answer after {time.monotonic() - started:.2f} s"
        except SchemacatError as exc:
            elapsed = time.monotonic() - started
            code, reason = 50001, f"failed after {elapsed:.2f} s: {message_of(exc)}"
        else:
            return JSONResponse({"status": "UP"})
        message = f"the catalog's store did not answer within {READY_DEADLINE} s: {reason}"
        return error_answer(503, code, message, media_type="application/json")


#: pings given up on, still cancelling (a reference keeps each until it is done)
_abandoned: set[asyncio.Task[None]] = set()


async def _within(ping: Coroutine[Any, Any, None], seconds: float) -> None:
    """``ping``'s outcome, or TimeoutError after ``seconds``: on time even when cancelling
    it takes longer (asyncpg cancels a query with a round trip to the slow server), so
    that is left to finish on its own."""
    task = asyncio.ensure_future(ping)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if done:
        return task.result()
    task.cancel()
    _abandoned.add(task)
    task.add_done_callback(_forget)
    raise TimeoutError


def _forget(task: asyncio.Task[None]) -> None:
    _abandoned.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: the answer went out already


def _collected() -> CollectorRegistry:
    directory = os.environ.get(MULTIPROCESS_VARIABLE)
    if not directory:
        return _registry
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return registry


#: what this process has added to its counters so far: cache -> (hits, misses), outcome -> n
_seen_caches: dict[str, tuple[int, int]] = {}
_seen_registrations: dict[str, int] = {}


def _sync() -> None:
    """Add to the counters what the caches and registrations counted since last time."""
    caches, registrations = Catalog.cache_stats()
    for name, (hits, misses, entries) in caches.items():
        seen_hits, seen_misses = _seen_caches.get(name, (0, 0))
        if hits > seen_hits:
            CACHE_HITS.labels(name).inc(hits - seen_hits)
        if misses > seen_misses:
            CACHE_MISSES.labels(name).inc(misses - seen_misses)
        _seen_caches[name] = (hits, misses)
        CACHE_ENTRIES.labels(name).set(entries)
    for outcome, count in registrations.items():
        seen = _seen_registrations.get(outcome, 0)
        if count > seen:
            REGISTRATIONS.labels(outcome).inc(count - seen)
        _seen_registrations[outcome] = count


# -- the middleware --------------------------------------------------------------------


class Observed:
    """Times, counts and logs every HTTP request (see the module's docstring)."""

    def __init__(self, app: ASGIApp, routed: FastAPI, log: str) -> None:
        self.app, self.routed = app, routed
        self.log = accesslog.logger() if log in ("json", "text") else None
        self.text = log == "text"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, _leaving(send) if scope["type"] == "lifespan" else send)
            return
        scope.setdefault("state", {})  # shared with inner copies: auth puts the user in it
        started = time.perf_counter()
        status, error, finished = 500, bytearray(), False

        def finish() -> None:
            nonlocal finished
            if not finished:
                finished = True
                IN_FLIGHT.dec()
                self._record(scope, status, time.perf_counter() - started, _error_code(error))

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                if status >= 400 and len(error) < MAX_ERROR_BODY:
                    error.extend(message.get("body", b""))
                if not message.get("more_body", False):  # before the last bytes go, so a
                    finish()  # client that has its answer finds it counted and logged
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, sending)
        finally:
            finish()  # no answer (an exception: ServerErrorMiddleware answers 500 outside)

    def _record(self, scope: Scope, status: int, seconds: float, code: int | None) -> None:
        route = self._route(scope)
        method = scope["method"] if scope["method"] in METHODS else "other"
        REQUESTS.labels(method, route, str(status)).inc()
        DURATION.labels(method, route).observe(seconds)
        if code is not None:
            ERRORS.labels(str(code)).inc()
        if status == 409:
            REJECTIONS.labels(route).inc()
        if code == 50001:  # an answer made of a store error (a bug raises past this)
            STORE_ERRORS.labels(route).inc()
        _sync()
        if self.log is not None:
            self.log.info(
                accesslog.line(
                    scope,
                    route=route,
                    status=status,
                    seconds=seconds,
                    error_code=code,
                    text=self.text,
                )
            )

    def _route(self, scope: Scope) -> str:
        """The path of the route the request matched (the router's own answer when the
        scope was not copied on the way in; else matched again here)."""
        found = scope.get("route")
        if found is not None and isinstance(getattr(found, "path", None), str):
            return str(found.path)
        probe = {**scope, "path": routed_path(scope)}  # %2F kept, as the app routes it
        partial = None
        for route in self.routed.router.routes:
            match, _ = route.matches(probe)
            if match is Match.FULL:
                return str(getattr(route, "path", UNMATCHED))
            if match is Match.PARTIAL and partial is None:
                partial = str(getattr(route, "path", UNMATCHED))
        return partial or UNMATCHED


def _leaving(send: Send) -> Send:
    """A worker that shuts down takes its live gauges (in flight, cache entries) out of
    the sum: prometheus-client keeps a process's files until told it is gone."""

    async def sending(message: Message) -> None:
        directory = os.environ.get(MULTIPROCESS_VARIABLE)
        if message["type"] == "lifespan.shutdown.complete" and directory:
            multiprocess.mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]
        await send(message)

    return sending


def _error_code(raw: bytes | bytearray) -> int | None:
    """The error_code of an error answer's body, if it is one."""
    if not raw:
        return None
    try:
        found: Any = json.loads(raw)
    except ValueError:
        return None
    code = found.get("error_code") if isinstance(found, dict) else None
    return code if isinstance(code, int) else None
