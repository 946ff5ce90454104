"""Properties that must hold for any schemas."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.compat import _plainly_readable, _Resolver, check_compatibility, history
from catalog.modes import MODES
from catalog.schema import NO_DEFAULT, Field, Schema
from tests.strategies import arrow_types, fields, schemas

SETTINGS = settings(max_examples=100, deadline=None)


@SETTINGS
@given(schemas())
def test_every_schema_is_fully_compatible_with_itself(schema: Schema) -> None:
    for mode in MODES:
        assert check_compatibility(schema, schema, mode).compatible
    assert check_compatibility(schema, schema, "FULL", avro_binary=True).compatible


def _pair() -> st.SearchStrategy[tuple[Schema, Schema]]:
    """Two schemas sharing some column names, so that the checks have something to compare."""
    column = st.tuples(
        st.sampled_from(["a", "b", "c", "d"]), arrow_types, st.booleans(), st.booleans()
    )

    def build(cols: list[tuple[str, pa.DataType, bool, bool]]) -> Schema:
        return Schema(
            [Field(n, t, nullable, None if d else NO_DEFAULT) for n, t, nullable, d in cols]
        )

    one = st.lists(column, max_size=4, unique_by=lambda c: c[0]).map(build)
    return st.tuples(one, one)


@SETTINGS
@given(_pair())
def test_backward_of_new_is_forward_of_old(pair: tuple[Schema, Schema]) -> None:
    new, old = pair
    backward = check_compatibility(new, old, "BACKWARD")
    forward = check_compatibility(old, new, "FORWARD")
    assert backward.compatible == forward.compatible
    # The same missing field is "added" seen from one side and "removed" from the other.
    same = {"FIELD_REMOVED_WITHOUT_DEFAULT": "FIELD_ADDED_WITHOUT_DEFAULT"}
    assert [(i.path, same.get(i.kind, i.kind)) for i in backward.issues] == [
        (i.path, same.get(i.kind, i.kind)) for i in forward.issues
    ]


@SETTINGS
@given(_pair(), _pair(), st.sampled_from(["BACKWARD", "FORWARD", "FULL"]))
def test_transitive_fails_if_and_only_if_some_pair_fails(
    a: tuple[Schema, Schema], b: tuple[Schema, Schema], mode: str
) -> None:
    new, history = a[0], [a[1], b[0], b[1]]
    transitive = check_compatibility(new, history, f"{mode}_TRANSITIVE")
    pairwise = [check_compatibility(new, old, mode) for old in history]
    assert transitive.compatible == all(r.compatible for r in pairwise)
    assert len(transitive.issues) == sum(len(r.issues) for r in pairwise)


@SETTINGS
@given(schemas(), fields())
def test_adding_a_field_with_a_default_is_fully_compatible(schema: Schema, extra: Field) -> None:
    if extra.name in schema:
        extra = extra.replace(name=extra.name + "_new")
    # no alias, or the new field would be a rename of an existing one
    extra = extra.replace(aliases=(), default=None if not extra.has_default else extra.default)
    grown = Schema([*schema.fields, extra])
    assert check_compatibility(grown, schema, "FULL").compatible


@settings(max_examples=300, deadline=None)
@given(_pair(), st.booleans())
def test_the_quick_path_never_hides_an_issue(pair: tuple[Schema, Schema], avro: bool) -> None:
    """What the quick path of a long history settles, the full walk finds no issue in."""
    reader, writer = pair
    if _plainly_readable(reader, writer):
        assert _Resolver(1, "version 1", "backward", avro).walk(reader, writer) == []


@settings(max_examples=300, deadline=None)
@given(_pair(), _pair())
def test_alike_schemas_get_one_verdict(
    first: tuple[Schema, Schema], second: tuple[Schema, Schema]
) -> None:
    """Earlier schemas with one key (what the rules read of them) are judged alike, so a
    long history checks each key once."""
    new, earlier = first
    other = Schema([f.replace(default=1) if f.has_default else f for f in earlier.fields])
    for mode in ("BACKWARD", "FORWARD", "FULL"):
        alone = check_compatibility(new, [earlier], mode).compatible
        assert check_compatibility(new, [other], mode).compatible == alone


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from("abcd"), st.sampled_from([pa.int32(), pa.int64(), pa.string()]),
                      st.booleans(), st.booleans()),
            max_size=4, unique_by=lambda c: c[0],
        ),
        min_size=1, max_size=6,
    ),
    st.sampled_from([m for m in MODES if m.endswith("_TRANSITIVE")]),
)  # fmt: skip
def test_a_history_in_turn_is_judged_as_pair_by_pair(
    columns: list[list[tuple[str, pa.DataType, bool, bool]]], mode: str
) -> None:
    """SHOW SCHEMA COMPATIBILITY clears a flat history from what its versions have in
    common; every verdict and issue is the one checking each pair gives."""
    schemas = [
        Schema([Field(n, t, nullable, None if d else NO_DEFAULT) for n, t, nullable, d in cols])
        for cols in columns
    ]
    numbers = list(range(1, len(schemas) + 1))
    for i, found in enumerate(history(schemas, numbers, mode)):
        alone = check_compatibility(
            schemas[i], schemas[:i], mode, versions=numbers[:i], new_label=f"version {i + 1}"
        )
        assert found == alone
