"""The access log of ``schemacat serve``: one line on stderr per request, a JSON object
(``--access-log json``, the default) or uvicorn's words (``--access-log text``:
``127.0.0.1:5000 - "GET /subjects?deleted=true HTTP/1.1" 200 1.2 ms user=alice``).

A line holds the time, the worker's process id, the client's address, the method, the
route template (what the request matched, ``/subjects/{subject}/versions``) and the
path, the status, the duration in milliseconds, the error_code of an error answer, and
the user when the auth middleware named one (``request.state.user``).

It never holds a header (so no ``Authorization``), nor a body, nor the value of a
query parameter the registry does not read: of the query string only Confluent's
own parameters are kept (``subjectPrefix=x``), whatever else a client sent
(``?password=...``) is left out, name and value, in both forms.  (uvicorn's own access
log, which writes the whole query string to stdout, is never used.)
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

#: json: a JSON object a line; text: uvicorn's words; off: none
ACCESS_LOG_MODES = ("json", "text", "off")

#: the query parameters of Confluent's REST API (and schemacat's), logged with their values
KNOWN_PARAMETERS = frozenset(
    {
        "subjectPrefix", "deleted", "deletedOnly", "deletedAsNegative", "offset", "limit",
        "normalize", "permanent", "subject", "format", "verbose", "defaultToGlobal",
        "latestOnly", "fetchMaxId", "lookupDeletedSchema", "referenceFormat", "ruleType",
        "includeDeleted", "showPatterns", "findTags",
    }
)  # fmt: skip
#: a logged value is cut at this many characters
MAX_VALUE = 200

LOGGER_NAME = "schemacat.access"


def logger() -> logging.Logger:
    """The access logger: its lines on stderr, each the JSON object alone."""
    found = logging.getLogger(LOGGER_NAME)
    if not found.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        found.addHandler(handler)
        found.setLevel(logging.INFO)
        found.propagate = False
    return found


def safe_query(query_string: bytes) -> str:
    """The query string with Confluent's parameters only (``subjectPrefix=x``)."""
    if not query_string:
        return ""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return urlencode([(k, v[:MAX_VALUE]) for k, v in pairs if k in KNOWN_PARAMETERS])


def line(
    scope: dict[str, Any] | Any,
    *,
    route: str,
    status: int,
    seconds: float,
    error_code: int | None,
    text: bool = False,
) -> str:
    """One request's line, a JSON object or (``text``) uvicorn's words: no header, no
    unknown query parameter."""
    client = scope.get("client")
    raw = scope.get("raw_path")
    entry: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "pid": os.getpid(),  # which worker, with --workers
        "client": f"{client[0]}:{client[1]}" if client else None,
        "method": scope.get("method"),
        "route": route,
        "path": raw.decode("latin-1") if raw else scope.get("path"),
        "query": safe_query(scope.get("query_string", b"")),
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
    }
    if error_code is not None:
        entry["error_code"] = error_code
    user = (scope.get("state") or {}).get("user")
    if isinstance(user, str):  # a name, never a User (it holds a hash)
        entry["user"] = user
    if not text:
        return json.dumps(entry, ensure_ascii=False)
    target = f"{entry['path']}?{entry['query']}" if entry["query"] else entry["path"]
    said = (
        f'{entry["client"] or "-"} - "{entry["method"]} {target} '
        f'HTTP/{scope.get("http_version", "1.1")}" {status} {entry["duration_ms"]:.1f} ms'
    )
    extra = [f"{key}={entry[key]}" for key in ("error_code", "user") if key in entry]
    return " ".join([said, *extra])
