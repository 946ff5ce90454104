"""Drift: how a source's data has moved away from the schema registered or declared for it."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from catalog.compat import can_read
from catalog.field import HEADER_ROLE, HEADERS_ROLE, KEY_ROLE, ROLE, Field
from catalog.schema import Schema
from catalog.typerules import category, representable
from catalog.types import sql_type_name

_TEXT_FROM_STRINGS = ("date", "time", "timestamp", "uuid")

STATUSES = ("ok", "missing_in_source", "new_in_source", "type_changed")


@dataclass(frozen=True)
class Drift:
    column: str
    registered_type: str | None
    observed_type: str | None
    status: str  # one of STATUSES


def drift(registered: Schema, observed: Schema) -> list[Drift]:
    """One row per column of either schema: registered columns first, in their order.  A
    renamed column is found in the source by its name or by any of its aliases (the
    newest first), as a reader of the stream would find it."""
    rows, matched = [], set()
    for field in registered:
        registered_type = sql_type_name(field.type)
        source = next(
            (observed.field(n) for n in (field.name, *reversed(field.aliases)) if n in observed),
            None,
        )
        if source is None:
            rows.append(Drift(field.name, registered_type, None, "missing_in_source"))
            continue
        matched.add(source.name)
        observed_type = sql_type_name(source.type)
        status = "ok" if observed_type == registered_type else "type_changed"
        rows.append(Drift(field.name, registered_type, observed_type, status))
    for field in observed:
        if field.name not in matched:
            rows.append(Drift(field.name, None, sql_type_name(field.type), "new_in_source"))
    return rows


def declared_mismatches(declared: Schema, found: Schema) -> list[str]:
    """Why declared columns do not match a discovery of their source, one phrase each:
    every declared column must be in the source, with a type that reads the source's."""
    problems = []
    for column in declared:
        source = _counterpart(column, found)
        if source is None:
            problems.append(f"{column.name} is not in the source")
        elif not _reads(column, source):
            problems.append(
                f"{column.name} is declared {column.sql_type} but the source has {source.sql_type}"
            )
    return problems


def _counterpart(column: Field, found: Schema) -> Field | None:
    role = column.metadata.get(ROLE)
    if role in (KEY_ROLE, HEADERS_ROLE):
        return next((f for f in found if f.metadata.get(ROLE) == role), None)
    if role == HEADER_ROLE:
        return column  # headers are read as they come; there is nothing to compare
    names = (column.name, *reversed(column.aliases))
    return next((found.field(n) for n in names if n in found), None)


def _reads(column: Field, source: Field) -> bool:
    if category(column.type) == "string" and category(source.type) in _TEXT_FROM_STRINGS:
        return True  # dates and UUIDs in JSON and CSV are text on the wire
    if not pa.types.is_nested(column.type):
        return representable(column.type, source.type) is None
    reader = Schema([column.replace(name="c", nullable=True)])
    writer = Schema([source.replace(name="c")])
    return not [i for i in can_read(reader, writer) if i.kind != "NULLABILITY_TIGHTENED"]
