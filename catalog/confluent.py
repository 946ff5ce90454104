"""Reading a whole Confluent-compatible schema registry over its REST API (for
``schemacat import``): every subject, every version (softly deleted ones too, and
which they are), its id, type, text and references, and the compatibility and mode
set globally and per subject.

Only reads (GET) are sent.  Credentials go in an ``Authorization`` header (HTTP
Basic); a URL holding a password is refused, and what is shown of the URL never
holds one.  An error says which URL failed, and after how long.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

from catalog.errors import InvalidRequest, SourceUnreachable
from catalog.registration import AVRO, Registration, references
from catalog.secrets import MASK, redact, remember_secret

TIMEOUT = 30.0  # seconds, per request
PARALLEL = 8  # requests in flight at once
_NOT_SET = (40401, 40408, 40409)  # no such subject; compatibility, mode not configured


@dataclass(frozen=True)
class SourceVersion:
    subject: str
    version: int
    schema_id: int
    registration: Registration
    deleted: bool


@dataclass(frozen=True)
class SourceRegistry:
    """What a registry holds, as its REST API tells it."""

    url: str  # without credentials
    versions: tuple[SourceVersion, ...]  # by subject, then version
    compatibility: str | None  # the global one
    subject_compatibility: Mapping[str, str]  # only subjects that set their own
    subject_mode: Mapping[str, str]  # only subjects whose mode is not the global one


async def read_registry(url: str, auth: tuple[str, str] | None = None) -> SourceRegistry:
    """Everything the registry at ``url`` holds (``auth``: a user and password)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is no number, or out of range: ValueError)
    except ValueError as exc:
        raise InvalidRequest(
            f"{shown_url(url)} is not a registry URL: {exc}",
            hint="give its http:// or https:// address, such as http://registry:8081",
            code="BAD_REGISTRY_URL",
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(
            f"{shown_url(url)} is not a registry URL",
            hint="give its http:// or https:// address, such as http://registry:8081",
            code="BAD_REGISTRY_URL",
        )
    if parts.password is not None or ":" in unquote(parts.username or ""):
        raise InvalidRequest(
            "the registry URL holds a password, which the command line must not",
            hint="give --user NAME, and the password in $SCHEMACAT_REGISTRY_PASSWORD or at "
            "the prompt",
            code="BAD_REGISTRY_URL",
        )
    if auth is not None:
        remember_secret(auth[1])
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        remember_secret(token)  # a source that echoes the Authorization header
    base = url.rstrip("/")
    async with httpx.AsyncClient(
        base_url=base,
        auth=httpx.BasicAuth(*auth) if auth else None,
        timeout=TIMEOUT,
        headers={"Accept": "application/vnd.schemaregistry.v1+json, application/json"},
    ) as client:
        reader = _Reader(client, shown_url(base))
        return await reader.everything()


def shown_url(url: str) -> str:
    """``url`` as it may be shown: without its user info (a password may hide there, even
    percent-encoded or with the scheme forgotten) or secrets in its query."""
    head, at, host = url.rpartition("@")
    if not at:
        return redact(url)
    scheme, sep, _ = head.partition("://")
    return redact(f"{scheme}{sep}{host}" if sep else host)


class _Reader:
    def __init__(self, client: httpx.AsyncClient, shown: str) -> None:
        self.client, self.shown = client, shown
        self.gate = asyncio.Semaphore(PARALLEL)

    async def everything(self) -> SourceRegistry:
        subjects = self.expect("/subjects", await self.get("/subjects", deleted="true"), str)
        global_mode = await self.setting("/mode", "mode")
        versions, compat, modes = [], {}, {}
        for subject in subjects:  # subjects one after the other, each one's versions at once
            held, level, mode = await self.subject(subject, global_mode)
            versions.extend(held)
            if level:
                compat[subject] = level
            if mode:
                modes[subject] = mode
        return SourceRegistry(
            url=self.shown,
            versions=tuple(versions),
            compatibility=await self.setting("/config", "compatibilityLevel"),
            subject_compatibility=compat,
            subject_mode=modes,
        )

    async def subject(
        self, subject: str, global_mode: str | None
    ) -> tuple[list[SourceVersion], str | None, str | None]:
        path = f"/subjects/{_quoted(subject)}/versions"
        numbers = self.expect(path, await self.get(path, deleted="true"), int)
        live = set(self.expect(path, await self.get(path, missing=[]), int))
        held = await asyncio.gather(
            *(self.version(subject, n, n not in live) for n in sorted(numbers))
        )
        level = await self.setting(f"/config/{_quoted(subject)}", "compatibilityLevel")
        mode = await self.setting(f"/mode/{_quoted(subject)}", "mode")
        return list(held), level, mode if mode != global_mode else None

    async def version(self, subject: str, number: int, deleted: bool) -> SourceVersion:
        path = f"/subjects/{_quoted(subject)}/versions/{number}"
        doc = await self.get(path, deleted="true")
        try:
            registration = Registration(
                str(doc.get("schemaType") or AVRO).upper(),
                doc["schema"],
                references(doc.get("references") or []),
            )
            return SourceVersion(subject, number, int(doc["id"]), registration, deleted)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise self.failed(path, f"its answer is no schema version: {_shown(doc)}") from None

    def expect(self, path: str, answer: Any, kind: type) -> list[Any]:
        """``answer`` if it is a list of ``kind``; else an error naming the path."""
        if isinstance(answer, list) and all(
            isinstance(a, kind) and not isinstance(a, bool) for a in answer
        ):
            return answer
        what = "subject names" if kind is str else "version numbers"
        raise self.failed(path, f"its answer is no list of {what}: {_shown(answer)}")

    async def setting(self, path: str, key: str) -> str | None:
        doc = await self.get(path, missing={})
        value = doc.get(key) if isinstance(doc, dict) else None
        return value if isinstance(value, str) else None

    async def get(self, path: str, missing: Any = None, **params: str) -> Any:
        """The JSON answer of GET ``path``; ``missing`` when it answers 404 (or another
        "not set" error) and a value for that was given."""
        started = time.monotonic()
        async with self.gate:
            try:
                answer = await self.client.get(path, params=params)
            except (httpx.HTTPError, OSError, ValueError) as exc:
                elapsed = time.monotonic() - started
                raise self.failed(
                    path, f"{type(exc).__name__}: {exc or 'no answer'} after {elapsed:.1f} s"
                ) from None
        if answer.status_code == 404 and missing is not None:
            code = _error_code(answer)
            if code in _NOT_SET or code is None:
                return missing
        if answer.is_redirect:
            where = shown_url(answer.headers.get("location", "nowhere"))
            raise self.failed(
                path,
                f"HTTP {answer.status_code}: it redirects to {where}",
                hint="give the URL it redirects to (schemacat does not follow redirects, "
                "which would send the credentials elsewhere)",
            )
        if answer.status_code != 200:
            elapsed = time.monotonic() - started
            raise self.failed(
                path, f"HTTP {answer.status_code}: {_message(answer)} after {elapsed:.1f} s"
            )
        try:
            return answer.json()
        except ValueError:
            raise self.failed(path, "its answer is not JSON") from None

    def failed(self, path: str, why: str, hint: str | None = None) -> SourceUnreachable:
        hint = hint or "check the URL, that the registry is up, and the credentials (--user)"
        return SourceUnreachable(
            f"reading the registry {self.shown}{path} failed: {_masked(why)}", hint=hint
        )


#: a credential an answer may echo back (``Authorization: Basic ...``)
_CREDENTIAL = re.compile(r"\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]+", re.I)


def _masked(text: str) -> str:
    """Text from the source with any credential it echoes masked (the secrets
    remembered, the password and its Basic token, are masked by the error itself)."""
    return _CREDENTIAL.sub(lambda m: f"{m[1]} {MASK}", text)


def _shown(answer: Any) -> str:
    return str(answer)[:200]


def _quoted(subject: str) -> str:
    return quote(subject, safe="")


def _error_code(answer: httpx.Response) -> int | None:
    try:
        code = answer.json().get("error_code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None


def _message(answer: httpx.Response) -> str:
    try:
        message = answer.json().get("message")
    except (ValueError, AttributeError):
        message = None
    return str(message) if message else answer.reason_phrase
