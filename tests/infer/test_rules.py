"""Each inference rule of catalog.infer, on the value path and (where it applies) the Arrow path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from catalog.infer import infer_records, infer_table
from catalog.schema import Field
from providers.readers.json_reader import infer_json, read_raw


def types(records: list[Any], **kw: Any) -> dict[str, str]:
    return {f.name: f.sql_type for f in infer_records(records, **kw).schema}


def one(records: list[Any]) -> str:
    [value] = types(records).values()
    return value


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([True, False], "BOOLEAN"),
        ([1, 2, None], "BIGINT"),
        ([1, 2.5], "DOUBLE"),
        ([2**70, 1], "DECIMAL(38,0)"),
        (["2024-01-01", "2024-02-29"], "DATE"),
        (["2024-01-01 10:00:00", "2024-01-01T10:00:00.123456"], "TIMESTAMP"),
        (["2024-01-01", "2024-01-01 10:00:00"], "TIMESTAMP"),
        (["2024-01-01T10:00:00Z", "2024-01-01T10:00:00+02:00"], "TIMESTAMP WITH TIME ZONE"),
        (["10:00:00", "23:59:59.5"], "TIME"),
        (["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12"], "UUID"),
        (["2024-01-01T10:00:00Z", "2024-01-01 10:00:00"], "VARCHAR"),
        (["2024-02-30"], "VARCHAR"),
        (["2024-01-01", "soon"], "VARCHAR"),
        (["a0eebc999c0b4ef8bb6d6bb9bd380a11"], "VARCHAR"),
        ([None, None], '"NULL"'),
        ([None, 3], "BIGINT"),
        ([[1, 2], [2.5], []], "DOUBLE[]"),
        ([[], []], "JSON[]"),
        ([[None]], '"NULL"[]'),
        ([[], ["x"]], "VARCHAR[]"),
        ([{"a": 1}, {"b": "x"}], "STRUCT(a BIGINT, b VARCHAR)"),
        ([{}], "MAP(VARCHAR, JSON)"),
        ([1, "a"], "JSON"),
        ([True, 1], "JSON"),
        ([{"a": 1}, 5], "JSON"),
        ([[1], {"a": 1}], "JSON"),
    ],
)
def test_scalar_and_nested_rules(values: list[Any], expected: str) -> None:
    assert one([{"x": v} for v in values]) == expected


def test_every_field_is_nullable_with_a_null_default() -> None:
    schema = infer_records([{"a": 1, "s": {"b": [{"c": 1}]}}]).schema
    for f in schema:
        assert f.nullable and f.has_default and f.default is None
    inner = Field.from_arrow(schema["s"].type.field("b"))
    assert inner.nullable and inner.default is None
    item = inner.type.value_field
    assert item.nullable and not Field.from_arrow(item).has_default  # list items are never missing


def test_struct_keys_keep_first_seen_order() -> None:
    assert list(types([{"b": 1, "a": 1}, {"c": 1, "a": 2}])) == ["b", "a", "c"]


def test_sparse_keys_make_a_map() -> None:
    records = [{"m": {f"k{i % 11}": i}} for i in range(100)]
    assert types(records) == {"m": "MAP(VARCHAR, BIGINT)"}
    conflicting = [{"m": {f"k{i % 11}": i if i % 2 else str(i)}} for i in range(100)]
    assert types(conflicting) == {"m": "MAP(VARCHAR, JSON)"}
    dense = [{"m": {f"k{i % 9}": i}} for i in range(100)]
    assert types(dense)["m"].startswith("STRUCT(k0 BIGINT")


def test_very_many_keys_of_one_type_make_a_map() -> None:
    assert types([{"m": {f"k{i}": i for i in range(300)}}]) == {"m": "MAP(VARCHAR, BIGINT)"}
    mixed = {f"k{i}": i if i % 2 else "s" for i in range(300)}
    assert types([{"m": mixed}])["m"].startswith("STRUCT(k0 VARCHAR, k1 BIGINT")


def test_past_a_thousand_keys_an_object_is_a_map_whatever_its_values() -> None:
    """Unlike DuckDB, which would make a STRUCT of every key: a schema stays small."""
    mixed = {f"k{i}": i if i % 2 else "s" for i in range(1001)}
    assert types([{"m": mixed}]) == {"m": "MAP(VARCHAR, JSON)"}
    assert types([mixed]) == {"json": "MAP(VARCHAR, JSON)"}
    kept = {f"k{i}": i if i % 2 else "s" for i in range(1000)}
    assert types([{"m": kept}])["m"].startswith("STRUCT(k0 VARCHAR")


def test_records_that_are_maps_make_one_json_column() -> None:
    assert types([{str(i): i} for i in range(100)]) == {"json": "MAP(VARCHAR, BIGINT)"}


def test_conflicts_become_json_and_are_recorded() -> None:
    result = infer_records([{"id": 1, "s": {"v": 1}}, {"id": "x", "s": {"v": [1]}}])
    assert {f.name: f.sql_type for f in result.schema} == {"id": "JSON", "s": "STRUCT(v JSON)"}
    assert result.stats["id"].conflicts == ("BIGINT", "VARCHAR")
    assert result.stats["s"].conflicts == ("BIGINT", "LIST")
    assert result.conflicts == {"id": ("BIGINT", "VARCHAR"), "s": ("BIGINT", "LIST")}


def test_depth_limit_keeps_deeper_parts_as_json() -> None:
    record = {"a": {"b": {"c": {"d": 1}}}}
    assert types([record], max_depth=2) == {"a": "STRUCT(b STRUCT(c JSON))"}
    table = infer_records([record], max_depth=2).table
    assert table is not None
    assert table.column("a").to_pylist() == [{"b": {"c": '{"d": 1}'}}]


def test_records_that_are_not_objects() -> None:
    mixed = infer_records([{"a": 1}, 5, "x", {"a": 2}])
    assert (mixed.malformed, mixed.sampled) == (2, 2)
    assert types([1, 2, 3]) == {"json": "BIGINT"}
    assert types([1, "a"]) == {"json": "JSON"}


def test_keys_that_clash_are_renamed_and_still_read() -> None:
    result = infer_records([{"ID": 1, "id": "x", "": True}])
    assert [f.name for f in result.schema] == ["ID", "id_1", "column"]
    assert result.schema["id_1"].metadata == {"json.key": "id"}
    assert result.table is not None
    assert result.table.to_pylist() == [{"ID": 1, "id_1": "x", "column": True}]


def test_the_sample_is_typed() -> None:
    result = infer_records(
        [
            {
                "d": "2024-01-02",
                "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                "t": "10:00:00",
                "n": None,
            }
        ]
    )
    assert result.table is not None
    row = result.table.to_pylist()[0]
    assert str(row["d"]) == "2024-01-02"
    assert str(row["u"]) == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    assert str(row["t"]) == "10:00:00"


def test_statistics() -> None:
    result = infer_records([{"n": v} for v in [3, 1, None, 3, 7]])
    stats = result.stats["n"]
    assert (stats.null_fraction, stats.distinct_count, stats.min, stats.max, stats.example) == (
        0.2,
        3,
        1,
        7,
        3,
    )
    dated = infer_records([{"d": "2024-03-01"}, {"d": "2023-01-01"}]).stats["d"]
    assert (dated.min, dated.max) == ("2023-01-01", "2024-03-01")
    nested = infer_records([{"s": {"a": 1}}]).stats["s"]
    assert (nested.distinct_count, nested.min, nested.example) == (None, None, {"a": 1})


RECORD_SETS = [
    [{"id": 1, "name": "a", "tags": ["x"], "at": "2024-01-01T00:00:00Z"}, {"id": 2, "tags": []}],
    [{"s": {"d": "2024-01-01", "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}}, {"s": None}],
    [{"items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2.5}]}],
    [{"n": None}, {"n": None}],
    [{"e": []}],
]


@pytest.mark.parametrize("records", RECORD_SETS)
def test_arrow_path_agrees_with_value_path(records: list[dict[str, Any]]) -> None:
    raw = read_raw("\n".join(json.dumps(r) for r in records).encode())
    assert raw is not None
    fast = infer_table(raw)
    assert fast is not None
    slow = infer_records(records)
    assert fast.schema == slow.schema
    assert fast.table is not None and slow.table is not None
    assert fast.table.to_pylist() == slow.table.to_pylist()


@pytest.mark.parametrize(
    "record",
    [
        {"deep": json.loads("[" * 11 + "1" + "]" * 11)},  # one level more than max_depth
        {"wide": {f"k{i}": i for i in range(201)}},  # more keys than a STRUCT takes
    ],
)
def test_the_arrow_path_leaves_deep_and_wide_records_to_the_value_path(
    record: dict[str, Any],
) -> None:
    raw = read_raw(json.dumps(record).encode())
    assert raw is None or infer_table(raw) is None
    found = infer_json(json.dumps(record).encode(), True, 10, "r")
    assert found.schema == infer_records([record]).schema


def test_statistics_of_nanosecond_values() -> None:
    """Python's datetime stops at microseconds; Arrow's own text keeps the nanoseconds."""
    import pyarrow as pa

    from catalog.infer.stats import table_stats

    stats = table_stats(
        pa.table(
            {
                "at": pa.array([1, 2], pa.timestamp("ns")),
                "of_day": pa.array([5, 6], pa.time64("ns")),
                "micro": pa.array([1, 2], pa.timestamp("us")),
            }
        )
    )
    assert (stats["at"].min, stats["at"].max) == (
        "1970-01-01 00:00:00.000000001",
        "1970-01-01 00:00:00.000000002",
    )
    assert stats["of_day"].example == "00:00:00.000000005"
    assert stats["micro"].max == "1970-01-01T00:00:00.000002"


def test_a_discovered_schema_is_built_once_for_each_arrow_form() -> None:
    """Files of a folder share a schema, built once; anything it is built from (names,
    types, nullability, field metadata, nested ones too, and keep_nullability) tells
    two apart, while schema-level metadata (a writer's pandas notes) does not."""
    import pyarrow as pa

    from catalog.infer import discovered_schema

    item = pa.struct([pa.field("sku", pa.string(), nullable=False)])
    arrow = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("items", item)])
    first = discovered_schema(arrow, keep_nullability=True)
    assert discovered_schema(arrow, keep_nullability=True) is first
    noted = arrow.with_metadata({"pandas": "{}"})
    assert discovered_schema(noted, keep_nullability=True) is first
    loose = discovered_schema(arrow)
    assert [f.nullable for f in loose] == [True, True]
    assert [f.nullable for f in first] == [False, True]
    commented = pa.schema(
        [arrow.field(0).with_metadata({"schemacat:comment": "the key"}), arrow.field(1)]
    )
    assert discovered_schema(commented, keep_nullability=True).fields[0].comment == "the key"
    assert first.fields[0].comment is None
    deeper = pa.schema(
        [arrow.field(0), pa.field("items", pa.struct([pa.field("sku", pa.string())]))]
    )
    assert discovered_schema(deeper, keep_nullability=True).fields[1].type != first.fields[1].type
    extension = pa.schema([pa.field("j", pa.json_())])
    meta = {b"ARROW:extension:name": b"arrow.json", b"ARROW:extension:metadata": b""}
    plain = pa.schema([pa.field("j", pa.string(), metadata=meta)])
    assert discovered_schema(extension).fields[0].sql_type == "JSON"
    assert discovered_schema(plain).fields[0].sql_type == "VARCHAR"


@pytest.mark.parametrize("extra", [0, 1, 5, 40])
@pytest.mark.parametrize("sample", [1, 3, 20])
def test_a_sample_of_lines_is_cut_at_its_last_line(sample: int, extra: int) -> None:
    """The first ``sample`` lines of a read holding more (a few, or many more)."""
    lines = [json.dumps({"n": i, "pad": "x" * (i % 7)}) for i in range(sample + extra)]
    data = ("\n".join(lines) + "\n").encode()
    found = infer_json(data, False, sample, "lines.ndjson")
    assert found.sampled == sample
    assert found.table is not None
    assert found.table.column("n").to_pylist() == list(range(sample))
