"""``Schema`` and ``Field``: immutable, over pyarrow types, with a canonical JSON form.

A field's default is kept apart from "no default" (``NO_DEFAULT``), because in
Avro a field without a default cannot be added compatibly while one whose
default is null can.  Nested fields are ``pyarrow.Field`` objects; their
default, comment and aliases travel in the field metadata under the
``schemacat:`` keys, so a nested field carries exactly what a top-level one does.

The canonical JSON form has sorted keys and no whitespace; list items and map
entries are written without their Arrow names (``item``/``element``,
``key``/``value``), which differ between writers but mean nothing.  The
fingerprint is the sha256 of that text: field order matters, whitespace and
Arrow naming accidents do not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import pyarrow as pa

from catalog.errors import SchemaError
from catalog.typejson import type_from_json, type_to_json
from catalog.types import sql_type_name


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
        except (KeyError, TypeError) as exc:
            raise SchemaError(f"malformed field in canonical JSON: {data!r}") from exc

    def replace(self, **changes: Any) -> Field:
        return replace(self, **changes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Field) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(_canonical_text(self.to_json()))


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


class Schema:
    """An ordered, immutable list of fields; ``name`` is an optional record name (Avro)."""

    __slots__ = ("_arrow", "_canonical", "fields", "name")
    fields: tuple[Field, ...]
    name: str | None
    _canonical: str | None
    _arrow: pa.Schema | None

    def __init__(self, fields: Iterable[Field] = (), name: str | None = None) -> None:
        object.__setattr__(self, "fields", tuple(fields))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_canonical", None)
        object.__setattr__(self, "_arrow", None)
        seen: dict[str, str] = {}
        for f in self.fields:
            if not isinstance(f, Field):
                raise SchemaError(f"expected a Field, got {f!r}")
            if f.name.lower() in seen:
                raise SchemaError(
                    f"duplicate column name {f.name!r} (same as {seen[f.name.lower()]!r})",
                    hint="column names are case-insensitive; rename one of them",
                )
            seen[f.name.lower()] = f.name

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Schema is immutable; use replace()")

    # -- access ---------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The field called ``name`` (case-insensitive)."""
        for f in self.fields:
            if f.name.lower() == name.lower():
                return f
        raise KeyError(name)

    def index(self, name: str) -> int:
        return next(i for i, f in enumerate(self.fields) if f.name.lower() == name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(f.name.lower() == name.lower() for f in self.fields)

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __getitem__(self, key: int | str) -> Field:
        return self.fields[key] if isinstance(key, int) else self.field(key)

    def replace(self, **changes: Any) -> Schema:
        return Schema(changes.get("fields", self.fields), changes.get("name", self.name))

    # -- canonical form ----------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fields": [f.to_json() for f in self.fields]}
        if self.name is not None:
            out["name"] = self.name
        return out

    @classmethod
    def from_json(cls, data: str | bytes | Mapping[str, Any]) -> Schema:
        if isinstance(data, str | bytes):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise SchemaError(f"the schema is not valid JSON: {exc}") from None
        if not isinstance(data, Mapping) or not isinstance(data.get("fields"), list):
            raise SchemaError("a canonical schema is a JSON object with a 'fields' list")
        return cls((Field.from_json(f) for f in data["fields"]), data.get("name"))

    @property
    def canonical(self) -> str:
        """The canonical JSON text: sorted keys, no whitespace (computed once)."""
        text: str | None = self._canonical
        if text is None:
            text = _canonical_text(self.to_json())
            object.__setattr__(self, "_canonical", text)
        return text

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.canonical.encode()).hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schema) and self.canonical == other.canonical

    def __hash__(self) -> int:
        return hash(self.canonical)

    def __repr__(self) -> str:
        cols = ", ".join(f"{f.name} {f.sql_type}" for f in self.fields)
        return f"Schema({cols})"

    # -- Arrow, Avro, JSON Schema ------------------------------------------------
    def to_arrow(self) -> pa.Schema:
        """The Arrow schema, with defaults, comments and aliases in field metadata (built once)."""
        arrow: pa.Schema | None = self._arrow
        if arrow is None:
            meta = {b"schemacat:name": self.name.encode()} if self.name else None
            arrow = pa.schema([f.to_arrow() for f in self.fields], metadata=meta)
            object.__setattr__(self, "_arrow", arrow)
        return arrow

    @classmethod
    def from_arrow(cls, schema: pa.Schema) -> Schema:
        """Fields and our own metadata; other schema metadata (pandas', Arrow's) is dropped."""
        name = (schema.metadata or {}).get(b"schemacat:name")
        return cls((Field.from_arrow(f) for f in schema), name.decode() if name else None)

    @classmethod
    def from_avro(cls, avsc: str | Mapping[str, Any]) -> Schema:
        from catalog.avro import schema_from_avro

        return schema_from_avro(avsc)

    def to_avro(self, name: str | None = None) -> dict[str, Any]:
        from catalog.avro import schema_to_avro

        return schema_to_avro(self, name)

    def to_json_schema(self) -> dict[str, Any]:
        from catalog.jsonschema import schema_to_json_schema

        return schema_to_json_schema(self)


def _canonical_text(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
