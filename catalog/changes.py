"""What changed between two schema versions, and what a consumer must do about it.

``diff(old, new)`` walks both schemas (into structs, list items and map
values) and reports each added, removed, renamed (by alias), moved and retyped
column, and each change of nullability, default, comment or annotation
(metadata, aliases, the record's name when both have one).  ``summary`` is
the one line SHOW SCHEMA VERSIONS prints; ``plan`` is the ordered list of steps
a consumer of the stream takes to follow the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from catalog.schema import Field, Schema
from catalog.typerules import representable
from catalog.types import EnumType, sql_type_name
from catalog.visit import LIST, MAP, STRUCT, children, kind, partners

# The order of kinds is the order of steps in a migration plan.
KINDS = (
    "renamed",
    "added",
    "retyped",
    "nullable",
    "not_null",
    "default_changed",
    "comment_changed",
    "annotated",
    "reordered",
    "removed",
)


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    path: str
    old: str | None = None  # the old type, default, comment or name
    new: str | None = None
    # retyped: widened, narrowed, changed, or redefined (the same values, declared
    # otherwise); annotated: what (metadata keys, aliases, name)
    detail: str | None = None

    @property
    def text(self) -> str:
        """A short phrase for the one-line summary."""
        match self.kind:
            case "added":
                return f"added {self.path} {self.new}"
            case "removed":
                return f"dropped {self.path}"
            case "renamed":
                return f"renamed {self.old} to {self.path}"
            case "retyped":
                return f"{self.path} {self.old} -> {self.new} ({self.detail})"
            case "nullable":
                return f"{self.path} nullable"
            case "not_null":
                return f"{self.path} NOT NULL"
            case "default_changed":
                return f"{self.path} default {self.old} -> {self.new}"
            case "annotated":
                return f"{self.path} {self.detail} changed"
            case "reordered":
                return f"{self.path} reordered"
            case _:
                return f"{self.path} comment changed"

    @property
    def step(self) -> str:
        """What a consumer does about it."""
        match self.kind:
            case "added":
                if self.detail == "no default":
                    return f"add {self.path} ({self.new}); older records have no value for it"
                return f"add {self.path} ({self.new}); backfill older records with {self.detail}"
            case "removed":
                return f"drop reads of {self.path}"
            case "renamed":
                return f"read {self.path} where you read {self.old}"
            case "retyped" if self.detail == "widened":
                return f"widen {self.path} from {self.old} to {self.new}"
            case "retyped" if self.detail == "redefined":
                return f"declare {self.path} as {self.new}; its values read the same"
            case "retyped":
                return (
                    f"convert {self.path} from {self.old} to {self.new}; not every value converts"
                )
            case "nullable":
                return f"handle NULL in {self.path}"
            case "not_null":
                return f"{self.path} is now always set; NULL checks on it may go"
            case "default_changed":
                return f"missing {self.path} now reads as {self.new} instead of {self.old}"
            case "annotated":
                return f"check what reads the {self.detail} of {self.path}"
            case "reordered":
                return f"read {self.path} by name, not by position"
            case _:
                return f"update the documentation of {self.path}"


@dataclass(frozen=True)
class ChangeReport:
    changes: tuple[Change, ...]

    @property
    def summary(self) -> str:
        return "; ".join(c.text for c in self.changes) or "no change"

    @property
    def plan(self) -> list[str]:
        ordered = sorted(self.changes, key=lambda c: KINDS.index(c.kind))
        return [f"{i}. {c.step}" for i, c in enumerate(ordered, start=1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "changes": [c.__dict__ for c in self.changes],
            "plan": self.plan,
        }


def diff(old: Schema, new: Schema) -> ChangeReport:
    changes: list[Change] = []
    if old.name and new.name and old.name != new.name:  # a schema without one names nothing
        changes.append(Change("annotated", "the record", old.name, new.name, detail="name"))
    _fields(list(old.fields), list(new.fields), "", changes)
    return ChangeReport(tuple(changes))


def _fields(old: list[Field], new: list[Field], prefix: str, out: list[Change]) -> None:
    pairs = partners(old, new, lambda f: f.aliases)
    kept = [of.name for of, nf in pairs if of is not None and nf is not None]
    if kept != [f.name for f in old if f.name in kept]:
        out.append(Change("reordered", prefix.rstrip(".") or "the columns"))
    for of, nf in pairs:
        if nf is None:
            assert of is not None
            out.append(Change("removed", prefix + of.name, old=sql_type_name(of.type)))
            continue
        path = prefix + nf.name
        if of is None:
            default = _literal(nf.default) if nf.has_default else "no default"
            out.append(Change("added", path, new=sql_type_name(nf.type), detail=default))
            continue
        if of.name.lower() != nf.name.lower():
            out.append(Change("renamed", path, old=prefix + of.name, new=path))
        _field(of, nf, path, out)


def _field(of: Field, nf: Field, path: str, out: list[Change]) -> None:
    _types(of.type, nf.type, path, out)
    if of.nullable != nf.nullable:
        out.append(Change("nullable" if nf.nullable else "not_null", path))
    if of.default != nf.default or of.has_default != nf.has_default:
        old = _literal(of.default) if of.has_default else "none"
        new = _literal(nf.default) if nf.has_default else "none"
        out.append(Change("default_changed", path, old=old, new=new))
    if of.comment != nf.comment:
        out.append(Change("comment_changed", path, old=of.comment, new=nf.comment))
    keys = sorted(
        k for k in {*of.metadata, *nf.metadata} if of.metadata.get(k) != nf.metadata.get(k)
    )
    if set(nf.aliases) - {of.name} != set(of.aliases) - {nf.name}:
        keys.append("aliases")
    if keys:
        out.append(Change("annotated", path, detail=", ".join(keys)))


def _types(old: pa.DataType, new: pa.DataType, path: str, out: list[Change]) -> None:
    """Into structs, list items and map values when both sides have the same shape; any
    other difference of type is one retype of the whole."""
    shape = kind(old)
    if shape == kind(new) == STRUCT:
        _fields(_members(old), _members(new), f"{path}.", out)
    elif shape == kind(new) == LIST and _size(old) == _size(new):
        _item(old.value_field, new.value_field, f"{path}[]", out)
    elif shape == kind(new) == MAP and old.key_type == new.key_type:
        _item(old.item_field, new.item_field, f"{path}{{}}", out)
    elif isinstance(old, EnumType) and isinstance(new, EnumType):
        if set(old.symbols) != set(new.symbols):
            detail = "widened" if set(old.symbols) <= set(new.symbols) else "narrowed"
            out.append(Change("retyped", path, sql_type_name(old), sql_type_name(new), detail))
        elif old != new:  # the order of the symbols, or the default symbol
            out.append(Change("retyped", path, repr(old), repr(new), detail="redefined"))
    elif old != new:
        detail = "widened" if representable(new, old) is None else "narrowed"
        if detail == "narrowed" and representable(old, new) is not None:
            detail = "changed"
        out.append(Change("retyped", path, *_spelled(old, new), detail=detail))


def _spelled(old: pa.DataType, new: pa.DataType) -> tuple[str, str]:
    """The two types as SQL prints them, with Arrow's spelling where SQL's is the same
    (TIME in milliseconds and in microseconds, say)."""
    a, b = sql_type_name(old), sql_type_name(new)
    return (f"{a} ({old})", f"{b} ({new})") if a == b else (a, b)


def _item(old: pa.Field, new: pa.Field, path: str, out: list[Change]) -> None:
    _field(Field.from_arrow(old), Field.from_arrow(new), path, out)


def _members(struct: pa.DataType) -> list[Field]:
    return [Field.from_arrow(child) for child in children(struct)]


def _size(dtype: pa.DataType) -> int | None:
    return dtype.list_size if pa.types.is_fixed_size_list(dtype) else None


def _literal(value: Any) -> str:
    return "NULL" if value is None else json.dumps(value, ensure_ascii=False)
