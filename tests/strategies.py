"""Hypothesis strategies for Arrow types, fields and schemas."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import strategies as st

from catalog.schema import NO_DEFAULT, Field, Schema
from catalog.types import EnumType, TimeTzType

names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)

PRIMITIVES = [
    pa.bool_(), pa.int8(), pa.int16(), pa.int32(), pa.int64(),
    pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64(),
    pa.float16(), pa.float32(), pa.float64(),
    pa.string(), pa.large_string(), pa.string_view(), pa.binary(), pa.large_binary(),
    pa.binary_view(), pa.date32(), pa.date64(), pa.time32("ms"), pa.time64("us"),
    pa.time64("ns"), pa.dictionary(pa.int32(), pa.string()),
    pa.month_day_nano_interval(), pa.duration("us"), pa.uuid(), pa.json_(), TimeTzType(),
]  # fmt: skip

primitive_types = st.one_of(
    st.sampled_from(PRIMITIVES),
    st.builds(pa.binary, st.integers(1, 32)),
    st.integers(1, 38).flatmap(lambda p: st.integers(0, p).map(lambda s: pa.decimal128(p, s))),
    st.integers(1, 18).map(pa.decimal64),
    st.builds(
        pa.timestamp, st.sampled_from(["s", "ms", "us", "ns"]), st.sampled_from([None, "UTC"])
    ),
    st.lists(names, min_size=1, max_size=4, unique=True).map(EnumType),
)


def _unique_fields(children: st.SearchStrategy[pa.DataType]) -> st.SearchStrategy[list[pa.Field]]:
    return st.lists(
        st.tuples(names, children, st.booleans()), min_size=1, max_size=4, unique_by=lambda t: t[0]
    ).map(lambda items: [pa.field(n, t, nullable) for n, t, nullable in items])


def _nested(children: st.SearchStrategy[pa.DataType]) -> st.SearchStrategy[pa.DataType]:
    """Every list variant: variable, large, fixed-size and view."""
    return st.one_of(
        st.builds(lambda t, n: pa.list_(pa.field("item", t, n)), children, st.booleans()),
        st.builds(lambda t: pa.large_list(pa.field("element", t)), children),
        st.builds(pa.list_view, children),
        st.builds(pa.list_, children, st.integers(1, 4)),
        _unique_fields(children).map(pa.struct),
        st.builds(lambda v: pa.map_(pa.string(), v), children),
    )


arrow_types = st.recursive(primitive_types, _nested, max_leaves=8)

defaults = st.one_of(
    st.just(NO_DEFAULT), st.none(), st.integers(-5, 5), st.text(max_size=5), st.booleans()
)


@st.composite
def fields(draw: st.DrawFn, types: st.SearchStrategy[pa.DataType] = arrow_types) -> Field:
    return Field(
        name=draw(names),
        type=draw(types),
        nullable=draw(st.booleans()),
        default=draw(defaults),
        comment=draw(st.none() | st.text(max_size=10)),
        aliases=tuple(draw(st.lists(names, max_size=2, unique=True))),
    )


@st.composite
def schemas(draw: st.DrawFn, types: st.SearchStrategy[pa.DataType] = arrow_types) -> Schema:
    items = draw(st.lists(fields(types), min_size=1, max_size=6, unique_by=lambda f: f.name))
    return Schema(items)
