"""The one error hierarchy of schemacat.

Every error carries a stable ``code`` (for scripts and tests), a message a user
can act on, an optional ``hint`` (what to do next) and, for SQL, the position of
the offending token.  Nothing in schemacat raises a bare ``Exception``.  A message and a
hint never hold a secret: they are redacted when the error is made (``catalog.secrets``).

An error about one part of a request says which in ``subject``, a path into the
call's arguments: ``("actions", 2, "default")`` is the default of the third
column action of an ALTER, ``("options", "timeout", "value")`` the value of an
option, ``("name",)`` the stream's name.  The SQL layer turns a subject into the
place in the statement where that part was written; other doors can show it as
it is.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from catalog.secrets import redact_text


@dataclass(frozen=True, slots=True)
class Position:
    """Where in a SQL text an error is: 1-based line and column."""

    line: int
    column: int
    source: str | None = None  # a file name, when the SQL came from one


class SchemacatError(Exception):
    """Base class: ``code``, ``message``, optional ``hint`` and ``position``."""

    code = "SCHEMACAT_ERROR"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        position: Position | None = None,
        code: str | None = None,
        subject: tuple[str | int, ...] | None = None,
    ) -> None:
        message = _bounded(redact_text(message))
        super().__init__(message)
        self.message = message
        self.hint = _bounded(redact_text(hint)) if hint else hint
        self.position = position
        self.subject = subject
        self.offset: int | None = None  # where in the statement, until the position is known
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message} (hint: {self.hint})"


MAX_MESSAGE = 8192  # characters of an error's message or hint


def _bounded(text: str) -> str:
    """``text``, its middle left out when it is longer than ``MAX_MESSAGE``: an error that
    quotes a 1 MB name or schema echoes its start and end, not all of it."""
    if len(text) <= MAX_MESSAGE:
        return text
    head, tail = text[: MAX_MESSAGE // 2], text[-MAX_MESSAGE // 8 :]
    return f"{head} [... {len(text) - len(head) - len(tail)} characters left out ...] {tail}"


class SchemaError(SchemacatError):
    """A schema is malformed: duplicate names, a bad default, an unsupported type."""

    code = "INVALID_SCHEMA"


class TypeParseError(SchemaError):
    """A SQL type name could not be read."""

    code = "UNKNOWN_TYPE"


class AvroSchemaError(SchemaError):
    """An Avro schema could not be read or cannot express a type."""

    code = "INVALID_AVRO"


class InvalidRequest(SchemacatError):
    """A request the catalog cannot carry out as asked: an unknown column or option, a
    default that is not a value of its column's type, a stream without a datasource."""

    code = "INVALID_REQUEST"


class SqlSyntaxError(SchemacatError):
    """A statement that does not parse."""

    code = "SQL_SYNTAX"


class SqlError(InvalidRequest):
    """A statement that parses but cannot run (an undefined variable, a script loop ...)."""

    code = "SQL_ERROR"


class CatalogError(SchemacatError):
    """The catalog store could not do what was asked."""

    code = "CATALOG_ERROR"


class CatalogURLError(CatalogError):
    code = "BAD_CATALOG_URL"


class CatalogVersionError(CatalogError):
    """The catalog was written by a newer schemacat than this one."""

    code = "CATALOG_TOO_NEW"


class StreamNotFound(CatalogError):
    code = "STREAM_NOT_FOUND"


class StreamExists(CatalogError):
    code = "STREAM_EXISTS"


class VersionNotFound(CatalogError):
    code = "VERSION_NOT_FOUND"


class SchemaNotFound(CatalogError):
    """No version holds a schema of this id, or this schema in this subject."""

    code = "SCHEMA_NOT_FOUND"


class DeletedState(CatalogError):
    """A delete or a read that the soft-delete state of a stream or version forbids:
    ``code`` says which (Confluent's 40404-40407)."""

    def __init__(self, message: str, code: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, code=code)


class NotConfigured(CatalogError):
    """A stream without a compatibility mode of its own (it follows the catalog's)."""

    code = "COMPATIBILITY_NOT_CONFIGURED"


class NotPermitted(CatalogError):
    """The catalog's or the stream's mode (READONLY ...) forbids the change."""

    code = "OPERATION_NOT_PERMITTED"


class ReferenceExists(CatalogError):
    """A version other schemas reference cannot be deleted for good."""

    code = "REFERENCE_EXISTS"


class ConcurrentModification(CatalogError):
    """The stream moved to a newer version while a change was being prepared."""

    code = "CONCURRENT_MODIFICATION"


class IncompatibleSchema(SchemacatError):
    """A new version breaks the stream's compatibility mode; nothing was registered."""

    code = "INCOMPATIBLE_SCHEMA"

    def __init__(
        self,
        message: str,
        issues: Sequence[Any],
        *,
        hint: str | None = None,
        subject: tuple[str | int, ...] | None = None,
    ) -> None:
        lines = "".join(f"\n  - {issue.message}" for issue in issues)
        super().__init__(message + lines, hint=hint, subject=subject)
        self.issues = list(issues)


class DiscoveryError(SchemacatError):
    """A source could not be sampled or its schema could not be inferred."""

    code = "DISCOVERY_FAILED"


class UnknownScheme(DiscoveryError):
    code = "UNKNOWN_SCHEME"


class BadOption(DiscoveryError):
    code = "BAD_OPTION"


class SourceNotFound(DiscoveryError):
    code = "SOURCE_NOT_FOUND"


class SourceUnreachable(DiscoveryError):
    code = "SOURCE_UNREACHABLE"


class AccessDenied(DiscoveryError):
    code = "ACCESS_DENIED"


class EmptySource(DiscoveryError):
    code = "EMPTY_SOURCE"


class MalformedSource(DiscoveryError):
    """Nothing in the sample could be read: every record was malformed."""

    code = "MALFORMED_SOURCE"


class SchemaConflict(DiscoveryError):
    """Two parts of one source (two files, say) have types that cannot be merged."""

    code = "SCHEMA_CONFLICT"


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """A hint naming the choice closest to ``word`` (None if nothing is close)."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f"did you mean {close[0]}?" if close else None
