"""Column actions: the changes ALTER STREAM makes to a schema, as values any door can build.

``apply(schema, actions)`` is the schema after the actions, in order; together
they make one version.  An action that cannot apply raises an error whose
``subject`` is ``("actions", i, part)``: the i-th action, and ``column``,
``to``, ``type`` or ``default`` for the part of it that is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from catalog.errors import InvalidRequest, did_you_mean
from catalog.field import NO_DEFAULT, Field
from catalog.schema import Schema
from catalog.types import sql_literal, sql_type_name
from catalog.visit import LEAF, STRUCT, children, kind, partners, rebuild


@dataclass(frozen=True)
class AddColumn:
    field: Field
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropColumn:
    name: str
    if_exists: bool = False


@dataclass(frozen=True)
class RenameColumn:
    """The old name stays among the column's aliases, so readers may use either."""

    name: str
    to: str


@dataclass(frozen=True)
class SetColumnType:
    name: str
    type: pa.DataType


@dataclass(frozen=True)
class SetColumnDefault:
    """``default`` is a JSON value, or ``NO_DEFAULT`` to drop the default."""

    name: str
    default: Any = NO_DEFAULT


@dataclass(frozen=True)
class SetColumnNullable:
    """``nullable=False`` is SET NOT NULL; True is DROP NOT NULL."""

    name: str
    nullable: bool


ColumnAction = (
    AddColumn | DropColumn | RenameColumn | SetColumnType | SetColumnDefault | SetColumnNullable
)


def apply(schema: Schema, actions: Sequence[ColumnAction]) -> Schema:
    """``schema`` after each action in turn."""
    for i, action in enumerate(actions):
        schema = _apply(schema, action, i)
    return schema


def _apply(schema: Schema, action: ColumnAction, i: int) -> Schema:
    fields = list(schema.fields)
    if isinstance(action, AddColumn):
        new = action.field
        if new.name in schema:
            if action.if_not_exists:
                return schema
            raise InvalidRequest(
                f"column {new.name} already exists",
                hint="use ADD COLUMN IF NOT EXISTS",
                code="COLUMN_EXISTS",
                subject=("actions", i, "column"),
            )
        return schema.replace(fields=[*fields, new])
    if isinstance(action, DropColumn):
        if action.name not in schema and action.if_exists:
            return schema
        gone = column(schema, action.name, ("actions", i, "column"))
        return schema.replace(fields=[f for f in fields if f is not gone])
    target = column(schema, action.name, ("actions", i, "column"))
    fields[schema.index(target.name)] = _changed(schema, target, action, i)
    return schema.replace(fields=fields)


def _changed(schema: Schema, target: Field, action: ColumnAction, i: int) -> Field:
    if isinstance(action, RenameColumn):
        if action.to in schema and action.to.lower() != target.name.lower():
            raise InvalidRequest(
                f"column {action.to} already exists",
                code="COLUMN_EXISTS",
                subject=("actions", i, "to"),
            )
        aliases = tuple(dict.fromkeys((*target.aliases, target.name)))
        return target.replace(name=action.to, aliases=aliases)
    if isinstance(action, SetColumnType):
        if target.has_default:
            check_default(target.default, action.type, target.name, ("actions", i, "type"))
        return target.replace(type=action.type)
    if isinstance(action, SetColumnDefault):
        if action.default is NO_DEFAULT:
            return target.replace(default=NO_DEFAULT)
        check_default(action.default, target.type, target.name, ("actions", i, "default"))
        if action.default is None and not target.nullable:
            raise InvalidRequest(
                f"column {target.name} is NOT NULL; its default cannot be NULL",
                code="BAD_DEFAULT",
                subject=("actions", i, "default"),
            )
        return target.replace(default=action.default)
    assert isinstance(action, SetColumnNullable)
    if not action.nullable:
        default = NO_DEFAULT if target.has_default and target.default is None else target.default
        return target.replace(nullable=False, default=default)
    # a nullable column reads as NULL where it is missing, as in SQL
    return target.replace(nullable=True, default=target.default if target.has_default else None)


def column(schema: Schema, name: str, subject: tuple[str | int, ...]) -> Field:
    """The column ``name``, or an error naming the closest column."""
    if name in schema:
        return schema.field(name)
    raise InvalidRequest(
        f"no column {name}",
        hint=did_you_mean(name, schema.names) or f"the columns are {', '.join(schema.names)}",
        code="UNKNOWN_COLUMN",
        subject=subject,
    )


def check_default(
    default: Any, dtype: pa.DataType, column: str, subject: tuple[str | int, ...] | None = None
) -> None:
    """Raise ``BAD_DEFAULT`` unless ``default`` (a JSON value) is a value of ``dtype``."""
    if default is None or pa.types.is_nested(dtype) or isinstance(dtype, pa.BaseExtensionType):
        return
    try:
        if isinstance(default, bool) != pa.types.is_boolean(dtype):
            raise pa.ArrowInvalid("booleans are only for BOOLEAN")
        if pa.types.is_temporal(dtype) and isinstance(default, str):
            import pyarrow.compute as pc

            pc.cast(pa.array([default]), dtype)
        elif pa.types.is_decimal(dtype):
            pa.array([Decimal(str(default))], dtype)
        else:
            pa.array([default], dtype)
    except (
        pa.ArrowInvalid,
        pa.ArrowNotImplementedError,
        pa.ArrowTypeError,
        InvalidOperation,
        OverflowError,
    ):
        raise InvalidRequest(
            f"DEFAULT {sql_literal(default)} is not a {sql_type_name(dtype)} (column {column})",
            hint=f"give a {sql_type_name(dtype)} value",
            code="BAD_DEFAULT",
            subject=subject,
        ) from None


def follow(found: Schema, registered: Schema) -> Schema:
    """A source's schema as the registered one has it: columns (and the fields of nested
    structs) in the registered order, then new ones in the source's; a column the stream
    renamed under its registered name and aliases; a comment or default given in the
    catalog kept where the source has none (a source's NULL default is no default of
    its own).  So looking at an unchanged source again gives the registered schema,
    whatever order its records brought the fields in."""
    return Schema(_follow(list(found.fields), list(registered.fields)), found.name)


def _follow(found: list[Field], registered: list[Field]) -> list[Field]:
    out = []
    for source, known in partners(found, registered, lambda f: f.aliases):
        if source is None:
            continue  # gone from the source
        if known is None:
            out.append(source)
            continue
        kept_default = known.has_default and source.default is None and source.type == known.type
        out.append(
            source.replace(
                name=known.name,
                aliases=known.aliases,
                comment=source.comment if source.comment is not None else known.comment,
                default=known.default if kept_default else source.default,
                type=_follow_type(source.type, known.type),
            )
        )
    return out


def _follow_type(found: pa.DataType, registered: pa.DataType) -> pa.DataType:
    shape = kind(found)
    if shape != kind(registered) or shape == LEAF:
        return found
    if shape == STRUCT:
        fields = _follow(
            [Field.from_arrow(f) for f in children(found)],
            [Field.from_arrow(f) for f in children(registered)],
        )
        return rebuild(found, [f.to_arrow() for f in fields])
    inner = [
        f.with_type(_follow_type(f.type, r.type))
        for f, r in zip(children(found), children(registered), strict=False)
    ]
    return rebuild(found, inner)
