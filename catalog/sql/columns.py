"""Between SQL nodes and the catalog: column definitions to fields, literals to values,
WITH lists to options, and errors placed where the part they are about was written.

A nullable column declared without DEFAULT defaults to NULL, as in SQL (Avro
imports keep "no default" distinct).  KEY, HEADERS and HEADER('k') columns
carry their role in the field's metadata (``field.ROLE``), as the Kafka provider's
discoveries do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import pyarrow as pa
from sqlglot import exp

from catalog.errors import SchemacatError, SqlError, TypeParseError
from catalog.evolve import check_default
from catalog.field import (
    HEADER,
    HEADER_ROLE,
    HEADERS_ROLE,
    KEY_ROLE,
    NO_DEFAULT,
    ROLE,
    Field,
)
from catalog.infer import discovered_schema
from catalog.sql import nodes as n
from catalog.types import arrow_type, quote_identifier, sql_literal, sql_type_name

E = TypeVar("E", bound=SchemacatError)

_ACTION_PARTS = {"column": "this", "to": "to", "type": "kind", "default": "default"}


def at(error: E, node: exp.Expr | None) -> E:
    """``error``, placed at ``node`` in the statement."""
    if node is not None and error.offset is None:
        error.offset = node.meta.get("start")
    return error


def place(error: SchemacatError, node: exp.Expression) -> None:
    """Place ``error`` at the part of the statement ``node`` its ``subject`` names."""
    subject = error.subject
    if not subject:
        return
    if subject == ("query",):  # the offset is in the query's text
        error.offset = (error.offset or 0) + node.args["query"].meta.get("start", 0)
    elif error.offset is None:
        at(error, locate(node, subject))


def locate(node: exp.Expression, subject: tuple[str | int, ...]) -> exp.Expression | None:
    """The node of the statement that ``subject`` (``SchemacatError.subject``) is about."""
    head, *rest = subject
    if head in ("name", "key", "broker"):
        found: exp.Expression | None = node.this
        return found
    if head in ("value", "version"):
        return node.args.get(str(head))
    if head == "options" and rest:
        for option in _options(node):
            if option.name.lower() == str(rest[0]).lower():
                return option.args["value"] if rest[1:] == ["value"] else option
    if head == "actions" and rest:
        action: exp.Expression = node.args["actions"][int(rest[0])]
        part = _ACTION_PARTS.get(str(rest[1])) if len(rest) > 1 else None
        return action.args.get(part) if part else action
    return None


def _options(node: exp.Expression) -> Sequence[n.Option]:
    """The WITH list of a statement, or the SET list of its (one) ALTER action."""
    options = node.args.get("options")
    if options is None and node.args.get("actions"):
        options = node.args["actions"][0].args.get("options")
    return options or ()


def option_values(options: Sequence[n.Option] | None) -> dict[str, str | None]:
    """A WITH list as the catalog takes options: key as written -> value as text."""
    return {option.name: option_text(option.args["value"]) for option in options or ()}


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
    """The declared type; its nullable struct fields default to NULL, as a nullable column
    without DEFAULT does (and as discovery makes them), so a stream recreated from its DDL
    has the fingerprint it had."""
    kind = column.args["kind"] if isinstance(column, n.StreamColumn) else column
    try:
        dtype = arrow_type(kind)
    except TypeParseError as exc:
        raise at(exc, kind) from None
    declared = pa.schema([pa.field("column", dtype)])
    return discovered_schema(declared, keep_nullability=True)[0].type


def field(column: n.StreamColumn) -> Field:
    """The field a column definition declares."""
    dtype = field_type(column)
    nullable = not column.args.get("not_null")
    default_node = column.args.get("default")
    if default_node is not None:
        default = value(default_node)
        try:
            check_default(default, dtype, column.name)
        except SchemacatError as exc:
            raise at(exc, default_node) from None
    else:
        default = None if nullable else NO_DEFAULT
    if default is None and not nullable:
        raise at(
            SqlError(f"column {column.name} is NOT NULL with DEFAULT NULL", code="BAD_DEFAULT"),
            column,
        )
    comment = column.args.get("comment")
    aliases = tuple(dict.fromkeys(str(value(a)) for a in column.args.get("aliases") or ()))
    try:
        return Field(
            column.name,
            dtype,
            nullable,
            default,
            comment=str(value(comment)) if comment is not None else None,
            aliases=aliases,
            metadata=_role(column),
        )
    except SchemacatError as exc:
        raise at(exc, column.args["kind"]) from None


def _role(column: n.StreamColumn) -> dict[str, str]:
    role = column.args.get("role")
    if role == "KEY":
        return {ROLE: KEY_ROLE}
    if role == "HEADERS":
        return {ROLE: HEADERS_ROLE}
    if role == "HEADER":
        return {ROLE: HEADER_ROLE, HEADER: str(value(column.args["header"]))}
    return {}


def default_text(f: Field) -> str | None:
    """What DESCRIBE shows as a column's default: a literal, or what the database it was
    found in generates (marked, for it is no value a reader of the stream may assume)."""
    if f.has_default and not (f.default is None and f.nullable):  # DEFAULT NULL goes without saying
        return sql_literal(f.default)
    generated = f.metadata.get("pg.default")
    return f"database: {generated}" if generated else None


_ROLE_WORDS = {KEY_ROLE: "KEY", HEADERS_ROLE: "HEADERS", HEADER_ROLE: "HEADER"}


def role_marker(f: Field, *, lower: bool = False) -> str | None:
    """Where a Kafka column comes from when not the value: ``KEY``, ``HEADERS`` or
    ``HEADER('k')``, as CREATE STREAM writes it."""
    role = f.metadata.get(ROLE)
    word = _ROLE_WORDS.get(role or "")
    if word is None:
        return None
    word = word.lower() if lower else word
    if role == HEADER_ROLE:
        return f"{word}({sql_literal(f.metadata.get(HEADER, ''))})"
    return word


def described_type(f: Field) -> str:
    """DESCRIBE's type: the SQL type, then where the column comes from as ksqlDB's
    DESCRIBE says it (``BIGINT (key)``)."""
    marker = role_marker(f, lower=True)
    return f"{f.sql_type} ({marker})" if marker else f.sql_type


def column_ddl(f: Field) -> str:
    """The column as it is written in CREATE STREAM."""
    parts = [quote_identifier(f.name), sql_type_name(f.type)]
    if marker := role_marker(f):
        parts.append(marker)
    if not f.nullable:
        parts.append("NOT NULL")
    if f.has_default and not (f.default is None and f.nullable):
        parts.append(f"DEFAULT {sql_literal(f.default)}")
    if f.comment is not None:
        parts.append(f"COMMENT {sql_literal(f.comment)}")
    if f.aliases:
        parts.append(f"ALIASES ({', '.join(sql_literal(a) for a in f.aliases)})")
    return " ".join(parts)
