"""One behaviour suite, run against every store backend (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pyarrow as pa
import pytest

from catalog.errors import (
    ConcurrentModification,
    StreamExists,
    StreamNotFound,
    VersionNotFound,
)
from catalog.schema import Field, Schema
from catalog.store import NewVersion, Store, StreamSpec, open_store

V1 = Schema([Field("id", pa.int64(), nullable=False), Field("name", pa.string())])
V2 = Schema([*V1.fields, Field("email", pa.string(), default=None)])
V3 = Schema([*V2.fields, Field("score", pa.float64(), default=0.0)])


@pytest.fixture
async def store(catalog_url: str) -> AsyncIterator[Store]:
    s = await open_store(catalog_url)
    yield s
    await s.close()


def spec(name: str = "orders", **kw: object) -> StreamSpec:
    return StreamSpec(name=name, **kw)  # type: ignore[arg-type]


async def test_create_and_read_back(store: Store) -> None:
    created = await store.create_stream(
        spec(datasource="kafka://k:9092/orders", format="json", options={"sample_size": "10"}),
        NewVersion(V1, "declared", "created"),
    )
    assert (created.version, created.origin, created.change) == (1, "declared", "created")
    assert created.fingerprint == V1.fingerprint
    stream = await store.get_stream("orders")
    assert stream.name == "orders"
    assert stream.datasource == "kafka://k:9092/orders"
    assert stream.format == "json"
    assert stream.options == {"sample_size": "10"}
    assert stream.compatibility == "BACKWARD"
    assert stream.latest_version == 1
    assert stream.created_at == stream.updated_at
    latest = await store.get_version("orders")
    assert latest.schema == V1
    assert latest.schema.field("id").nullable is False


async def test_names_are_case_insensitive_and_keep_their_case(store: Store) -> None:
    await store.create_stream(spec("Orders_EU"), NewVersion(V1, "declared"))
    assert (await store.get_stream("orders_eu")).name == "Orders_EU"
    with pytest.raises(StreamExists):
        await store.create_stream(spec("ORDERS_EU"), NewVersion(V2, "declared"))


async def test_versions_are_numbered_from_one(store: Store) -> None:
    await store.create_stream(spec(), NewVersion(V1, "declared"))
    v2, new2 = await store.add_version("orders", NewVersion(V2, "altered", "added email"))
    v3, new3 = await store.add_version("orders", NewVersion(V3, "refreshed", "added score"))
    assert (v2.version, new2, v3.version, new3) == (2, True, 3, True)
    versions = await store.list_versions("orders")
    assert [(v.version, v.origin, v.change) for v in versions] == [
        (1, "declared", ""),
        (2, "altered", "added email"),
        (3, "refreshed", "added score"),
    ]
    assert [v.schema for v in versions] == [V1, V2, V3]
    assert (await store.get_version("orders", 2)).schema == V2
    assert (await store.get_stream("orders")).latest_version == 3


async def test_identical_schema_registers_no_version(store: Store) -> None:
    await store.create_stream(spec(), NewVersion(V1, "declared"))
    same, created = await store.add_version("orders", NewVersion(V1, "refreshed"))
    assert (same.version, created) == (1, False)
    assert len(await store.list_versions("orders")) == 1


async def test_expected_version_guards_against_concurrent_change(store: Store) -> None:
    await store.create_stream(spec(), NewVersion(V1, "declared"))
    await store.add_version("orders", NewVersion(V2, "altered"), expected_version=1)
    with pytest.raises(ConcurrentModification) as err:
        await store.add_version("orders", NewVersion(V3, "altered"), expected_version=1)
    assert "version 1 to 2" in err.value.message
    assert (await store.get_stream("orders")).latest_version == 2


async def test_unknown_stream_and_version(store: Store) -> None:
    await store.create_stream(spec(), NewVersion(V1, "declared"))
    with pytest.raises(StreamNotFound) as err:
        await store.get_stream("order")
    assert err.value.hint == "did you mean orders?"
    with pytest.raises(StreamNotFound):
        await store.add_version("nope", NewVersion(V2, "altered"))
    with pytest.raises(VersionNotFound) as verr:
        await store.get_version("orders", 7)
    assert verr.value.hint == "its versions are 1"


async def test_failed_write_changes_nothing(store: Store) -> None:
    await store.create_stream(spec(), NewVersion(V1, "declared"))
    before = await store.get_stream("orders")
    with pytest.raises(StreamExists):
        await store.create_stream(spec(datasource="s3://other"), NewVersion(V3, "declared"))
    with pytest.raises(ConcurrentModification):
        await store.add_version(
            "orders", NewVersion(V2, "altered"), expected_version=5, spec=spec(format="csv")
        )
    assert await store.get_stream("orders") == before
    assert [v.version for v in await store.list_versions("orders")] == [1]


async def test_replace_metadata_with_a_version(store: Store) -> None:
    await store.create_stream(spec(format="json"), NewVersion(V1, "declared"))
    new_spec = spec(datasource="file:///data/orders.csv", format="csv", compatibility="FULL")
    version, created = await store.add_version(
        "orders", NewVersion(V2, "declared", "replaced"), spec=new_spec
    )
    assert (version.version, created) == (2, True)
    stream = await store.get_stream("orders")
    assert (stream.format, stream.compatibility) == ("csv", "FULL")
    assert stream.datasource == "file:///data/orders.csv"
    assert stream.updated_at > stream.created_at


async def test_update_metadata_only(store: Store) -> None:
    await store.create_stream(spec(), NewVersion(V1, "declared"))
    updated = await store.update_stream("ORDERS", compatibility="FULL_TRANSITIVE")
    assert updated.compatibility == "FULL_TRANSITIVE"
    assert updated.latest_version == 1
    with pytest.raises(ValueError):
        await store.update_stream("orders", latest_version=9)


async def test_secrets_never_reach_the_store(store: Store) -> None:
    await store.create_stream(
        spec(
            datasource="postgresql://app:s3cret@db:5432/shop?table=orders&password=s3cret",
            options={"sasl_plain_password": "s3cret", "sample_size": "5"},
            lineage=("postgresql://app:s3cret@db/shop",),
        ),
        NewVersion(V1, "discovered"),
    )
    stream = await store.get_stream("orders")
    assert stream.datasource == "postgresql://app@db:5432/shop?table=orders"
    assert stream.options == {"sample_size": "5"}
    assert stream.lineage == ("postgresql://app@db/shop",)
    updated = await store.update_stream("orders", datasource="kafka://u:pw@k:9092/t")
    assert updated.datasource == "kafka://u@k:9092/t"


async def test_drop_removes_stream_and_versions(store: Store) -> None:
    await store.create_stream(spec(), NewVersion(V1, "declared"))
    await store.add_version("orders", NewVersion(V2, "altered"))
    assert await store.drop_stream("orders") is True
    assert await store.drop_stream("orders") is False
    assert await store.list_streams() == []
    recreated = await store.create_stream(spec(), NewVersion(V3, "declared"))
    assert recreated.version == 1


async def test_list_streams_in_name_order(store: Store) -> None:
    for name in ("zeta", "Alpha", "mid"):
        await store.create_stream(spec(name), NewVersion(V1, "declared"))
    assert [s.name for s in await store.list_streams()] == ["Alpha", "mid", "zeta"]


async def test_list_latest_pairs_each_stream_with_its_newest_version(store: Store) -> None:
    await store.create_stream(spec("b", format="json"), NewVersion(V1, "declared"))
    await store.create_stream(spec("a"), NewVersion(V1, "declared"))
    await store.add_version("a", NewVersion(V2, "altered", "added email"))
    latest = await store.list_latest()
    assert [(s.name, s.format, v.version, v.schema, v.change) for s, v in latest] == [
        ("a", None, 2, V2, "added email"),
        ("b", "json", 1, V1, ""),
    ]
    assert latest[0][1] == await store.get_version("a")


async def test_discovery_facts_are_kept_with_the_version(store: Store) -> None:
    facts = {"sampled": 10, "malformed": 1, "stats": {"id": {"null_fraction": 0.0}}}
    await store.create_stream(spec(), NewVersion(V1, "discovered", discovery=facts))
    assert (await store.get_version("orders")).discovery == facts


async def test_settings(store: Store) -> None:
    assert await store.get_setting("compatibility") is None
    await store.set_setting("compatibility", "FULL")
    await store.set_setting("compatibility", "NONE")
    assert await store.get_setting("compatibility") == "NONE"


async def test_reopening_keeps_everything(catalog_url: str) -> None:
    first = await open_store(catalog_url)
    await first.create_stream(spec(), NewVersion(V1, "declared"))
    await first.close()
    second = await open_store(catalog_url)
    try:
        assert (await second.get_version("orders")).schema == V1
    finally:
        await second.close()


async def test_a_mode_set_before_the_stream_is_taken_with_it_all_or_nothing(store: Store) -> None:
    """A mode kept for a stream not made yet (a pending setting) becomes the stream's in
    the transaction that makes it: a creation that fails leaves the setting, one that
    succeeds takes it away."""
    from catalog.errors import NotPermitted
    from catalog.registration import Registration
    from catalog.store.base import pending_mode_key

    await store.create_stream(spec("taken"), NewVersion(V1, "declared"))  # holds the id 1
    await store.set_setting(pending_mode_key("Later"), "IMPORT")
    other = Registration("AVRO", '"string"')
    refused = NewVersion(V2, "registered", registration=other, number=1, schema_id=1)
    with pytest.raises(NotPermitted):  # the id 1 is another schema's: nothing is written
        await store.create_stream(spec("Later", mode="IMPORT"), refused)
    assert await store.get_setting("mode:later") == "IMPORT"
    with pytest.raises(StreamNotFound):
        await store.get_stream("later", deleted=True)
    given = NewVersion(V2, "registered", registration=other, number=1, schema_id=7)
    await store.create_stream(spec("Later", mode="IMPORT"), given)
    assert (await store.get_stream("later")).mode == "IMPORT"
    assert await store.get_setting("mode:later") is None
