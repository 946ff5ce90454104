"""SQL type names <-> Arrow types.

Any common spelling is read (``INT``, ``STRING``, ``VARCHAR(10)``, ``T[]``,
``ARRAY<T>``, ``STRUCT<a T>``, ``STRUCT(a T)``, ``MAP<K, V>``, ``BYTES`` ...)
through sqlglot's DuckDB dialect; types are always printed the way DuckDB
prints them (``BIGINT``, ``STRUCT(sku VARCHAR, qty BIGINT)[]``).

Arrow has no enum type, so ``EnumType`` is an extension type over strings that
keeps the symbols (and Avro's default symbol).  UUID and JSON use pyarrow's
canonical extension types.  sqlglot is imported only when a type is parsed,
because it costs a third of a second at start-up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from catalog._duckdb_keywords import DUCKDB_KEYWORDS
from catalog.errors import TypeParseError
from catalog.visit import MAX_DEPTH, TypeVisitor, canonical, children

if TYPE_CHECKING:
    from sqlglot import exp


class EnumType(pa.ExtensionType):  # type: ignore[misc]
    """An enumeration of string symbols, stored as strings."""

    def __init__(self, symbols: tuple[str, ...] | list[str], default: str | None = None) -> None:
        self.symbols = tuple(symbols)
        self.default = default
        super().__init__(pa.string(), "schemacat.enum")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EnumType) and (self.symbols, self.default) == (
            other.symbols,
            other.default,
        )

    def __ne__(self, other: object) -> bool:  # else pyarrow's, which ignores the symbols
        return not self == other

    def __hash__(self) -> int:
        return hash((self.symbols, self.default))

    def __repr__(self) -> str:
        return f"EnumType({list(self.symbols)!r}, default={self.default!r})"

    def __arrow_ext_serialize__(self) -> bytes:
        return json.dumps({"symbols": list(self.symbols), "default": self.default}).encode()

    @classmethod
    def __arrow_ext_deserialize__(cls, storage_type: pa.DataType, serialized: bytes) -> EnumType:
        spec = json.loads(serialized)
        return cls(spec["symbols"], spec.get("default"))


class TimeTzType(pa.ExtensionType):  # type: ignore[misc]
    """A time of day with a zone offset (PostgreSQL's and DuckDB's TIMETZ).

    Arrow has no such type; the storage is the time of day in microseconds, the
    offset is a property of the values that the schema records, not stores.
    """

    def __init__(self) -> None:
        super().__init__(pa.time64("us"), "schemacat.timetz")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeTzType)

    def __ne__(self, other: object) -> bool:  # else pyarrow's, by storage type alone
        return not self == other

    def __hash__(self) -> int:
        return hash("schemacat.timetz")

    def __arrow_ext_serialize__(self) -> bytes:
        return b""

    @classmethod
    def __arrow_ext_deserialize__(cls, storage_type: pa.DataType, serialized: bytes) -> TimeTzType:
        return cls()


pa.register_extension_type(EnumType(()))
pa.register_extension_type(TimeTzType())

_TIME_UNIT_SUFFIX = {"s": "_S", "ms": "_MS", "ns": "_NS"}
# DuckDB also quotes "_1...", which would otherwise read as a number with a digit separator.
_PLAIN_IDENTIFIER = re.compile(r"(?!_\d)[A-Za-z_][A-Za-z0-9_]*")


def quote_identifier(name: str) -> str:
    """Quote a name the way DuckDB does when it prints a type."""
    if _PLAIN_IDENTIFIER.fullmatch(name) and name.lower() not in DUCKDB_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_literal(value: Any) -> str:
    """A default value (JSON) as a SQL literal: NULL, TRUE, 1.5, 'text', '{"a": 1}'."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return json.dumps(value)
    return _quote_literal(value if isinstance(value, str) else json.dumps(value))


def sql_type_name(dtype: pa.DataType) -> str:
    """The DuckDB spelling of an Arrow type."""
    return _SPELLING.visit(canonical(dtype))


class _Spelling(TypeVisitor[str]):
    def leaf(self, dtype: pa.DataType) -> str:
        if isinstance(dtype, EnumType):
            return "ENUM(" + ", ".join(_quote_literal(s) for s in dtype.symbols) + ")"
        if isinstance(dtype, pa.UuidType):
            return "UUID"
        if isinstance(dtype, pa.JsonType):
            return "JSON"
        if isinstance(dtype, TimeTzType):
            return "TIME WITH TIME ZONE"
        if isinstance(dtype, pa.BaseExtensionType):
            return sql_type_name(dtype.storage_type)
        if pa.types.is_time64(dtype) and dtype.unit == "ns":
            return "TIME_NS"
        simple = _SIMPLE_NAMES.get(dtype.id)
        if simple is not None:
            return simple
        if pa.types.is_decimal(dtype):
            return f"DECIMAL({dtype.precision},{dtype.scale})"
        if pa.types.is_timestamp(dtype):
            if dtype.tz is not None:
                return "TIMESTAMPTZ_NS" if dtype.unit == "ns" else "TIMESTAMP WITH TIME ZONE"
            return "TIMESTAMP" + _TIME_UNIT_SUFFIX.get(dtype.unit, "")
        raise TypeParseError(
            f"the Arrow type {dtype} has no SQL spelling",
            hint="cast the column to a supported type before cataloguing it",
        )

    def list(self, dtype: pa.DataType, item: str) -> str:
        return f"{item}[{dtype.list_size}]" if pa.types.is_fixed_size_list(dtype) else f"{item}[]"

    def map(self, dtype: pa.DataType, key: str, value: str) -> str:
        return f"MAP({key}, {value})"

    def struct(self, dtype: pa.DataType, fields: Sequence[str]) -> str:
        return f"STRUCT({self._members(dtype, fields)})"

    def union(self, dtype: pa.DataType, branches: Sequence[str]) -> str:
        return f"UNION({self._members(dtype, branches)})"

    @staticmethod
    def _members(dtype: pa.DataType, types: Sequence[str]) -> str:
        names = (quote_identifier(f.name) for f in children(dtype))
        return ", ".join(f"{name} {t}" for name, t in zip(names, types, strict=True))


_SPELLING = _Spelling()

_SIMPLE_NAMES: dict[int, str] = {
    pa.null().id: '"NULL"',
    pa.bool_().id: "BOOLEAN",
    pa.int8().id: "TINYINT",
    pa.int16().id: "SMALLINT",
    pa.int32().id: "INTEGER",
    pa.int64().id: "BIGINT",
    pa.uint8().id: "UTINYINT",
    pa.uint16().id: "USMALLINT",
    pa.uint32().id: "UINTEGER",
    pa.uint64().id: "UBIGINT",
    pa.float16().id: "FLOAT",
    pa.float32().id: "FLOAT",
    pa.float64().id: "DOUBLE",
    pa.string().id: "VARCHAR",
    pa.binary().id: "BLOB",
    pa.binary(1).id: "BLOB",
    pa.date32().id: "DATE",
    pa.time32("ms").id: "TIME",
    pa.time64("us").id: "TIME",
    pa.duration("us").id: "INTERVAL",
    pa.month_day_nano_interval().id: "INTERVAL",
}


def parse_sql_type(text: str) -> pa.DataType:
    """Read a SQL type name in any common spelling into an Arrow type."""
    return _parse_cached(text.strip())


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> pa.DataType:
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    from catalog._type_dialect import TypeDialect

    try:
        node = exp.DataType.build(text, dialect=TypeDialect)
    # sqlglot's own reading of some garbage ends in its IndexError, AttributeError ...
    except (
        ParseError,
        TokenError,
        LookupError,
        TypeError,
        ValueError,
        AttributeError,
        RecursionError,
    ):
        raise TypeParseError(
            f"unknown type {text!r}",
            hint="use a type such as BIGINT, DOUBLE, VARCHAR, TIMESTAMP, STRUCT(a INT)[]",
        ) from None
    return arrow_type(node)


def arrow_type(node: exp.DataType) -> pa.DataType:
    """The Arrow type of a parsed sqlglot ``DataType`` node."""
    try:
        return _arrow_type(node, 1)
    except (LookupError, TypeError, ValueError, AttributeError, RecursionError):  # odd parses
        raise TypeParseError(
            f"cannot read the type {node.sql(dialect='duckdb')!r}",
            hint="use a type such as BIGINT, DOUBLE, VARCHAR, TIMESTAMP, STRUCT(a INT)[]",
        ) from None


def _arrow_type(node: exp.DataType, level: int) -> pa.DataType:
    """``arrow_type``, ``level`` deep in a type."""
    from sqlglot import exp

    if level > MAX_DEPTH:
        raise TypeParseError(
            f"the type nests more than {MAX_DEPTH} levels deep",
            hint="flatten the type, or keep the deep part as JSON",
        )
    kind = node.this
    t = exp.DataType.Type
    simple = _simple_types().get(kind)
    if simple is not None:
        return simple
    params = [int(e.name) for e in node.expressions if isinstance(e, exp.DataTypeParam)]
    if kind in (t.DECIMAL, t.BIGDECIMAL):
        precision, scale = [*params, 0][:2] if params else (18, 3)  # DuckDB's default
        if not 1 <= precision <= 76 or not 0 <= scale <= precision:
            raise TypeParseError(
                f"DECIMAL({precision},{scale}) is out of range",
                hint="precision goes from 1 to 38 (76 at most) and scale from 0 to the precision",
            )
        return (
            pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)
        )
    if kind == t.ARRAY:
        item = _arrow_type(node.expressions[0], level + 1)
        sizes = [int(v.name) for v in node.args.get("values") or ()]
        return pa.list_(item, sizes[0]) if sizes else pa.list_(item)
    if kind == t.MAP:
        if len(node.expressions) != 2:
            raise TypeParseError(
                f"{node.sql(dialect='duckdb')} needs a key type and a value type",
                hint="write MAP(VARCHAR, BIGINT)",
            )
        key, value = (_arrow_type(e, level + 1) for e in node.expressions)
        return pa.map_(key, value)
    if kind in (t.STRUCT, t.UNION, t.ENUM) and not node.expressions:
        what = {t.STRUCT: "one field", t.UNION: "one member", t.ENUM: "one symbol"}[kind]
        raise TypeParseError(
            f"{kind.value} needs at least {what}",
            hint="write STRUCT(a INT), UNION(num INT, str VARCHAR) or ENUM('a', 'b')",
        )
    if kind in (t.STRUCT, t.UNION):
        fields = [
            pa.field(col.name, _arrow_type(col.args["kind"], level + 1)) for col in node.expressions
        ]
        _reject_duplicates([f.name for f in fields], node)
        if kind == t.STRUCT:
            return pa.struct(fields)
        return pa.dense_union(fields, type_codes=list(range(len(fields))))
    if kind == t.ENUM:
        return EnumType([e.name for e in node.expressions])
    raise TypeParseError(
        f"the type {node.sql(dialect='duckdb')} is not supported",
        hint="use one of BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, BLOB, BOOLEAN, DATE, TIME, "
        "TIMESTAMP, TIMESTAMP WITH TIME ZONE, INTERVAL, UUID, JSON, T[], STRUCT, MAP, UNION",
    )


def _reject_duplicates(names: list[str], where: exp.DataType) -> None:
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise TypeParseError(f"duplicate field name {name!r} in {where.sql(dialect='duckdb')}")
        seen.add(name.lower())


@lru_cache(maxsize=1)
def _simple_types() -> dict[Any, pa.DataType]:
    from sqlglot import exp

    t = exp.DataType.Type
    table: dict[Any, pa.DataType] = {
        t.NULL: pa.null(),
        t.BOOLEAN: pa.bool_(),
        t.TINYINT: pa.int8(),
        t.SMALLINT: pa.int16(),
        t.INT: pa.int32(),
        t.MEDIUMINT: pa.int32(),
        t.BIGINT: pa.int64(),
        t.UTINYINT: pa.uint8(),
        t.USMALLINT: pa.uint16(),
        t.UINT: pa.uint32(),
        t.UMEDIUMINT: pa.uint32(),
        t.UBIGINT: pa.uint64(),
        t.INT128: pa.decimal128(38, 0),
        t.FLOAT: pa.float32(),
        t.DOUBLE: pa.float64(),
        t.DATE: pa.date32(),
        t.TIME: pa.time64("us"),
        t.TIME_NS: pa.time64("ns"),
        t.TIMETZ: TimeTzType(),
        t.TIMESTAMP: pa.timestamp("us"),
        t.TIMESTAMPNTZ: pa.timestamp("us"),
        t.DATETIME: pa.timestamp("us"),
        t.TIMESTAMP_S: pa.timestamp("s"),
        t.TIMESTAMP_MS: pa.timestamp("ms"),
        t.TIMESTAMP_NS: pa.timestamp("ns"),
        t.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
        t.TIMESTAMPLTZ: pa.timestamp("ns", tz="UTC"),  # TIMESTAMPTZ_NS (see _type_dialect)
        t.INTERVAL: pa.month_day_nano_interval(),
        t.UUID: pa.uuid(),
        t.JSON: pa.json_(),
        t.JSONB: pa.json_(),
    }
    for text in (t.TEXT, t.VARCHAR, t.NVARCHAR, t.CHAR, t.NCHAR, t.NAME, t.MEDIUMTEXT, t.LONGTEXT):
        table[text] = pa.string()
    for blob in (t.VARBINARY, t.BINARY, t.BLOB, t.MEDIUMBLOB, t.LONGBLOB, t.TINYBLOB):
        table[blob] = pa.binary()
    return table
