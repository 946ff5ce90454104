"""Errors as Confluent Schema Registry answers them: an HTTP status and a body
``{"error_code": N, "message": "..."}`` whose codes its clients act on.

A schemacat error keeps its words (what broke, the hint); its ``code`` picks the
status and the number.  An error of the catalog's own storage is 50001; anything
else unexpected is a 500 whose message says it is a bug.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote

from starlette.responses import JSONResponse
from starlette.types import Scope

from catalog.errors import CatalogError, SchemacatError, SchemaError

#: the content type of every answer of Confluent's API
MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
#: paths that need no credentials and are never held back (probes and scrapes)
OPEN_PATHS = frozenset({"/health", "/health/ready", "/metrics"})

#: schemacat's code -> (HTTP status, Confluent's error_code)
CODES: dict[str, tuple[int, int]] = {
    "STREAM_NOT_FOUND": (404, 40401),
    "VERSION_NOT_FOUND": (404, 40402),
    "SCHEMA_NOT_FOUND": (404, 40403),
    "SUBJECT_SOFT_DELETED": (404, 40404),
    "SUBJECT_NOT_SOFT_DELETED": (404, 40405),
    "VERSION_SOFT_DELETED": (404, 40406),
    "VERSION_NOT_SOFT_DELETED": (404, 40407),
    "COMPATIBILITY_NOT_CONFIGURED": (404, 40408),
    "INCOMPATIBLE_SCHEMA": (409, 409),
    "INVALID_VERSION": (422, 42202),
    "UNKNOWN_COMPATIBILITY_MODE": (422, 42203),
    "INVALID_MODE": (422, 42204),
    "OPERATION_NOT_PERMITTED": (422, 42205),
    "REFERENCE_EXISTS": (422, 42206),
    "INVALID_SUBJECT": (422, 42208),
    "SCHEMA_TOO_LARGE": (422, 42209),
}


def status_of(error: SchemacatError) -> tuple[int, int]:
    """The HTTP status and error_code of a schemacat error."""
    if error.code in CODES:
        return CODES[error.code]
    if isinstance(error, SchemaError):
        return 422, 42201
    if isinstance(error, CatalogError):
        return 500, 50001
    return 422, 42201  # a request that is not a valid schema or setting


def body(error_code: int, message: str) -> dict[str, object]:
    return {"error_code": error_code, "message": message}


def message_of(error: SchemacatError) -> str:
    """The message, its hint after it, as one line of a response."""
    return error.message if error.hint is None else f"{error.message} ({error.hint})"


def error_answer(
    status: int,
    error_code: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    *,
    media_type: str = MEDIA_TYPE,
) -> JSONResponse:
    """An error answer in Confluent's shape: every error the door gives is made here."""
    return JSONResponse(
        body(error_code, message), status, dict(headers or {}), media_type=media_type
    )


def routed_path(scope: Scope) -> str:
    """The path the router matches: decoded, with an encoded slash kept as ``%2F`` so
    that a subject may hold ``/`` (app._EncodedSlashes)."""
    raw = scope.get("raw_path")
    if not raw:
        return str(scope["path"])
    return unquote(re.sub(r"%2[fF]", "%252F", raw.decode("latin-1")))
