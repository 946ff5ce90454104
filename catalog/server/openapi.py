"""What ``/openapi.json`` says of each route.

The routes read their ``Request`` themselves (a body is JSON whatever its content type
among Confluent's four, query booleans are case-insensitive, subjects may hold ``%2F``),
so FastAPI cannot see their bodies, query parameters or error answers.  They are written
down here, once, as a table by method and path over the models of ``models.py``, and
merged into the document FastAPI makes (``document``): every route's request body,
query and path parameters, answer, and each status it may answer, errors in
Confluent's shape ``{"error_code": N, "message": "..."}``.  401, 403 and 429 are
listed on every route but ``/health``, ``/health/ready`` and ``/metrics``: they are
answered only when the server runs with ``--users``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from catalog.server.errors import MEDIA_TYPE, OPEN_PATHS
from catalog.server.models import (
    MODELS,
    CompatibilityCheckResponse,
    CompatibilityLevel,
    ConfigUpdateRequest,
    ErrorMessage,
    Health,
    ModeAnswer,
    ModeUpdateRequest,
    RegisterSchemaRequest,
    RegisterSchemaResponse,
    SchemaString,
    SubjectVersion,
    SubjectVersionPair,
    validation_error,
)
from catalog.store.base import MAX_NUMBER

#: the content types Confluent's clients send a body as; each is read as JSON
REQUEST_TYPES = (
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
)


# -- the document -------------------------------------------------------------------

_BOOL, _INT, _STR = {"type": "boolean"}, {"type": "integer"}, {"type": "string"}
_PAGE = {"offset": _INT, "limit": _INT}
_BODY_ERRORS = (400, 408)  # a body that is no JSON, one that does not arrive in time
_DOOR_ERRORS = (500, 503, 504)  # a store error; too busy; timed out
_AUTH_ERRORS = (401, 403, 429)  # only with --users; never on OPEN_PATHS

_WHY = {
    400: "the body is not JSON, or not the object the route reads (error_code 400)",
    401: "only with schemacat serve --users: no credentials, or wrong ones (error_code 401; "
    'WWW-Authenticate: Basic realm="schemacat")',
    403: "only with schemacat serve --users: the user's role may not do this (40301)",
    404: "no such subject, version, schema or route (40401, 40402, 40403, ...)",
    408: "the request body did not arrive within --request-timeout",
    409: "the schema is incompatible with the subject's versions",
    413: "the body is over --max-request-bytes",
    429: "only with schemacat serve --users: too many failed logins from this client "
    "address (error_code 429); retry after Retry-After seconds",
    422: "a value that cannot be (42201 invalid schema, 42202 version, 42203 compatibility, "
    "42204 mode, 42205 not permitted, 42206 reference exists, 42208 subject, "
    "42209 schema too large)",
    500: "the catalog's storage failed (50001)",
    503: "too many requests at once (--max-concurrency): retry after Retry-After seconds",
    504: "not answered within --request-timeout (50002); a change it was making was rolled back",
}


class _Route:
    def __init__(
        self,
        answer: Any = None,
        *,
        query: dict[str, dict[str, str]] | None = None,
        request: type[BaseModel] | None = None,
        errors: tuple[int, ...] = (),
        media: str = MEDIA_TYPE,
    ) -> None:
        self.answer, self.query, self.request = answer, query or {}, request
        self.errors, self.media = errors, media


#: what the routes take in their path (they read it as text; FastAPI sees only strings)
_PATH = {
    "version": {
        "description": "a version number (1 to 2^31-1), -1 or latest for the latest",
        "anyOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_NUMBER},
            {"type": "integer", "enum": [-1]},
            {"type": "string", "enum": ["latest"]},
        ],
    },
    "schema_id": {"description": "a schema's global id", "type": "integer", "minimum": 1},
    "subject": {"description": "a subject; a / in it is sent as %2F", "type": "string"},
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _list(item: Any) -> dict[str, Any]:
    return {"type": "array", "items": item}


_SUBJECT_V = (404, 422)  # unknown subject or version; a version or subject that cannot be
_WITH_SCHEMA = (400, 404, 422, 408)
_ANY_JSON: dict[str, Any] = {"description": "the schema's text, as it was registered"}

ROUTES: dict[tuple[str, str], _Route] = {
    ("get", "/"): _Route({"type": "object"}),
    ("get", "/schemas/types"): _Route(_list(_STR)),
    ("get", "/contexts"): _Route(_list(_STR)),
    ("get", "/schemas"): _Route(
        _list(_ref(SubjectVersion)),
        query={"subjectPrefix": _STR, "deleted": _BOOL, "latestOnly": _BOOL, **_PAGE},
        errors=(400,),
    ),
    ("get", "/schemas/ids/{schema_id}"): _Route(_ref(SchemaString), errors=(404,)),
    ("get", "/schemas/ids/{schema_id}/schema"): _Route(_ANY_JSON, errors=(404,)),
    ("get", "/schemas/ids/{schema_id}/subjects"): _Route(
        _list(_STR), query={"subject": _STR, "deleted": _BOOL, **_PAGE}, errors=(400, 404)
    ),
    ("get", "/schemas/ids/{schema_id}/versions"): _Route(
        _list(_ref(SubjectVersionPair)),
        query={"subject": _STR, "deleted": _BOOL, **_PAGE},
        errors=(400, 404),
    ),
    ("get", "/subjects"): _Route(
        _list(_STR),
        query={"subjectPrefix": _STR, "deleted": _BOOL, "deletedOnly": _BOOL, **_PAGE},
        errors=(400,),
    ),
    ("get", "/subjects/{subject}/versions"): _Route(
        _list(_INT),
        query={"deleted": _BOOL, "deletedOnly": _BOOL, **_PAGE},
        errors=(400, *_SUBJECT_V),
    ),
    ("post", "/subjects/{subject}/versions"): _Route(
        _ref(RegisterSchemaResponse),
        query={"normalize": _BOOL},
        request=RegisterSchemaRequest,
        errors=(409, *_WITH_SCHEMA),
    ),
    ("get", "/subjects/{subject}/versions/{version}"): _Route(
        _ref(SubjectVersion), query={"deleted": _BOOL}, errors=_SUBJECT_V
    ),
    ("get", "/subjects/{subject}/versions/{version}/schema"): _Route(
        _ANY_JSON, query={"deleted": _BOOL}, errors=_SUBJECT_V
    ),
    ("get", "/subjects/{subject}/versions/{version}/referencedby"): _Route(
        _list(_INT), query=_PAGE, errors=(400, *_SUBJECT_V)
    ),
    ("delete", "/subjects/{subject}/versions/{version}"): _Route(
        _INT, query={"permanent": _BOOL}, errors=_SUBJECT_V
    ),
    ("post", "/subjects/{subject}"): _Route(
        _ref(SubjectVersion),
        query={"normalize": _BOOL, "deleted": _BOOL},
        request=RegisterSchemaRequest,
        errors=_WITH_SCHEMA,
    ),
    ("delete", "/subjects/{subject}"): _Route(
        _list(_INT), query={"permanent": _BOOL}, errors=_SUBJECT_V
    ),
    ("post", "/compatibility/subjects/{subject}/versions/{version}"): _Route(
        _ref(CompatibilityCheckResponse),
        query={"normalize": _BOOL, "verbose": _BOOL},
        request=RegisterSchemaRequest,
        errors=_WITH_SCHEMA,
    ),
    ("post", "/compatibility/subjects/{subject}/versions"): _Route(
        _ref(CompatibilityCheckResponse),
        query={"normalize": _BOOL, "verbose": _BOOL},
        request=RegisterSchemaRequest,
        errors=_WITH_SCHEMA,
    ),
    ("get", "/config"): _Route(_ref(CompatibilityLevel)),
    ("put", "/config"): _Route(
        {"type": "object", "properties": {"compatibility": _STR}},
        request=ConfigUpdateRequest,
        errors=(400, 413, 422, 408),
    ),
    ("delete", "/config"): _Route(_ref(CompatibilityLevel), errors=(422,)),
    ("get", "/config/{subject}"): _Route(
        _ref(CompatibilityLevel), query={"defaultToGlobal": _BOOL}, errors=_SUBJECT_V
    ),
    ("put", "/config/{subject}"): _Route(
        {"type": "object", "properties": {"compatibility": _STR}},
        request=ConfigUpdateRequest,
        errors=(400, 413, 422, 408),  # a subject not made yet keeps it for when it is
    ),
    ("delete", "/config/{subject}"): _Route(_ref(CompatibilityLevel), errors=_SUBJECT_V),
    ("get", "/mode"): _Route(_ref(ModeAnswer)),
    ("put", "/mode"): _Route(
        _ref(ModeAnswer), request=ModeUpdateRequest, errors=(400, 413, 422, 408)
    ),
    ("get", "/mode/{subject}"): _Route(_ref(ModeAnswer), errors=_SUBJECT_V),
    ("put", "/mode/{subject}"): _Route(
        _ref(ModeAnswer), request=ModeUpdateRequest, errors=(400, 404, 413, 422, 408)
    ),
    ("delete", "/mode/{subject}"): _Route(_ref(ModeAnswer), errors=_SUBJECT_V),
    ("get", "/health"): _Route(_ref(Health)),
    # metrics.py's: plain JSON, 503 when the store does not answer in time
    ("get", "/health/ready"): _Route(_ref(Health), media="application/json"),
}


def document(app: FastAPI) -> None:
    """Write ``ROUTES`` into the app's OpenAPI document, and answer validation errors in
    Confluent's shape."""
    app.add_exception_handler(RequestValidationError, validation_error)
    made = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _written(made())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _written(doc: dict[str, Any]) -> dict[str, Any]:
    _, defs = models_json_schema(
        [(m, "validation") for m in MODELS], ref_template="#/components/schemas/{model}"
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(defs.get("$defs", {}))
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            _write(operation, ROUTES.get((method, path), _Route()), guarded=path not in OPEN_PATHS)
    return doc


def _write(operation: dict[str, Any], route: _Route, *, guarded: bool) -> None:
    parameters = operation.setdefault("parameters", [])
    for parameter in parameters:
        if parameter.get("in") == "path" and parameter.get("name") in _PATH:
            parameter["schema"] = _PATH[parameter["name"]]
    for name, schema in route.query.items():
        parameters.append({"name": name, "in": "query", "required": False, "schema": schema})
    if not parameters:
        del operation["parameters"]
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)  # FastAPI's own shape, never answered
    if route.answer is not None:
        ok = responses.setdefault("200", {"description": "Successful Response"})
        ok["content"] = {route.media: {"schema": route.answer}}
    errors = set(route.errors) | set(_DOOR_ERRORS) | set(_AUTH_ERRORS if guarded else ())
    if route.request is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {t: {"schema": _ref(route.request)} for t in REQUEST_TYPES},
        }
        errors |= set(_BODY_ERRORS)
    error = {"schema": _ref(ErrorMessage)}
    for status in sorted(errors):
        said = responses.setdefault(str(status), {})
        said["description"] = said.get("description") or _WHY[status]
        said["content"] = {MEDIA_TYPE: error, route.media: error}
