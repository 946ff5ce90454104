"""One walker of nested types, and the walkers built on it agreeing with each other:
SQL spelling, canonical JSON, change reports, compatibility and AS SELECT typing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import catalog
from catalog.changes import diff
from catalog.compat import check_compatibility
from catalog.schema import Field, Schema
from catalog.types import EnumType, TimeTzType, parse_sql_type, sql_type_name
from catalog.visit import LIST, canonical, children, kind, transform
from tests.strategies import arrow_types, schemas

SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(arrow_types)
def test_canonical_is_a_fixed_point_that_fields_keep(dtype: pa.DataType) -> None:
    form = canonical(dtype)
    assert canonical(form) == form
    assert Field("c", dtype).type == form
    assert sql_type_name(form) == sql_type_name(dtype)
    assert sql_type_name(parse_sql_type(sql_type_name(dtype))) == sql_type_name(dtype)


@SETTINGS
@given(arrow_types)
def test_every_list_variant_is_a_list_with_one_item(dtype: pa.DataType) -> None:
    for variant in (pa.list_(dtype), pa.large_list(dtype), pa.list_view(dtype), pa.list_(dtype, 3)):
        assert kind(variant) == LIST
        assert [f.type for f in children(variant)] == [dtype]


@SETTINGS
@given(schemas(), st.data())
def test_a_change_report_is_empty_exactly_when_the_fingerprint_is_the_same(
    old: Schema, data: st.DataObject
) -> None:
    """Same columns in the same order, other types: no change if and only if the same schema."""
    new = Schema([f.replace(type=data.draw(arrow_types)) for f in old])
    assert (not diff(old, new).changes) == (old.fingerprint == new.fingerprint)


@SETTINGS
@given(arrow_types, arrow_types)
def test_a_change_inside_list_items_is_reported_alike_for_every_list_variant(
    a: pa.DataType, b: pa.DataType
) -> None:
    def paths(wrap: Callable[[pa.DataType], pa.DataType]) -> list[tuple[str, str]]:
        old = Schema([Field("c", wrap(pa.struct([pa.field("x", a)])))])
        new = Schema([Field("c", wrap(pa.struct([pa.field("x", b)])))])
        return [(c.kind, c.path) for c in diff(old, new).changes]

    variable = paths(pa.list_)
    assert paths(lambda t: pa.list_(t, 2)) == variable
    assert paths(pa.large_list) == variable
    assert paths(pa.list_view) == variable


@SETTINGS
@given(schemas(), st.data())
def test_a_narrowed_or_changed_type_is_never_backward_compatible(
    old: Schema, data: st.DataObject
) -> None:
    new = Schema([f.replace(type=data.draw(arrow_types)) for f in old])
    breaking = [c for c in diff(old, new).changes if c.detail in ("narrowed", "changed")]
    if breaking:
        assert not check_compatibility(new, old, "BACKWARD").compatible


def _as_duckdb_types_it(dtype: pa.DataType) -> pa.DataType:
    """What AS SELECT can give back: DuckDB has no ENUM of ours, TIMETZ or half floats in
    Arrow, so they come back as VARCHAR, TIME and FLOAT."""

    def leaf(t: pa.DataType) -> pa.DataType:
        if isinstance(t, EnumType):
            return pa.string()
        if isinstance(t, TimeTzType):
            return pa.time64("us")
        if pa.types.is_float16(t):
            return pa.float32()
        return t

    return transform(canonical(dtype), leaf)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=schemas())
async def test_as_select_star_keeps_every_column_type(schema: Schema) -> None:
    """Through the Python door: a derived stream over a stream has the stream's types."""
    async with await catalog.Catalog.open(":memory:") as cat:
        await cat.create_stream("source", schema)
        derived = await cat.create_stream("derived", query="SELECT * FROM source")
    expected = [(f.name, sql_type_name(_as_duckdb_types_it(f.type))) for f in schema]
    assert [(f.name, f.sql_type) for f in derived.schema] == expected


async def test_a_large_string_after_a_string_registers_nothing(tmp_path: Path) -> None:
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.create_stream("s", Schema([Field("a", pa.string())]))
        same = await cat.register("s", Schema([Field("a", pa.large_string())]))
        assert (same.version, same.changed) == (1, False)
        assert [v.version for v in await cat.versions("s")] == [1]


@pytest.mark.parametrize("variant", ["[]", "[2]"])
def test_a_nested_retype_under_any_list_is_reported_at_its_path(variant: str) -> None:
    old = Schema([Field("a", parse_sql_type(f"STRUCT(x INTEGER){variant}"))])
    new = Schema([Field("a", parse_sql_type(f"STRUCT(x BIGINT){variant}"))])
    assert diff(old, new).summary == "a[].x INTEGER -> BIGINT (widened)"
