"""Type inference over Python values (parsed JSON): one ``Node`` per position.

Each node counts what was seen there (nulls, booleans, numbers, strings,
lists, objects) and ``resolve`` folds that into an Arrow type by the rules in
``catalog.infer``.  Strings are kept and classified at the end in one
vectorised pass (``strings.classify``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa

from catalog.infer import strings

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DECIMAL38_MAX = 10**38 - 1
MAP_KEY_THRESHOLD = 200  # DuckDB's map_inference_threshold
MAP_APPEARANCE_THRESHOLD = 0.1  # DuckDB's field_appearance_threshold
MAX_STRUCT_KEYS = 1000  # past this, a map whatever its values: a schema stays small


class Node:
    """What was seen at one position of the records."""

    __slots__ = (
        "bools",
        "deep",
        "floats",
        "int_max",
        "int_min",
        "ints",
        "list",
        "nulls",
        "obj",
        "present",
        "strings",
    )

    def __init__(self) -> None:
        self.present = 0  # times this position held anything, null included
        self.nulls = self.bools = self.ints = self.floats = self.deep = 0
        self.int_min = self.int_max = 0
        self.strings: list[str] = []
        self.list: ListNode | None = None
        self.obj: ObjectNode | None = None

    def add(self, value: Any, depth: int, limit: int) -> None:
        self.present += 1
        kind = type(value)
        if value is None:
            self.nulls += 1
        elif kind is str:
            self.strings.append(value)
        elif kind is bool:
            self.bools += 1
        elif kind is int:
            self.ints += 1
            self.int_min = min(self.int_min, value)
            self.int_max = max(self.int_max, value)
        elif kind is float:
            self.floats += 1
        elif depth >= limit:
            self.deep += 1
        elif kind is dict:
            if self.obj is None:
                self.obj = ObjectNode()
            self.obj.add(value, depth + 1, limit)
        elif kind is list:
            if self.list is None:
                self.list = ListNode()
            self.list.add(value, depth + 1, limit)
        else:
            self.strings.append(str(value))

    def kinds(self) -> list[str]:
        """The kinds of value seen here, as DuckDB type names (for conflict reports)."""
        seen = [
            ("BOOLEAN", self.bools),
            ("DOUBLE" if self.floats else "BIGINT", self.ints + self.floats),
            ("VARCHAR", len(self.strings)),
            ("LIST", self.list is not None),
            ("STRUCT", self.obj is not None),
            ("JSON", self.deep),
        ]
        return [name for name, count in seen if count]

    def merge(self, other: Node) -> None:
        self.present += other.present
        self.nulls += other.nulls
        self.bools += other.bools
        self.floats += other.floats
        self.deep += other.deep
        if other.ints:
            self.int_min = min(self.int_min, other.int_min)
            self.int_max = max(self.int_max, other.int_max)
            self.ints += other.ints
        self.strings += other.strings
        if other.list is not None:
            self.list = self.list or ListNode()
            self.list.merge(other.list)
        if other.obj is not None:
            self.obj = self.obj or ObjectNode()
            self.obj.merge(other.obj)


class ListNode:
    __slots__ = ("item",)

    def __init__(self) -> None:
        self.item = Node()

    def add(self, values: list[Any], depth: int, limit: int) -> None:
        for value in values:
            self.item.add(value, depth, limit)

    def merge(self, other: ListNode) -> None:
        self.item.merge(other.item)


class ObjectNode:
    __slots__ = ("count", "keys")

    def __init__(self) -> None:
        self.count = 0
        self.keys: dict[str, Node] = {}  # in the order first seen, as DuckDB keeps them

    def add(self, obj: dict[str, Any], depth: int, limit: int) -> None:
        self.count += 1
        keys = self.keys
        for key, value in obj.items():
            node = keys.get(key)
            if node is None:
                node = keys[key] = Node()
            node.add(value, depth, limit)

    def merge(self, other: ObjectNode) -> None:
        self.count += other.count
        for key, node in other.keys.items():
            if key in self.keys:
                self.keys[key].merge(node)
            else:
                self.keys[key] = node

    def is_map(self, value_type: Callable[[], pa.DataType]) -> bool:
        """DuckDB's rule: no keys, sparse keys, or very many keys of one type; and ours:
        too many keys for a STRUCT."""
        if not self.keys or len(self.keys) > MAX_STRUCT_KEYS:
            return True
        appearances = sum(node.present for node in self.keys.values())
        if appearances / (len(self.keys) * self.count) < MAP_APPEARANCE_THRESHOLD:
            return True
        return len(self.keys) > MAP_KEY_THRESHOLD and not isinstance(value_type(), pa.JsonType)

    def merged(self) -> Node:
        values = Node()
        for node in self.keys.values():
            values.merge(node)
        return values


class Resolver:
    """Folds nodes into Arrow types; records each conflict (a position that became JSON)."""

    def __init__(self) -> None:
        self.conflicts: dict[str, list[str]] = {}

    def resolve(self, node: Node, path: str) -> pa.DataType:
        kinds = node.kinds()
        if not kinds:
            return pa.null()
        if len(kinds) > 1:
            self.conflicts[path] = kinds
            return pa.json_()
        kind = kinds[0]
        if kind == "BOOLEAN":
            return pa.bool_()
        if kind == "BIGINT":
            if node.int_min >= INT64_MIN and node.int_max <= INT64_MAX:
                return pa.int64()
            return (
                pa.decimal128(38, 0)
                if max(-node.int_min, node.int_max) <= DECIMAL38_MAX
                else pa.float64()
            )
        if kind == "DOUBLE":
            return pa.float64()
        if kind == "VARCHAR":
            return strings.classify(pa.array(node.strings, pa.string()))
        if kind == "LIST":
            assert node.list is not None
            item = node.list.item
            item_type = pa.json_() if not item.present else self.resolve(item, f"{path}[]")
            return pa.list_(item_type)
        if kind == "STRUCT":
            assert node.obj is not None
            return self.object(node.obj, path)
        return pa.json_()

    def object(self, obj: ObjectNode, path: str) -> pa.DataType:
        memo: list[pa.DataType] = []

        def value_type() -> pa.DataType:
            if not memo:
                memo.append(self.resolve(obj.merged(), f"{path}{{}}") if obj.keys else pa.json_())
            return memo[0]

        if obj.is_map(value_type):
            return pa.map_(pa.string(), value_type())
        prefix = f"{path}." if path else ""
        names = unique_names(obj.keys)
        return pa.struct(
            [
                _field(name, self.resolve(node, prefix + name), key)
                for (key, node), name in zip(obj.keys.items(), names, strict=True)
            ]
        )


def _field(name: str, dtype: pa.DataType, key: str) -> pa.Field:
    """A discovered field; one that had to be renamed remembers its key in the data."""
    return pa.field(name, dtype, metadata={"json.key": key} if name != key else None)


def unique_names(keys: Iterable[str]) -> list[str]:
    """Column names for object keys: empty keys named, case-insensitive clashes numbered."""
    names: list[str] = []
    seen: set[str] = set()
    for key in keys:
        name = key or "column"
        base, n = name, 1
        while name.lower() in seen:
            name = f"{base}_{n}"
            n += 1
        seen.add(name.lower())
        names.append(name)
    return names
