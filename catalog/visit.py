"""Walking nested Arrow types: the one place that knows what each nested type holds.

A type is a leaf, or nested: a ``struct`` holds fields, a ``list`` (every list
variant: plain, large, fixed-size and the views) its item field, a ``map`` its
key and value fields, a ``union`` its branches.  ``children`` and ``rebuild``
take a nested type apart and put it together again; ``transform`` rewrites a
type bottom-up; ``TypeVisitor`` folds one into a value (a SQL spelling, a JSON
form ...).  Walkers of two types side by side (compatibility, change reports,
merges) pair struct fields with ``partners``, by name or alias.

``canonical`` is the one form of each type that every ``Field`` keeps: large
and view variants become their plain twins, a dictionary its value type, DATE
with milliseconds a DATE, decimals the narrowest of decimal128 and decimal256
that holds them, and list items and map entries take Arrow's standard names.
Two types with one canonical form differ in how Arrow lays them out in memory,
not in the values they hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

import pyarrow as pa

T = TypeVar("T")
F = TypeVar("F", bound="Named")


class Named(Protocol):
    @property
    def name(self) -> str: ...


LEAF, STRUCT, LIST, MAP, UNION = "leaf", "struct", "list", "map", "union"
MAX_DEPTH = 64  # how deep types may nest: STRUCT(a STRUCT(b INT)[]) is 4 deep

_LIST_IDS = {
    t.id for t in (pa.list_(pa.null()), pa.large_list(pa.null()), pa.list_(pa.null(), 1))
} | {pa.list_view(pa.null()).id, pa.large_list_view(pa.null()).id}
_UNION_IDS = {pa.dense_union([]).id, pa.sparse_union([]).id}
_PLAIN = {
    pa.large_string(): pa.string(),
    pa.string_view(): pa.string(),
    pa.large_binary(): pa.binary(),
    pa.binary_view(): pa.binary(),
    pa.date64(): pa.date32(),
}


def kind(dtype: pa.DataType) -> str:
    """``struct``, ``list``, ``map``, ``union``, or ``leaf`` (extension types are leaves)."""
    if isinstance(dtype, pa.BaseExtensionType):
        return LEAF
    type_id = dtype.id
    if type_id in _LIST_IDS:
        return LIST
    if pa.types.is_struct(dtype):
        return STRUCT
    if pa.types.is_map(dtype):
        return MAP
    if type_id in _UNION_IDS:
        return UNION
    return LEAF


def children(dtype: pa.DataType) -> tuple[pa.Field, ...]:
    """The fields a nested type holds (none for a leaf)."""
    nested = kind(dtype)
    if nested == LIST:
        return (dtype.value_field,)
    if nested == MAP:
        return (dtype.key_field, dtype.item_field)
    if nested in (STRUCT, UNION):
        return tuple(dtype.field(i) for i in range(dtype.num_fields))
    return ()


def rebuild(dtype: pa.DataType, fields: Sequence[pa.Field]) -> pa.DataType:
    """``dtype`` holding ``fields`` instead of its own children (a list keeps its variant)."""
    nested = kind(dtype)
    if nested == STRUCT:
        return pa.struct(fields)
    if nested == MAP:
        return pa.map_(fields[0], fields[1], dtype.keys_sorted)
    if nested == UNION:
        return pa.union(fields, dtype.mode, list(dtype.type_codes))
    if nested == LIST:
        item = fields[0]
        if pa.types.is_fixed_size_list(dtype):
            return pa.list_(item, dtype.list_size)
        if pa.types.is_large_list(dtype):
            return pa.large_list(item)
        if pa.types.is_list_view(dtype):
            return pa.list_view(item)
        if pa.types.is_large_list_view(dtype):
            return pa.large_list_view(item)
        return pa.list_(item)
    return dtype


def transform(
    dtype: pa.DataType,
    leaf: Callable[[pa.DataType], pa.DataType],
    field: Callable[[pa.Field], pa.Field] = lambda f: f,
) -> pa.DataType:
    """``dtype`` rewritten bottom-up: ``leaf`` on each leaf type, ``field`` on each child
    field once its own type is rewritten."""
    if kind(dtype) == LEAF:
        return leaf(dtype)
    fields = [field(f.with_type(transform(f.type, leaf, field))) for f in children(dtype)]
    return rebuild(dtype, fields)


class TypeVisitor(Generic[T]):
    """Folds a type bottom-up: each nested type's method gets its children's results."""

    def visit(self, dtype: pa.DataType) -> T:
        nested = kind(dtype)
        if nested == LEAF:
            return self.leaf(dtype)
        results = [self.child(f) for f in children(dtype)]
        if nested == STRUCT:
            return self.struct(dtype, results)
        if nested == LIST:
            return self.list(dtype, results[0])
        if nested == MAP:
            return self.map(dtype, results[0], results[1])
        return self.union(dtype, results)

    def child(self, field: pa.Field) -> T:
        """A child field's result; by default its type's."""
        return self.visit(field.type)

    def leaf(self, dtype: pa.DataType) -> T:
        raise NotImplementedError

    def struct(self, dtype: pa.DataType, fields: Sequence[T]) -> T:
        raise NotImplementedError

    def list(self, dtype: pa.DataType, item: T) -> T:
        raise NotImplementedError

    def map(self, dtype: pa.DataType, key: T, value: T) -> T:
        raise NotImplementedError

    def union(self, dtype: pa.DataType, branches: Sequence[T]) -> T:
        raise NotImplementedError


def partners(
    old: Sequence[F], new: Sequence[F], aliases: Callable[[F], Sequence[str]]
) -> list[tuple[F | None, F | None]]:
    """The fields of two structs (or schemas) side by side: each new field with the old one
    of its name (case-insensitive) or, renamed, of one of its ``aliases``; then each old
    field no new one took, alone."""
    by_name = {f.name.lower(): f for f in old}
    taken: set[str] = set()
    pairs: list[tuple[F | None, F | None]] = []
    for field in new:
        names = (field.name, *aliases(field))
        match = next((by_name[n.lower()] for n in names if n.lower() in by_name), None)
        if match is not None:
            taken.add(match.name.lower())
        pairs.append((match, field))
    pairs += [(f, None) for f in old if f.name.lower() not in taken]
    return pairs


def depth(dtype: pa.DataType) -> int:
    """How many types deep ``dtype`` nests: 1 for a leaf, 2 for a list of leaves ..."""
    return 1 + max((depth(f.type) for f in children(dtype)), default=0)


def canonical(dtype: pa.DataType) -> pa.DataType:
    """The form of ``dtype`` a ``Field`` keeps (see the module's docstring)."""
    nested = kind(dtype)
    if nested == LEAF:
        return _canonical_leaf(dtype) if dtype.id in _NOT_CANONICAL else dtype
    fields = [f.with_type(canonical(f.type)) for f in children(dtype)]
    if nested == LIST:
        item = fields[0].with_name("item")
        size = dtype.list_size if pa.types.is_fixed_size_list(dtype) else -1
        return pa.list_(item, size)
    if nested == MAP:
        return pa.map_(fields[0].with_name("key"), fields[1].with_name("value"), dtype.keys_sorted)
    return rebuild(dtype, fields)


def _canonical_leaf(dtype: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(dtype):
        return canonical(dtype.value_type)
    if pa.types.is_decimal(dtype):
        if dtype.precision <= 38:
            return pa.decimal128(dtype.precision, dtype.scale)
        return pa.decimal256(dtype.precision, dtype.scale)
    return _PLAIN.get(dtype, dtype)


_NOT_CANONICAL = {t.id for t in _PLAIN} | {
    pa.dictionary(pa.int8(), pa.string()).id,
    pa.decimal32(1).id,
    pa.decimal64(1).id,
    pa.decimal256(1).id,
}
