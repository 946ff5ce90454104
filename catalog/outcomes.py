"""What the Catalog's operations return, beyond stored records: what a change did, what
a SET changed, and a stream as DESCRIBE shows it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from catalog.compat import CompatibilityResult
from catalog.discovery import Discovery
from catalog.infer.stats import ColumnStats
from catalog.store import SchemaVersion, StreamRecord


@dataclass(frozen=True)
class Registered(SchemaVersion):
    """What a create, alter or refresh did: the stream's latest version after it, the
    latest before it (None for a new stream), and the discovery it rests on, if any."""

    previous: int | None = None
    found: Discovery | None = None

    @property
    def changed(self) -> bool:
        """Whether a version was registered."""
        return self.previous != self.version

    @classmethod
    def of(
        cls, version: SchemaVersion, previous: int | None, found: Discovery | None = None
    ) -> Registered:
        values = {f.name: getattr(version, f.name) for f in dataclasses.fields(SchemaVersion)}
        return cls(**values, previous=previous, found=found)


@dataclass(frozen=True)
class Updated:
    """What ALTER STREAM ... SET did: the stream after it, each setting that changed (its
    new value as it may be shown), the secret options given, which are never kept, and,
    for a new compatibility mode, each registered version the mode's check fails on (a
    mode the history already breaks is set, but every new version is then checked
    against those versions too)."""

    stream: StreamRecord
    changed: dict[str, str]
    not_kept: tuple[str, ...] = ()
    broken: tuple[tuple[int, CompatibilityResult], ...] = ()


@dataclass(frozen=True)
class Description:
    """A stream at one version; with ``extended``, the statistics and basis of the newest
    discovery up to that version (an ALTER keeps the data's statistics)."""

    stream: StreamRecord
    version: SchemaVersion
    stats: Mapping[str, ColumnStats]
    basis: str | None
