"""What discovery returns, and what a provider implements.

A provider serves one or more URI schemes.  ``discover`` samples a source and
returns a ``Discovery``: a ``Schema`` that also carries how it was found (the
format, how many records were sampled and how many were malformed, statistics
per column, and provider facts such as the files read or the offsets sampled).
A URI that names many objects (a broker, a database) is listed as
``SourceObject``s.  What a provider knows that the catalog does not, it says
through small hooks: ``basis`` (what a stored discovery rests on, for DESCRIBE
EXTENDED), ``completion_scope`` and ``children`` (what the shell's Tab offers
inside a URI).  ``providers.testing`` is the suite every provider should pass.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pyarrow as pa

from catalog.drift import Drift, drift
from catalog.errors import BadOption
from catalog.infer.stats import ColumnStats
from catalog.schema import Field, Schema
from catalog.secrets import redact
from catalog.words import counted

COMMON_OPTIONS = ("format", "sample_size", "timeout")


def notes(details: Mapping[str, Any], conflicts: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """What a user should know before trusting a discovered schema: the provider's notes
    (``details["notes"]``), then the columns where kinds of values met and made JSON."""
    met = (
        f"column {name} holds {' and '.join(kinds)} values, so it is JSON"
        for name, kinds in conflicts.items()
        if kinds
    )
    return (*details.get("notes", ()), *met)


def with_notes(line: str, notes: Iterable[str]) -> str:
    """``line``, then a ``note:`` line for each note."""
    return "\n".join([line, *(f"note: {note}" for note in notes)])


class Discovery(Schema):
    """A discovered schema, with the facts of its discovery."""

    __slots__ = ("details", "format", "malformed", "sampled", "stats", "uri")
    uri: str
    format: str
    sampled: int
    malformed: int
    stats: Mapping[str, ColumnStats]
    details: Mapping[str, Any]

    def __init__(
        self,
        fields: Iterable[Field],
        *,
        uri: str,
        format: str,
        sampled: int,
        malformed: int = 0,
        stats: Mapping[str, ColumnStats] | None = None,
        details: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(fields, name)
        for key, value in (
            ("uri", redact(uri)),
            ("format", format),
            ("sampled", sampled),
            ("malformed", malformed),
            ("stats", dict(stats or {})),
            ("details", dict(details or {})),
        ):
            object.__setattr__(self, key, value)

    def summary(self, name: str) -> str:
        """One line on what was looked at: ``name: json, 500 records sampled, 2 malformed``,
        then a ``note:`` line for each note."""
        malformed = f", {self.malformed} malformed" if self.malformed else ""
        skipped = len(self.details.get("files_skipped") or ())
        not_data = f", {counted(skipped, 'file')} skipped as not data" if skipped else ""
        basis = self.details.get("schema_from")
        looked = f"schema from {basis}" if basis else f"{counted(self.sampled, 'record')} sampled"
        line = f"{name}: {self.format}, {looked}{malformed}{not_data}"
        return with_notes(line, self.notes)

    @property
    def notes(self) -> tuple[str, ...]:
        return notes(self.details, {name: s.conflicts for name, s in self.stats.items()})

    def with_details(self, **extra: Any) -> Discovery:
        """The same discovery with more provider facts."""
        return Discovery(
            self.fields,
            uri=self.uri,
            format=self.format,
            sampled=self.sampled,
            malformed=self.malformed,
            stats=self.stats,
            details={**self.details, **extra},
            name=self.name,
        )

    @property
    def schema(self) -> Schema:
        """The plain schema, without the discovery facts."""
        return Schema(self.fields, self.name)

    def facts(self) -> dict[str, Any]:
        """The facts as JSON, as the catalog keeps them with a version."""
        return {
            "uri": self.uri,
            "format": self.format,
            "sampled": self.sampled,
            "malformed": self.malformed,
            "stats": {name: s.to_json() for name, s in self.stats.items()},
            "details": self.details,
        }


@dataclass(frozen=True)
class SourceObject:
    """One of the objects a URI naming many holds: a topic, a table, a view."""

    name: str
    kind: str  # topic, table, view, partitioned table, ...
    partitions: int | None = None
    messages: int | None = None
    rows: int | None = None
    schema: Schema | None = None
    skipped: str | None = None  # why it could not be described

    def to_json(self) -> dict[str, Any]:
        """The object as ``schemacat discover --format json`` prints it (unknowns left out)."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        for key in ("partitions", "messages", "rows"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.schema is not None:
            out["columns"] = [
                {"name": f.name, "type": f.sql_type, "nullable": f.nullable} for f in self.schema
            ]
        if self.skipped is not None:
            out["skipped"] = self.skipped
        return out


@dataclass(frozen=True)
class CompletionScope:
    """Where, in a URI being typed, the names a provider lists begin."""

    uri: str  # the URI to ask ``children`` of
    stem: str  # the text each name follows in the completed URI
    kind: str  # what the names are: topic, table, object ...


def sample_basis(facts: Mapping[str, Any]) -> str:
    """How many records a discovery sampled, from where, and how many were malformed."""
    sampled, uri = facts.get("sampled") or 0, facts.get("uri")
    basis = f"{counted(sampled, 'record')} sampled from {uri}" if sampled else f"from {uri}"
    if facts.get("malformed"):
        basis += f", {facts['malformed']} malformed"
    return basis


class Deadline:
    """A timeout kept as a deadline: every wait of one discovery (connecting, retrying,
    fetching) takes what is left of it, and messages say how long it really took."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def left(self) -> float:
        return max(self.seconds - self.elapsed, 0.0)

    def took(self) -> str:
        """``after 0.7 s`` (of a 10 s timeout)."""
        return f"after {self.elapsed:.1f} s"


def reason(exc: BaseException) -> str:
    """What an exception says, or what it is when it says nothing (a bare TimeoutError)."""
    return str(exc) or type(exc).__name__


@dataclass(frozen=True)
class Options:
    """Source options (from the URI's query string, WITH (...), or keyword arguments)."""

    values: Mapping[str, str]

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.values.get(key)
        return default if value is None else str(value)

    def integer(self, key: str, default: int, *, minimum: int = 1) -> int:
        raw = self.values.get(key)
        if raw is None:
            return default
        try:
            value = int(str(raw))
        except ValueError:
            raise BadOption(f"option {key} must be a whole number, not {raw!r}") from None
        if value < minimum:
            raise BadOption(f"option {key} must be at least {minimum}, not {value}")
        return value

    def number(self, key: str, default: float) -> float:
        raw = self.values.get(key)
        if raw is None:
            return default
        try:
            value = float(str(raw))
        except ValueError:
            raise BadOption(f"option {key} must be a number, not {raw!r}") from None
        if value <= 0:
            raise BadOption(f"option {key} must be positive, not {raw}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        raw = self.values.get(key)
        if raw is None:
            return default
        lowered = str(raw).strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise BadOption(f"option {key} must be true or false, not {raw!r}")

    @property
    def sample_size(self) -> int:
        return self.integer("sample_size", int(os.environ.get("SCHEMACAT_SAMPLE_SIZE", "1000")))

    @property
    def timeout(self) -> float:
        return self.number("timeout", float(os.environ.get("SCHEMACAT_TIMEOUT", "10")))

    def deadline(self) -> Deadline:
        """The timeout, from now."""
        return Deadline(self.timeout)

    @property
    def format(self) -> str:
        return (self.text("format") or "auto").lower()


class Provider(ABC):
    """A source of schemas; subclasses serve ``schemes`` and accept ``options``."""

    schemes: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[tuple[str, ...]] = COMMON_OPTIONS

    @abstractmethod
    async def discover(self, uri: str, options: Options) -> Discovery:
        """Sample the source and infer its schema."""

    @abstractmethod
    async def sample(self, uri: str, options: Options) -> pa.Table:
        """The records discovery looks at, typed by the discovered schema."""

    @abstractmethod
    async def check(self, uri: str, options: Options) -> None:
        """Raise a ``DiscoveryError`` if the source cannot be reached."""

    async def list_objects(self, uri: str, options: Options) -> list[SourceObject] | None:
        """For a URI that names many objects (a database, a broker): what is there; None
        for a URI that names one source."""
        return None

    async def children(self, uri: str, options: Options) -> list[str] | None:
        """The names one level inside ``uri`` (a broker's topics, a database's tables, an
        S3 folder's objects and subfolders), for completing a URI being typed; None if
        the provider cannot tell."""
        return None

    def completion_scope(self, prefix: str) -> CompletionScope | None:
        """Where the names of ``children`` begin in ``prefix``, a URI being typed; None
        where this provider has nothing to offer.  Called for every Tab: no I/O."""
        return None

    def basis(self, facts: Mapping[str, Any]) -> list[str]:
        """What a stored discovery (``Discovery.facts()``) rests on, phrase by phrase, as
        DESCRIBE EXTENDED shows it: the sample, then whatever the provider adds."""
        return [sample_basis(facts)]

    async def validate(self, uri: str, schema: Schema, options: Options) -> list[Drift]:
        """How the source's data differs from ``schema``, column by column."""
        return drift(schema, await self.discover(uri, options))
