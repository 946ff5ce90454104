"""SQL type names: every common spelling is read; every type is printed as DuckDB prints it."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings

from catalog._duckdb_keywords import DUCKDB_KEYWORDS
from catalog.errors import TypeParseError
from catalog.types import EnumType, TimeTzType, parse_sql_type, quote_identifier, sql_type_name
from tests.strategies import arrow_types

SPELLINGS = [
    ("INT", pa.int32()),
    ("INTEGER", pa.int32()),
    ("int4", pa.int32()),
    ("BIGINT", pa.int64()),
    ("LONG", pa.int64()),
    ("SMALLINT", pa.int16()),
    ("TINYINT", pa.int8()),
    ("UBIGINT", pa.uint64()),
    ("STRING", pa.string()),
    ("TEXT", pa.string()),
    ("VARCHAR", pa.string()),
    ("VARCHAR(255)", pa.string()),
    ("CHAR(3)", pa.string()),
    ("DOUBLE", pa.float64()),
    ("DOUBLE PRECISION", pa.float64()),
    ("FLOAT8", pa.float64()),
    ("FLOAT", pa.float32()),
    ("REAL", pa.float32()),
    ("DECIMAL(10,2)", pa.decimal128(10, 2)),
    ("decimal(10, 2)", pa.decimal128(10, 2)),
    ("NUMERIC", pa.decimal128(18, 3)),
    ("NUMERIC(5)", pa.decimal128(5, 0)),
    ("DECIMAL(50,10)", pa.decimal256(50, 10)),
    ("BOOLEAN", pa.bool_()),
    ("BOOL", pa.bool_()),
    ("DATE", pa.date32()),
    ("TIME", pa.time64("us")),
    ("TIMESTAMP", pa.timestamp("us")),
    ("DATETIME", pa.timestamp("us")),
    ("TIMESTAMP_MS", pa.timestamp("ms")),
    ("TIMESTAMP_NS", pa.timestamp("ns")),
    ("TIMESTAMPTZ", pa.timestamp("us", "UTC")),
    ("TIMESTAMP WITH TIME ZONE", pa.timestamp("us", "UTC")),
    ("BYTES", pa.binary()),
    ("BLOB", pa.binary()),
    ("BYTEA", pa.binary()),
    ("VARBINARY", pa.binary()),
    ("JSON", pa.json_()),
    ("UUID", pa.uuid()),
    ("INTERVAL", pa.month_day_nano_interval()),
    ("TIMETZ", TimeTzType()),
    ("TIME WITH TIME ZONE", TimeTzType()),
    ("ARRAY<INT>", pa.list_(pa.int32())),
    ("INT[]", pa.list_(pa.int32())),
    ("BIGINT[][]", pa.list_(pa.list_(pa.int64()))),
    ("INT[3]", pa.list_(pa.int32(), 3)),
    ("STRUCT<a INT, b STRING>", pa.struct([("a", pa.int32()), ("b", pa.string())])),
    ("STRUCT(a INT, b VARCHAR)", pa.struct([("a", pa.int32()), ("b", pa.string())])),
    ('STRUCT("Mixed Case" INT)', pa.struct([("Mixed Case", pa.int32())])),
    ("MAP<VARCHAR, BIGINT>", pa.map_(pa.string(), pa.int64())),
    ("MAP(VARCHAR, BIGINT)", pa.map_(pa.string(), pa.int64())),
    (
        "STRUCT(sku VARCHAR, qty BIGINT)[]",
        pa.list_(pa.struct([("sku", pa.string()), ("qty", pa.int64())])),
    ),
    ("ARRAY<STRUCT<tags ARRAY<STRING>>>", pa.list_(pa.struct([("tags", pa.list_(pa.string()))]))),
    (
        "UNION(num INT, str VARCHAR)",
        pa.dense_union([pa.field("num", pa.int32()), pa.field("str", pa.string())]),
    ),
    ("ENUM('a', 'b''c')", EnumType(["a", "b'c"])),
]


@pytest.mark.parametrize(("text", "expected"), SPELLINGS)
def test_every_common_spelling_is_read(text: str, expected: pa.DataType) -> None:
    assert parse_sql_type(text) == expected


PRINTED = [
    (pa.int64(), "BIGINT"),
    (pa.int32(), "INTEGER"),
    (pa.float64(), "DOUBLE"),
    (pa.decimal128(10, 2), "DECIMAL(10,2)"),
    (pa.string(), "VARCHAR"),
    (pa.large_string(), "VARCHAR"),
    (pa.binary(), "BLOB"),
    (pa.bool_(), "BOOLEAN"),
    (pa.date32(), "DATE"),
    (pa.timestamp("us"), "TIMESTAMP"),
    (pa.timestamp("ms"), "TIMESTAMP_MS"),
    (pa.timestamp("us", "Europe/Paris"), "TIMESTAMP WITH TIME ZONE"),
    (pa.list_(pa.struct([("sku", pa.string()), ("qty", pa.int64())])), "STRUCT(sku VARCHAR, qty BIGINT)[]"),
    (pa.map_(pa.string(), pa.int64()), "MAP(VARCHAR, BIGINT)"),
    (pa.struct([("name", pa.string()), ("My Field", pa.int8()), ("Date", pa.date32())]),
     'STRUCT("name" VARCHAR, "My Field" TINYINT, Date DATE)'),
    (pa.list_(pa.int32(), 3), "INTEGER[3]"),
    (pa.dictionary(pa.int32(), pa.string()), "VARCHAR"),
    (pa.uuid(), "UUID"),
    (pa.json_(), "JSON"),
    (EnumType(["new", "paid"]), "ENUM('new', 'paid')"),
]  # fmt: skip


@pytest.mark.parametrize(("dtype", "expected"), PRINTED)
def test_types_are_printed_as_duckdb_prints_them(dtype: pa.DataType, expected: str) -> None:
    assert sql_type_name(dtype) == expected


def _duckdb_spelling(name: str) -> str:
    return str(duckdb.connect().sql(f"SELECT NULL::{name} AS x").types[0])


@settings(max_examples=150, deadline=None)
@given(arrow_types)
def test_duckdb_prints_our_spelling_unchanged(dtype: pa.DataType) -> None:
    """Whatever we print, DuckDB reads and prints back the same way."""
    name = sql_type_name(dtype)
    assert _duckdb_spelling(name) == name


@settings(max_examples=150, deadline=None)
@given(arrow_types)
def test_printed_names_parse_back(dtype: pa.DataType) -> None:
    """Reading a printed name gives a type that prints the same (SQL has fewer types than Arrow)."""
    name = sql_type_name(dtype)
    assert sql_type_name(parse_sql_type(name)) == name


def test_keyword_list_matches_the_installed_duckdb() -> None:
    rows = duckdb.connect().sql("SELECT keyword_name FROM duckdb_keywords()").fetchall()
    assert {r[0] for r in rows} == DUCKDB_KEYWORDS


@pytest.mark.parametrize(
    ("name", "quoted"),
    [("qty", "qty"), ("A_B", "A_B"), ("order", '"order"'), ("Name", '"Name"'), ("a b", '"a b"'),
     ("1x", '"1x"'), ("_1", '"_1"'), ("_a1", "_a1"), ('say "hi"', '"say ""hi"""'), ("é", '"é"')],
)  # fmt: skip
def test_field_names_are_quoted_like_duckdb(name: str, quoted: str) -> None:
    assert quote_identifier(name) == quoted


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FOO", "unknown type 'FOO'"),
        ("VARCHAR(", "unknown type 'VARCHAR('"),
        ("DECIMAL(80,2)", "DECIMAL(80,2) is out of range"),
        ("DECIMAL(5,7)", "DECIMAL(5,7) is out of range"),
        ("STRUCT(a INT, A BIGINT)", "duplicate field name 'A'"),
    ],
)
def test_bad_types_get_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(TypeParseError) as err:
        parse_sql_type(text)
    assert message in err.value.message
    assert err.value.code == "UNKNOWN_TYPE"


def test_large_and_view_types_print_like_their_plain_twins() -> None:
    assert sql_type_name(pa.large_list(pa.large_binary())) == "BLOB[]"
    assert sql_type_name(pa.string_view()) == "VARCHAR"
