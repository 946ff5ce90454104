"""``Schema``: an immutable, ordered list of ``Field``s, with a canonical JSON form.

The canonical JSON form has sorted keys and no whitespace; list items and map
entries are written without their Arrow names (``item``/``element``,
``key``/``value``), which differ between writers but mean nothing.  The
fingerprint is the sha256 of that text without annotations (namespaced field
metadata other than Avro's names: what a tool said about a column, ``pg.type``
or ``kafka.format``, which no DDL spells): field order
matters, whitespace, Arrow naming accidents and annotations do not, so a
stream recreated from SHOW CREATE has the fingerprint it had.  Avro and JSON
Schema are read and written by their own modules, which know fields, not
schemas.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import pyarrow as pa

from catalog import avro, jsonschema
from catalog.errors import SchemaError
from catalog.field import NO_DEFAULT, Field, canonical_text

__all__ = ["NO_DEFAULT", "Field", "Schema"]

T = TypeVar("T")


class Schema:
    """An ordered, immutable list of fields; ``name`` is an optional record name (Avro)."""

    __slots__ = ("_arrow", "_canonical", "_memos", "fields", "name")
    fields: tuple[Field, ...]
    name: str | None
    _canonical: str | None
    _arrow: pa.Schema | None
    _memos: dict[str, Any]

    def __init__(self, fields: Iterable[Field] = (), name: str | None = None) -> None:
        object.__setattr__(self, "fields", tuple(fields))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_canonical", None)
        object.__setattr__(self, "_arrow", None)
        object.__setattr__(self, "_memos", {})
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

    def memo(self, key: str, make: Callable[[Schema], T]) -> T:
        """What ``make`` derives from this schema, made once (the schema is immutable):
        the views layers above keep of it, such as compatibility's index of its columns."""
        memos: dict[str, Any] = self._memos
        if key not in memos:
            memos[key] = make(self)
        found: T = memos[key]
        return found

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
            self.memo("fingerprint", _fingerprint)  # which makes the canonical text too
            text = self._canonical
            assert text is not None
        return text

    @property
    def fingerprint(self) -> str:
        return self.memo("fingerprint", _fingerprint)

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
        """The schema of an Avro record (a dict, or its JSON text)."""
        fields, name = avro.read_record(avsc)
        return cls(fields, name)

    def to_avro(self, name: str | None = None) -> dict[str, Any]:
        """An Avro record schema; what Avro cannot hold without loss is refused."""
        return avro.write_record(self.fields, name or self.name or "Record")

    @classmethod
    def from_json_schema(cls, doc: Mapping[str, Any]) -> Schema:
        """The schema of a JSON Schema that describes an object."""
        fields, title = jsonschema.read_object(doc)
        return cls(fields, title)

    def to_json_schema(self) -> dict[str, Any]:
        """A JSON Schema (draft 2020-12) of the records."""
        return jsonschema.write_object(self.fields, self.name)


def _fingerprint(schema: Schema) -> str:
    """The fingerprint, made with the canonical text (most schemas carry no annotation:
    then the text the fingerprint is taken of is the canonical text itself)."""
    data = schema.to_json()
    text = canonical_text(data)
    object.__setattr__(schema, "_canonical", text)
    stripped = _without_annotations(data)
    identity = text if stripped is data else canonical_text(stripped)
    return hashlib.sha256(identity.encode()).hexdigest()


def _without_annotations(data: Any) -> Any:
    """The canonical JSON with every field's metadata cut to what the schema itself says;
    ``data`` itself when nothing is cut."""
    if isinstance(data, list):
        items = [_without_annotations(item) for item in data]
        return data if all(a is b for a, b in zip(items, data, strict=True)) else items
    if not isinstance(data, dict):
        return data
    out = {k: _without_annotations(v) for k, v in data.items() if k != "metadata"}
    meta = data.get("metadata")
    kept = {k: v for k, v in (meta or {}).items() if _says(k)}
    if kept:
        out["metadata"] = kept
    same = all(out[k] is v for k, v in data.items() if k != "metadata")
    unchanged = "metadata" not in data or (meta and len(kept) == len(meta))
    return data if same and unchanged else out


def _says(key: str) -> bool:
    """Whether a metadata key belongs to the schema: a plain key (a message role, a tag of
    the user's) or an Avro name; a tool's namespaced note (``pg.type``, ``kafka.format``,
    ``PARQUET:field_id``) does not."""
    return key.startswith("avro.") or not any(mark in key for mark in ".:")
