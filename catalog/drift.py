"""Drift: how a source's data has moved away from the schema registered for it."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.schema import Schema
from catalog.types import sql_type_name

STATUSES = ("ok", "missing_in_source", "new_in_source", "type_changed")


@dataclass(frozen=True)
class Drift:
    column: str
    registered_type: str | None
    observed_type: str | None
    status: str  # one of STATUSES


def drift(registered: Schema, observed: Schema) -> list[Drift]:
    """One row per column of either schema: registered columns first, in their order."""
    rows = []
    for field in registered:
        registered_type = sql_type_name(field.type)
        if field.name not in observed:
            rows.append(Drift(field.name, registered_type, None, "missing_in_source"))
            continue
        observed_type = sql_type_name(observed.field(field.name).type)
        status = "ok" if observed_type == registered_type else "type_changed"
        rows.append(Drift(field.name, registered_type, observed_type, status))
    for field in observed:
        if field.name not in registered:
            rows.append(Drift(field.name, None, sql_type_name(field.type), "new_in_source"))
    return rows
