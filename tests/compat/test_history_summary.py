"""The summary of a history clears a new schema exactly when the quick path clears it
against every schema of the history, pair by pair; what it clears, the full check
finds compatible."""

from __future__ import annotations

import itertools

import pyarrow as pa
from hypothesis import event, given, settings
from hypothesis import strategies as st

from catalog.compat import (
    HistorySummary,
    _index,
    _plainly_readable,
    _settled_in_turn,
    check_compatibility,
)
from catalog.modes import MODES
from catalog.schema import NO_DEFAULT, Field, Schema
from catalog.types import EnumType

#: a few types, so that columns of one name often agree: flat ones, and some that are
#: not (nested, an extension type)
FLAT = [
    pa.int32(), pa.int64(), pa.string(), pa.timestamp("us"), pa.timestamp("us", "UTC"),
    pa.decimal128(10, 2), pa.binary(4),
]  # fmt: skip
NOT_FLAT = [pa.list_(pa.int64()), pa.struct([pa.field("f", pa.int64())]), EnumType(["a", "b"])]

column = st.builds(
    lambda n, t, nullable, default, aliases, meta: Field(
        n, t, nullable, None if default else NO_DEFAULT, aliases=aliases, metadata=meta
    ),
    st.sampled_from(["a", "b", "c", "B"]),  # B is b, names being case-insensitive
    st.one_of(st.sampled_from(FLAT), st.sampled_from(FLAT + NOT_FLAT)),
    st.booleans(),  # nullable
    st.booleans(),  # has a default
    st.sampled_from([(), (), ("z",)]),  # aliases
    st.sampled_from([{}, {}, {"avro.name": "N"}, {"avro.name": "M"}]),
)
record_names = st.sampled_from([None, None, "R", "ns.R", "S"])


@st.composite
def schemas(draw: st.DrawFn) -> Schema:
    fields = draw(st.lists(column, max_size=4, unique_by=lambda f: f.name.lower()))
    return Schema(fields, draw(record_names))


@st.composite
def changed(draw: st.DrawFn, schema: Schema) -> Schema:
    """``schema`` with one change of the kind a history is made of."""
    fields = list(schema.fields)
    kind = draw(st.sampled_from(["add", "drop", "replace", "default", "name"]))
    if kind == "add":
        fresh = next(f"n{i}" for i in itertools.count() if f"n{i}" not in schema)
        fields.append(Field(fresh, draw(st.sampled_from(FLAT)), default=None))
    elif kind == "drop" and fields:
        fields.pop(draw(st.integers(0, len(fields) - 1)))
    elif kind == "replace" and fields:
        i, new = draw(st.integers(0, len(fields) - 1)), draw(column)
        fields[i] = new.replace(name=fields[i].name)
    elif kind == "default" and fields:
        i = draw(st.integers(0, len(fields) - 1))
        fields[i] = fields[i].replace(default=draw(st.sampled_from([None, 1, NO_DEFAULT])))
    name = draw(record_names) if kind == "name" else schema.name
    return Schema(fields, name)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Schema], Schema]:
    """A history and a new schema: unrelated schemas, or each a change of the one before."""
    if draw(st.booleans()):
        return draw(st.lists(schemas(), max_size=6)), draw(schemas())
    steps = [draw(schemas())]
    for _ in range(draw(st.integers(0, 6))):
        steps.append(draw(changed(steps[-1])))
    return steps[:-1], steps[-1]


DIRECTED = [m for m in MODES if m != "NONE"]


def pairwise(history: list[Schema], new: Schema, mode: str) -> bool:
    """The quick path's verdict pair by pair, on a history of flat schemas."""
    if not all(_index(s).flat for s in [*history, new]):
        return False
    backward, forward = mode.startswith(("BACKWARD", "FULL")), mode.startswith(("FORWARD", "FULL"))
    return all(
        (not backward or _plainly_readable(new, old))
        and (not forward or _plainly_readable(old, new))
        for old in history
    )


@settings(max_examples=500, deadline=None)
@given(histories(), st.sampled_from(DIRECTED))
def test_a_summary_clears_what_the_quick_path_clears_pair_by_pair(
    case: tuple[list[Schema], Schema], mode: str
) -> None:
    history, new = case
    summary = HistorySummary.build(history)
    clears = summary.clears(new, mode)
    event(f"clears: {clears}, history of {min(len(history), 2)}+")
    assert clears == pairwise(history, new, mode)
    assert clears == _settled_in_turn([*history, new], mode)[-1]
    if clears:
        assert check_compatibility(new, history, mode).compatible
        assert check_compatibility(new, history, mode, avro_binary=True).compatible
    stored = HistorySummary.from_json(summary.to_json())
    assert stored is not None and stored.clears(new, mode) == clears
    assert stored.to_json() == summary.to_json()


@settings(max_examples=200, deadline=None)
@given(histories())
def test_a_summary_taken_one_schema_at_a_time_is_the_one_built_at_once(
    case: tuple[list[Schema], Schema],
) -> None:
    history = [*case[0], case[1]]
    summary = HistorySummary.build(history[:1])
    for schema in history[1:]:
        again = HistorySummary.from_json(summary.to_json())
        assert again is not None
        again.add(schema)
        summary = again
    assert summary.to_json() == HistorySummary.build(history).to_json()


def test_a_summary_of_another_format_or_no_summary_at_all_is_not_read() -> None:
    text = HistorySummary.build([Schema([Field("a", pa.int64())])]).to_json()
    assert HistorySummary.from_json(text) is not None
    assert HistorySummary.from_json(text.replace('"format":1', '"format":2')) is None
    for garbage in ("", "[]", "{}", '{"format":1}', "not json"):
        assert HistorySummary.from_json(garbage) is None
