"""Columns between SQL and ``Field``: definitions to fields, literals to defaults, and back to DDL.

A nullable column declared without DEFAULT defaults to NULL, as in SQL (Avro
imports keep "no default" distinct).  KEY, HEADERS and HEADER('k') columns
carry ``kafka`` metadata, as the Kafka provider's discoveries do.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from catalog.core import Catalog
from catalog.errors import (
    SchemacatError,
    SqlError,
    StreamNotFound,
    TypeParseError,
    did_you_mean,
)
from catalog.schema import NO_DEFAULT, Field, Schema
from catalog.sql import nodes as n
from catalog.store import StreamRecord
from catalog.types import arrow_type, quote_identifier, sql_type_name

E = TypeVar("E", bound=SchemacatError)


def at(error: E, node: exp.Expr | None) -> E:
    """``error``, placed at ``node`` in the statement."""
    if node is not None and error.offset is None:
        error.offset = node.meta.get("start")
    return error


def value(node: exp.Expression | None) -> Any:
    """A literal node as a Python (JSON) value."""
    if node is None or isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        text = str(node.this)
        return int(text) if node.is_int else float(text)
    return str(node.this)


def option_text(node: exp.Expression) -> str | None:
    raw = value(node)
    if raw is None:
        return None
    return ("true" if raw else "false") if isinstance(raw, bool) else str(raw)


def field_type(column: n.StreamColumn | exp.DataType) -> pa.DataType:
    kind = column.args["kind"] if isinstance(column, n.StreamColumn) else column
    try:
        return arrow_type(kind)
    except TypeParseError as exc:
        raise at(exc, kind) from None


def field(column: n.StreamColumn) -> Field:
    dtype = field_type(column)
    nullable = not column.args.get("not_null")
    default_node = column.args.get("default")
    if default_node is not None:
        default = checked_default(value(default_node), dtype, column.name, default_node)
    else:
        default = None if nullable else NO_DEFAULT
    if default is None and not nullable:
        raise at(
            SqlError(f"column {column.name} is NOT NULL with DEFAULT NULL", code="BAD_DEFAULT"),
            column,
        )
    comment = column.args.get("comment")
    return Field(
        column.name,
        dtype,
        nullable,
        default,
        comment=str(value(comment)) if comment is not None else None,
        metadata=_role(column),
    )


def _role(column: n.StreamColumn) -> dict[str, str]:
    role = column.args.get("role")
    if role == "KEY":
        return {"kafka": "key"}
    if role == "HEADERS":
        return {"kafka": "headers"}
    if role == "HEADER":
        return {"kafka": "header", "kafka.header": str(value(column.args["header"]))}
    return {}


def checked_default(default: Any, dtype: pa.DataType, column: str, node: exp.Expression) -> Any:
    """``default`` if it is a value of ``dtype``; an error placed at ``node`` if not."""
    if default is None or pa.types.is_nested(dtype) or isinstance(dtype, pa.BaseExtensionType):
        return default
    try:
        if isinstance(default, bool) != pa.types.is_boolean(dtype):
            raise pa.ArrowInvalid("booleans are only for BOOLEAN")
        if pa.types.is_temporal(dtype) and isinstance(default, str):
            pc.cast(pa.array([default]), dtype)
        elif pa.types.is_decimal(dtype):
            pa.array([Decimal(str(default))], dtype)
        else:
            pa.array([default], dtype)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, InvalidOperation):
        raise at(
            SqlError(
                f"DEFAULT {literal(default)} is not a {sql_type_name(dtype)} (column {column})",
                hint=f"give a {sql_type_name(dtype)} value",
                code="BAD_DEFAULT",
            ),
            node,
        ) from None
    return default


def literal(default: Any) -> str:
    """A default as a SQL literal."""
    if default is None:
        return "NULL"
    if isinstance(default, bool):
        return "TRUE" if default else "FALSE"
    if isinstance(default, int | float):
        return json.dumps(default)
    text = default if isinstance(default, str) else json.dumps(default)
    return "'" + text.replace("'", "''") + "'"


def default_text(f: Field) -> str | None:
    """What DESCRIBE shows as a column's default: a literal, or a database's own expression."""
    if f.has_default and not (f.default is None and f.nullable):  # DEFAULT NULL goes without saying
        return literal(f.default)
    return f.metadata.get("pg.default")


def column_ddl(f: Field) -> str:
    """The column as it is written in CREATE STREAM."""
    parts = [quote_identifier(f.name), sql_type_name(f.type)]
    role = f.metadata.get("kafka")
    if role == "key":
        parts.append("KEY")
    elif role == "headers":
        parts.append("HEADERS")
    elif role == "header":
        parts.append(f"HEADER({literal(f.metadata.get('kafka.header', ''))})")
    if not f.nullable:
        parts.append("NOT NULL")
    if f.has_default and not (f.default is None and f.nullable):
        parts.append(f"DEFAULT {literal(f.default)}")
    if f.comment is not None:
        parts.append(f"COMMENT {literal(f.comment)}")
    return " ".join(parts)


def find(schema: Schema, name: exp.Identifier) -> Field:
    """The column ``name``, or an error at it naming the closest column."""
    if name.name in schema:
        return schema.field(name.name)
    raise at(
        SqlError(
            f"no column {name.name}",
            hint=did_you_mean(name.name, schema.names)
            or f"the columns are {', '.join(schema.names)}",
            code="UNKNOWN_COLUMN",
        ),
        name,
    )


async def stream_of(catalog: Catalog, node: exp.Expression) -> StreamRecord:
    """The stream a statement names, or an error at its name."""
    try:
        return await catalog.stream(node.name)
    except StreamNotFound as exc:
        raise at(exc, node.this) from None
