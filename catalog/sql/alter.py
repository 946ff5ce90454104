"""ALTER STREAM (column actions, SET, REFRESH) and VALIDATE STREAM: each one Catalog call."""

from __future__ import annotations

from sqlglot import exp

from catalog.core import Catalog, Registered
from catalog.discovery import with_notes
from catalog.evolve import (
    AddColumn,
    ColumnAction,
    DropColumn,
    RenameColumn,
    SetColumnDefault,
    SetColumnNullable,
    SetColumnType,
)
from catalog.field import NO_DEFAULT
from catalog.result import Result
from catalog.sql import nodes as n
from catalog.sql.columns import field, field_type, option_values, value

VALIDATE_COLUMNS = ("column", "registered_type", "observed_type", "status")


async def alter_stream(catalog: Catalog, node: n.AlterStream) -> list[Result]:
    actions = node.args["actions"]
    if isinstance(actions[0], n.SetStreamOptions):
        updated = await catalog.set_options(node.name, option_values(actions[0].args["options"]))
        changed = ", ".join(f"{k} = {v}" for k, v in updated.changed.items())
        return [_said(f"stream {updated.stream.name}: {changed or 'nothing changed'}")]
    if isinstance(actions[0], n.RefreshStream):
        refreshed = await catalog.refresh(node.name)
        notes = refreshed.found.notes if refreshed.found is not None else ()
        return [_said(with_notes(_outcome(refreshed, "unchanged after refresh"), notes))]
    altered = await catalog.alter(node.name, [column_action(a) for a in actions])
    return [_said(_outcome(altered, "unchanged"))]


def _outcome(registered: Registered, unchanged: str) -> str:
    if not registered.changed:
        return f"stream {registered.stream}: {unchanged} (version {registered.version})"
    return f"stream {registered.stream}: version {registered.version} ({registered.change})"


def _said(message: str) -> Result:
    return Result("ALTER STREAM", message=message)


def column_action(action: exp.Expression) -> ColumnAction:
    """The catalog's column action for an action node of ALTER STREAM."""
    name = action.this.name
    if isinstance(action, n.AddColumn):
        return AddColumn(field(action.this), bool(action.args.get("exists")))
    if isinstance(action, n.DropColumn):
        return DropColumn(name, bool(action.args.get("exists")))
    if isinstance(action, n.RenameColumn):
        return RenameColumn(name, action.args["to"].name)
    if isinstance(action, n.AlterColumnType):
        return SetColumnType(name, field_type(action.args["kind"]))
    if isinstance(action, n.AlterColumnDefault):
        default = action.args.get("default")
        return SetColumnDefault(name, NO_DEFAULT if default is None else value(default))
    return SetColumnNullable(name, nullable=not action.args.get("not_null"))


async def validate_stream(catalog: Catalog, node: n.ValidateStream) -> list[Result]:
    rows = [
        (d.column, d.registered_type, d.observed_type, d.status)
        for d in await catalog.validate(node.name)
    ]
    return [Result("VALIDATE STREAM", VALIDATE_COLUMNS, rows)]
