"""The REST API of Confluent Schema Registry, as a thin door onto ``Catalog``.

Each route reads its parameters, calls one Catalog method and writes the answer in
Confluent's shapes.  Decisions where Confluent's documentation and its behaviour
differ (its clients rely on the behaviour):

* ``schemaType`` is left out of a schema's JSON when it is AVRO, and ``references``
  when there are none, as Confluent writes them.
* ``POST /subjects/{s}/versions`` answers ``{"id": N}`` (7.x); clients read only the id.
* A subject name may hold ``/`` sent as ``%2F``: routes match on the raw path.
* Query booleans are case-insensitive (``False``, ``TRUE``), as Java reads them.
* A body is read as JSON whatever its content type among those Confluent takes
  (``application/vnd.schemaregistry.v1+json``, ``application/vnd.schemaregistry+json``,
  ``application/json``, ``application/octet-stream``).
* Unknown routes, and methods a route lacks, answer in the error shape (404 / 405),
  so clients probing newer endpoints (``/associations``) get a clean 404.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.core import Catalog
from catalog.errors import InvalidRequest, SchemacatError
from catalog.registration import AVRO, TYPES, Registration, references
from catalog.server.auth import Authentication
from catalog.server.errors import MEDIA_TYPE, error_answer, message_of, routed_path, status_of
from catalog.server.limits import Guard, Limits, check_schema_size
from catalog.server.metrics import observe
from catalog.server.models import RegisterSchemaRequest, check_storable, validated
from catalog.server.openapi import document
from catalog.server.users import Users
from catalog.store import SchemaVersion
from catalog.store.base import MAX_NUMBER
from catalog.subjects import LATEST, registered


class RegistryJSON(JSONResponse):
    media_type = MEDIA_TYPE


def make_app(
    catalog_url: str | None,
    *,
    read_only: bool = False,
    users: Users | None = None,
    limits: Limits | None = None,
    access_log: str = "off",
) -> FastAPI:
    """The registry over the catalog at ``catalog_url``; with ``read_only`` every change is
    refused with 42205; with ``users`` a request needs their credentials (auth.py);
    ``limits`` bound each request's size, time and concurrency (limits.py);
    ``access_log`` is json, text or off (accesslog.py)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            opened = await Catalog.open(catalog_url)
        except SchemacatError as exc:  # one line, not a traceback (_Startup)
            what_to_do = "" if exc.hint else " (check the catalog given by --catalog)"
            app.state.startup_problem = (
                f"schemacat serve cannot open its catalog: {message_of(exc)}{what_to_do}"
            )
            raise
        async with opened as catalog:
            app.state.catalog = catalog
            yield

    app = FastAPI(
        title="schemacat",
        summary="Confluent Schema Registry's REST API over a schemacat catalog",
        lifespan=lifespan,
        default_response_class=RegistryJSON,
        docs_url=None,
        redoc_url=None,
    )
    app.state.read_only = read_only
    _errors(app)
    _routes(app)
    document(app)  # bodies, parameters and answers in /openapi.json (openapi.py)
    app.state.limits = limits = limits or Limits()
    app.state.startup_problem = None
    # each added middleware wraps those added before: from the outermost, the metrics and
    # the log (they see every answer), the limits (so a request waiting for its argon2
    # check holds a turn and counts toward the timeout), auth, the routes' path
    app.add_middleware(_EncodedSlashes)
    if users is not None:
        app.add_middleware(Authentication, users=users)
    app.add_middleware(Guard, limits=limits)
    app.add_middleware(_Startup, owner=app)
    observe(app, access_log)  # last: its middleware is the outermost, so it sees every answer
    return app


# -- the routes --------------------------------------------------------------------


def catalog(request: Request) -> Catalog:
    found: Catalog = request.app.state.catalog
    return found


def writing(request: Request) -> Catalog:
    """The catalog, for a change: refused (42205) when served with --read-only."""
    if request.app.state.read_only:
        raise SchemacatError(
            "this schemacat serves its catalog read-only (--read-only)",
            code="OPERATION_NOT_PERMITTED",
        )
    return catalog(request)


def _routes(app: FastAPI) -> None:
    _schema_routes(app)
    _subject_routes(app)
    _compatibility_routes(app)
    _config_routes(app)


def _schema_routes(app: FastAPI) -> None:
    @app.get("/")
    async def root() -> dict[str, Any]:
        return {}

    @app.get("/schemas/types")
    async def schema_types() -> list[str]:
        return list(TYPES)

    @app.get("/contexts")
    async def contexts() -> list[str]:
        return ["."]

    @app.get("/schemas")
    async def schemas(request: Request) -> list[dict[str, Any]]:
        cat, q = catalog(request), request.query_params
        deleted, latest_only = _flag(request, "deleted"), _flag(request, "latestOnly")
        out = []
        for subject in await cat.subjects(q.get("subjectPrefix", ""), deleted=deleted):
            held = await cat.subject_versions(subject, deleted=deleted)
            for number in held[-1:] if latest_only else held:
                out.append(_version(await cat.subject_version(subject, number, deleted=True)))
        return _page(request, out)

    @app.get("/schemas/ids/{schema_id}")
    async def schema_by_id(request: Request, schema_id: str) -> dict[str, Any]:
        return _schema(await catalog(request).schema_by_id(_id(schema_id)))

    @app.get("/schemas/ids/{schema_id}/schema")
    async def schema_text_by_id(request: Request, schema_id: str) -> Response:
        found = await catalog(request).schema_by_id(_id(schema_id))
        return PlainTextResponse(found.text, media_type=MEDIA_TYPE)

    @app.get("/schemas/ids/{schema_id}/subjects")
    async def schema_subjects(request: Request, schema_id: str) -> list[str]:
        cat = catalog(request)
        found = await cat.schema_subjects(_id(schema_id), deleted=_flag(request, "deleted"))
        wanted = request.query_params.get("subject")
        return _page(request, [s for s in found if wanted is None or s == wanted])

    @app.get("/schemas/ids/{schema_id}/versions")
    async def schema_versions(request: Request, schema_id: str) -> list[dict[str, Any]]:
        cat = catalog(request)
        pairs = await cat.schema_versions_of(_id(schema_id), deleted=_flag(request, "deleted"))
        wanted = request.query_params.get("subject")
        return _page(
            request,
            [{"subject": s, "version": v} for s, v in pairs if wanted is None or s == wanted],
        )


def _subject_routes(app: FastAPI) -> None:
    @app.get("/subjects")
    async def subjects(request: Request) -> list[str]:
        q = request.query_params
        found = await catalog(request).subjects(
            q.get("subjectPrefix", ""),
            deleted=_flag(request, "deleted"),
            deleted_only=_flag(request, "deletedOnly"),
        )
        return _page(request, found)

    @app.get("/subjects/{subject}/versions")
    async def subject_versions(request: Request, subject: str) -> list[int]:
        found = await catalog(request).subject_versions(
            _name(subject),
            deleted=_flag(request, "deleted"),
            deleted_only=_flag(request, "deletedOnly"),
        )
        return _page(request, found)

    @app.post("/subjects/{subject}/versions")
    async def register(request: Request, subject: str) -> dict[str, Any]:
        registration, sent = await _registration(request)
        found = await writing(request).register_schema(
            _name(subject),
            registration,
            normalize=_flag(request, "normalize"),
            schema_id=sent.id,  # IMPORT mode: a migration's
            version=sent.version,
        )
        return {"id": found.schema_id}

    @app.get("/subjects/{subject}/versions/{version}")
    async def subject_version(request: Request, subject: str, version: str) -> dict[str, Any]:
        found = await catalog(request).subject_version(
            _name(subject), _number(version), deleted=_flag(request, "deleted")
        )
        return _version(found)

    @app.get("/subjects/{subject}/versions/{version}/schema")
    async def subject_version_schema(request: Request, subject: str, version: str) -> Response:
        found = await catalog(request).subject_version(
            _name(subject), _number(version), deleted=_flag(request, "deleted")
        )
        return PlainTextResponse(registered(found).text, media_type=MEDIA_TYPE)

    @app.get("/subjects/{subject}/versions/{version}/referencedby")
    async def referenced_by(request: Request, subject: str, version: str) -> list[int]:
        return _page(
            request, await catalog(request).referenced_by(_name(subject), _number(version))
        )

    @app.delete("/subjects/{subject}/versions/{version}")
    async def delete_version(request: Request, subject: str, version: str) -> int:
        return await writing(request).delete_version(
            _name(subject), _number(version), permanent=_flag(request, "permanent")
        )

    @app.post("/subjects/{subject}")
    async def lookup(request: Request, subject: str) -> dict[str, Any]:
        registration, _ = await _registration(request)
        found = await catalog(request).lookup_schema(
            _name(subject),
            registration,
            normalize=_flag(request, "normalize"),
            deleted=_flag(request, "deleted"),
        )
        return _version(found)

    @app.delete("/subjects/{subject}")
    async def delete_subject(request: Request, subject: str) -> list[int]:
        return await writing(request).delete_subject(
            _name(subject), permanent=_flag(request, "permanent")
        )


def _compatibility_routes(app: FastAPI) -> None:
    async def compatibility(request: Request, subject: str, version: int | None) -> dict[str, Any]:
        registration, _ = await _registration(request)
        cat = catalog(request)
        try:
            result = await cat.test_compatibility(
                _name(subject), registration, version, normalize=_flag(request, "normalize")
            )
        except SchemacatError as exc:
            if version is not None or exc.code != "STREAM_NOT_FOUND":
                raise
            return {"is_compatible": True}  # nothing to be incompatible with
        answer: dict[str, Any] = {"is_compatible": result.compatible}
        if _flag(request, "verbose"):
            answer["messages"] = [
                i.message + (f" ({i.hint})" if i.hint else "") for i in result.issues
            ]
        return answer

    @app.post("/compatibility/subjects/{subject}/versions/{version}")
    async def compatible_with(request: Request, subject: str, version: str) -> dict[str, Any]:
        return await compatibility(request, subject, _number(version))

    @app.post("/compatibility/subjects/{subject}/versions")
    async def compatible_with_all(request: Request, subject: str) -> dict[str, Any]:
        return await compatibility(request, subject, None)


def _config_routes(app: FastAPI) -> None:
    @app.get("/config")
    async def config(request: Request) -> dict[str, Any]:
        return {"compatibilityLevel": await catalog(request).default_compatibility()}

    @app.put("/config")
    async def set_config(request: Request) -> dict[str, Any]:
        mode = _text(await _json(request), "compatibility")
        return {"compatibility": await writing(request).set_default_compatibility(mode)}

    @app.delete("/config")
    async def delete_config(request: Request) -> dict[str, Any]:
        cat = writing(request)
        before = await cat.default_compatibility()
        await cat.reset_default_compatibility()
        return {"compatibilityLevel": before}

    @app.get("/config/{subject}")
    async def subject_config(request: Request, subject: str) -> dict[str, Any]:
        level = await catalog(request).subject_compatibility(
            _name(subject), default_to_global=_flag(request, "defaultToGlobal")
        )
        return {"compatibilityLevel": level}

    @app.put("/config/{subject}")
    async def set_subject_config(request: Request, subject: str) -> dict[str, Any]:
        mode = _text(await _json(request), "compatibility")
        await writing(request).set_subject_compatibility(_name(subject), mode)
        return {"compatibility": mode.upper()}

    @app.delete("/config/{subject}")
    async def delete_subject_config(request: Request, subject: str) -> dict[str, Any]:
        cat = writing(request)
        level = await cat.subject_compatibility(_name(subject), default_to_global=False)
        await cat.set_subject_compatibility(_name(subject), None)
        return {"compatibilityLevel": level}

    @app.get("/mode")
    async def mode(request: Request) -> dict[str, Any]:
        return {"mode": await catalog(request).mode()}

    @app.put("/mode")
    async def set_mode(request: Request) -> dict[str, Any]:
        wanted = _text(await _json(request), "mode")
        return {"mode": await writing(request).set_mode(wanted, force=_flag(request, "force"))}

    @app.get("/mode/{subject}")
    async def subject_mode(request: Request, subject: str) -> dict[str, Any]:
        return {"mode": await catalog(request).mode(_name(subject))}

    @app.put("/mode/{subject}")
    async def set_subject_mode(request: Request, subject: str) -> dict[str, Any]:
        wanted = _text(await _json(request), "mode")
        cat, force = writing(request), _flag(request, "force")
        return {"mode": await cat.set_mode(wanted, _name(subject), force=force)}

    @app.delete("/mode/{subject}")
    async def delete_subject_mode(request: Request, subject: str) -> dict[str, Any]:
        cat = writing(request)
        before = await cat.mode(_name(subject))
        await cat.set_mode(None, _name(subject))
        return {"mode": before}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "UP"}


# -- reading requests ---------------------------------------------------------------


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        doc = json.loads(raw or b"{}")
    except ValueError as exc:
        raise _Malformed(f"the request body is not JSON: {exc}") from None
    except RecursionError:
        raise _Malformed("the request body nests arrays or objects too deeply") from None
    try:
        check_storable(raw, doc)  # no NUL, no lone surrogate
    except ValueError as exc:
        raise _Malformed(f"the request body holds what cannot be stored: {exc}") from None
    return doc


async def _registration(request: Request) -> tuple[Registration, RegisterSchemaRequest]:
    """The schema a request sends, and the whole body (an IMPORT's id and version)."""
    doc = await _json(request)
    if not isinstance(doc, dict):
        raise _Malformed("the request body must be a JSON object with a 'schema'")
    text, schema_type = doc.get("schema"), doc.get("schemaType") or AVRO
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest(
            "the request has no 'schema' (the schema's text, as a JSON string)",
            hint='send {"schema": "{\\"type\\": \\"string\\"}"}',
            code="INVALID_SCHEMA",
        )
    check_schema_size(text, request.app.state.limits)  # 42209
    sent = validated(RegisterSchemaRequest, doc)  # each field of its type, or 422 naming it
    refs = doc.get("references") or []
    return Registration(schema_type.upper(), text, references(refs)), sent


def _text(doc: Any, key: str) -> str:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, str):
        raise _Malformed(f'the request body must be {{"{key}": "..."}}')
    return value


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").strip().lower() == "true"


def _name(subject: str) -> str:
    name = subject.replace("%2F", "/").replace("%2f", "/")
    if "\x00" in name:  # none can exist (PostgreSQL's text cannot hold it): not a store error
        raise SchemacatError(
            f"{name!r} is not a valid subject name: it holds a NUL character",
            code="INVALID_SUBJECT",
        )
    return name


def _number(version: str) -> int:
    """A version in a path: ``latest``, -1, or 1 to 2^31-1 (else 42202)."""
    if version == "latest":
        return LATEST
    if re.fullmatch(r"-?\d+", version) and (
        int(version) == LATEST or 1 <= int(version) <= MAX_NUMBER
    ):
        return int(version)
    raise SchemacatError(
        f"the specified version {version!r} is not a valid version id; allowed values are "
        f'between [1, {MAX_NUMBER}] and the string "latest"',
        code="INVALID_VERSION",
    )


def _id(schema_id: str) -> int:
    if not re.fullmatch(r"\d{1,18}", schema_id):
        raise SchemacatError(f"no schema has the id {schema_id!r}", code="SCHEMA_NOT_FOUND")
    return int(schema_id)


def _page(request: Request, items: Sequence[Any]) -> list[Any]:
    q = request.query_params
    try:
        offset, limit = int(q.get("offset", 0)), int(q.get("limit", -1))
    except ValueError:
        raise _Malformed("offset and limit are whole numbers") from None
    start = max(offset, 0)
    return list(items[start : start + limit] if limit > 0 else items[start:])


# -- writing answers ----------------------------------------------------------------


def _schema(registration: Registration) -> dict[str, Any]:
    out: dict[str, Any] = {"schema": registration.text}
    if registration.schema_type != AVRO:
        out["schemaType"] = registration.schema_type
    if registration.references:
        out["references"] = [r.to_json() for r in registration.references]
    return out


def _version(version: SchemaVersion) -> dict[str, Any]:
    return {
        "subject": version.stream,
        "version": version.version,
        "id": version.schema_id,
        **_schema(registered(version)),
    }


class _Malformed(SchemacatError):
    """A request that is not what the route reads (not JSON, a field missing)."""

    code = "MALFORMED_REQUEST"


def _errors(app: FastAPI) -> None:
    @app.exception_handler(SchemacatError)
    async def schemacat_error(request: Request, exc: SchemacatError) -> Response:
        if isinstance(exc, _Malformed):
            return error_answer(400, 400, message_of(exc))
        status, code = status_of(exc)
        return error_answer(status, code, message_of(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        return error_answer(status, status, f"HTTP {status} {exc.detail}")

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:
        message = f"internal error: {type(exc).__name__}: {exc}; this is a bug in schemacat"
        return error_answer(500, 50001, message)


class _EncodedSlashes:
    """Routes match on the path with ``%2F`` kept, so a subject may hold ``/``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") or b""
        if scope["type"] == "http" and b"%2f" in raw.lower():
            scope = {**scope, "path": routed_path(scope)}
        await self.app(scope, receive, send)


class _Startup:
    """A catalog that cannot be opened stops the start with one line: uvicorn logs the
    message of ``lifespan.startup.failed``, where Starlette puts a traceback."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app, self.owner = app, owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            problem = self.owner.state.startup_problem
            if message["type"] == "lifespan.startup.failed" and problem:
                message = {**message, "message": problem}
            await send(message)

        await self.app(scope, receive, sending)
