"""``Field``: one named, typed column over a pyarrow type, with its default, comment and aliases.

A field keeps the canonical form of its type (``visit.canonical``): a large or
view variant, a dictionary, a DATE in milliseconds are kept as the plain type
they stand for, so that two fields that print alike are alike.

A field's default is kept apart from "no default" (``NO_DEFAULT``), because in
Avro a field without a default cannot be added compatibly while one whose
default is null can.  Nested fields are ``pyarrow.Field`` objects; their
default, comment and aliases travel in the field metadata under the
``schemacat:`` keys, so a nested field carries exactly what a top-level one does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import pyarrow as pa

from catalog.errors import SchemaError
from catalog.typejson import type_from_json, type_to_json
from catalog.types import sql_type_name
from catalog.visit import MAX_DEPTH, canonical, depth


class _NoDefault:
    """The absence of a default; distinct from a default of null (``None``)."""

    _instance: _NoDefault | None = None

    def __new__(cls) -> _NoDefault:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __reduce__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Final = _NoDefault()

#: Where in a message a column comes from, in ``Field.metadata``: ``role`` is ``key``
#: (the message's key), ``headers`` (all its headers) or ``header`` (the one header
#: named by ``header``); a column without a role is (part of) the value.  SQL writes
#: them KEY, HEADERS and HEADER('name'), as ksqlDB does.
ROLE, HEADER = "role", "header"

MAX_NAME = 255  # characters in a column's name
KEY_ROLE, HEADERS_ROLE, HEADER_ROLE = "key", "headers", "header"

_DEFAULT = b"schemacat:default"
_COMMENT = b"schemacat:comment"
_ALIASES = b"schemacat:aliases"
_OWN_KEYS = (_DEFAULT, _COMMENT, _ALIASES)


@dataclass(frozen=True, eq=False)
class Field:
    """A named, typed column.  ``default`` is a JSON value, or ``NO_DEFAULT``."""

    name: str
    type: pa.DataType
    nullable: bool = True
    default: Any = NO_DEFAULT
    comment: str | None = None
    aliases: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise SchemaError(f"a field needs a non-empty name, got {self.name!r}")
        if not isinstance(self.type, pa.DataType):
            raise SchemaError(f"field {self.name!r}: expected a pyarrow type, got {self.type!r}")
        if len(self.name) > MAX_NAME:
            raise SchemaError(
                f"a column's name is at most {MAX_NAME} characters, not {len(self.name)}"
            )
        levels = depth(self.type)
        if levels > MAX_DEPTH:
            raise SchemaError(
                f"column {self.name} nests types {levels} levels deep; schemacat keeps at most "
                f"{MAX_DEPTH}",
                hint="flatten the type, or keep the deep part as JSON",
            )
        object.__setattr__(self, "type", canonical(self.type))

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT

    @property
    def sql_type(self) -> str:
        """The type as DuckDB prints it."""
        return sql_type_name(self.type)

    def to_arrow(self) -> pa.Field:
        meta: dict[bytes, bytes] = {k.encode(): v.encode() for k, v in self.metadata.items()}
        if self.has_default:
            meta[_DEFAULT] = json.dumps(self.default, ensure_ascii=False).encode()
        if self.comment is not None:
            meta[_COMMENT] = self.comment.encode()
        if self.aliases:
            meta[_ALIASES] = json.dumps(list(self.aliases), ensure_ascii=False).encode()
        return pa.field(self.name, self.type, self.nullable, metadata=meta or None)

    @classmethod
    def from_arrow(cls, pa_field: pa.Field) -> Field:
        meta = dict(pa_field.metadata or {})
        default = json.loads(meta[_DEFAULT]) if _DEFAULT in meta else NO_DEFAULT
        comment = meta[_COMMENT].decode() if _COMMENT in meta else None
        aliases = tuple(json.loads(meta[_ALIASES])) if _ALIASES in meta else ()
        rest = {k.decode(): v.decode() for k, v in meta.items() if k not in _OWN_KEYS}
        return cls(pa_field.name, pa_field.type, pa_field.nullable, default, comment, aliases, rest)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": type_to_json(self.type, field_to_json),
            "nullable": self.nullable,
        }
        if self.has_default:
            out["default"] = self.default
        if self.comment is not None:
            out["comment"] = self.comment
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Field:
        try:
            return cls(
                name=data["name"],
                type=type_from_json(data["type"], field_from_json),
                nullable=bool(data.get("nullable", True)),
                default=data.get("default", NO_DEFAULT),
                comment=data.get("comment"),
                aliases=tuple(data.get("aliases", ())),
                metadata=dict(data.get("metadata", {})),
            )
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            raise SchemaError(f"malformed field in canonical JSON: {str(data)[:200]}") from None

    def replace(self, **changes: Any) -> Field:
        return replace(self, **changes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Field) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(canonical_text(self.to_json()))


def arrow_field_has_default(pa_field: pa.Field) -> bool:
    """``Field.from_arrow(f).has_default``, without decoding the field."""
    return bool(pa_field.metadata) and _DEFAULT in pa_field.metadata


def arrow_field_aliases(pa_field: pa.Field) -> tuple[str, ...]:
    """``Field.from_arrow(f).aliases``, decoding only the aliases."""
    if not pa_field.metadata or _ALIASES not in pa_field.metadata:
        return ()
    return tuple(json.loads(pa_field.metadata[_ALIASES]))


def field_to_json(pa_field: pa.Field) -> dict[str, Any]:
    """Canonical JSON of a nested Arrow field."""
    return Field.from_arrow(pa_field).to_json()


def field_from_json(data: Mapping[str, Any]) -> pa.Field:
    return Field.from_json(data).to_arrow()


def canonical_text(data: Any) -> str:
    """JSON with sorted keys and no whitespace: the text fingerprints are taken of."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
