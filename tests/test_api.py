"""The Python API: ``await Catalog.open(url)`` and the blocking ``catalog.connect(url)``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pyarrow as pa
import pytest

import catalog
from catalog.errors import ConcurrentModification, IncompatibleSchema, StreamExists, StreamNotFound

V1 = catalog.Schema([catalog.Field("id", pa.int64(), nullable=False)])
V2 = catalog.Schema([*V1.fields, catalog.Field("note", pa.string(), default=None)])


async def test_async_catalog_on_both_backends(catalog_url: str) -> None:
    async with await catalog.Catalog.open(catalog_url) as cat:
        first = await cat.create_stream(
            "orders", V1, datasource="file:///data/orders.json", validate=False
        )
        assert first.version == 1
        second = await cat.register("orders", V2, change="added note")
        assert (second.version, second.origin) == (2, "altered")
        assert await cat.get_schema("orders") == V2
        assert await cat.get_schema("orders", 1) == V1
        assert [v.version for v in await cat.versions("orders")] == [1, 2]
        assert [s.name for s in await cat.streams()] == ["orders"]
        assert (await cat.stream("orders")).datasource == "file:///data/orders.json"
        assert await cat.drop("orders") is True
        assert await cat.drop("orders", if_exists=True) is False
        with pytest.raises(StreamNotFound):
            await cat.drop("orders")


async def test_if_not_exists_and_or_replace(tmp_path: Path) -> None:
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.create_stream("s", V1)
        with pytest.raises(StreamExists):
            await cat.create_stream("s", V2)
        kept = await cat.create_stream("s", V2, if_not_exists=True)
        assert (kept.version, kept.schema) == (1, V1)
        replaced = await cat.create_stream("s", V2, replace=True, format="json")
        assert (replaced.version, replaced.schema) == (2, V2)
        assert (await cat.stream("s")).format == "json"
        same = await cat.create_stream("s", V2, replace=True)
        assert same.version == 2
        with pytest.raises(catalog.SchemacatError):
            await cat.create_stream("s", V2, replace=True, if_not_exists=True)


async def test_default_compatibility(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEMACAT_COMPATIBILITY", "full")
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        assert await cat.default_compatibility() == "FULL"
        await cat.create_stream("a", V1)
        await cat.set_default_compatibility("none")
        await cat.create_stream("b", V1)
        await cat.create_stream("c", V1, compatibility="forward")
        modes = {s.name: s.compatibility for s in await cat.streams()}
        assert modes == {"a": "FULL", "b": "NONE", "c": "FORWARD"}


def test_sync_facade(tmp_path: Path) -> None:
    with catalog.connect(f"sqlite:///{tmp_path / 'cat.db'}") as cat:
        cat.create_stream("orders", V1)
        cat.register("orders", V2)
        assert cat.get_schema("orders") == V2
        assert [v.version for v in cat.versions("orders")] == [1, 2]
        assert cat.url.endswith("cat.db")


async def test_sync_facade_inside_a_running_event_loop(tmp_path: Path) -> None:
    """As in Jupyter: a loop is running in this thread, and the facade still works."""
    asyncio.get_running_loop()
    cat = catalog.connect(str(tmp_path / "cat.db"))
    try:
        cat.create_stream("orders", V1)
        assert [s.name for s in cat.streams()] == ["orders"]
    finally:
        cat.close()


def test_sync_facade_reports_errors_as_they_are(tmp_path: Path) -> None:
    with catalog.connect(str(tmp_path / "cat.db")) as cat, pytest.raises(StreamNotFound) as err:
        cat.get_schema("missing")
    assert err.value.code == "STREAM_NOT_FOUND"


async def test_every_new_version_is_checked_first(catalog_url: str) -> None:
    async with await catalog.Catalog.open(catalog_url) as cat:
        await cat.create_stream("orders", V1, compatibility="FULL")
        breaking = catalog.Schema([*V1.fields, catalog.Field("must", pa.int64())])
        with pytest.raises(IncompatibleSchema) as err:
            await cat.register("orders", breaking)
        assert err.value.code == "INCOMPATIBLE_SCHEMA"
        assert [i.kind for i in err.value.issues] == ["FIELD_ADDED_WITHOUT_DEFAULT"]
        assert "column must was added without a default" in err.value.message
        assert [v.version for v in await cat.versions("orders")] == [1]
        accepted = await cat.register("orders", V2)
        assert (accepted.version, accepted.change) == (2, "added note VARCHAR")
        await cat.update_stream("orders", compatibility="none")
        assert (await cat.register("orders", breaking)).version == 3


async def test_transitive_mode_checks_every_version(tmp_path: Path) -> None:
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.create_stream("s", V1, compatibility="BACKWARD_TRANSITIVE")
        await cat.register("s", V2)
        without_default = catalog.Schema([*V1.fields, catalog.Field("note", pa.string())])
        with pytest.raises(IncompatibleSchema) as err:
            await cat.register("s", without_default)
        assert [i.version for i in err.value.issues] == [1]


async def test_replace_is_checked_and_identical_schema_registers_nothing(tmp_path: Path) -> None:
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.create_stream("s", V2)
        with pytest.raises(IncompatibleSchema):
            await cat.create_stream(
                "s", catalog.Schema([catalog.Field("id", pa.int8())]), replace=True
            )
        assert (await cat.register("s", V2)).version == 1
        assert (await cat.stream("s")).latest_version == 1
        with pytest.raises(catalog.SchemacatError, match="unknown compatibility mode 'sideways'"):
            await cat.update_stream("s", compatibility="sideways")


async def test_expected_version_is_enforced(tmp_path: Path) -> None:
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.create_stream("s", V1)
        await cat.register("s", V2)
        with pytest.raises(ConcurrentModification, match="at version 2, not 1"):
            await cat.register("s", V1, expected_version=1)


def test_sql_from_python_returns_results_and_arrow_tables(tmp_path: Path) -> None:
    with catalog.connect(f"sqlite:///{tmp_path / 'cat.db'}") as cat:
        created, shown, described = cat.sql(
            "CREATE STREAM orders (id BIGINT NOT NULL, tags VARCHAR[] COMMENT 'labels');"
            "SHOW STREAMS; DESCRIBE ${name}",
            name="orders",
        )
        assert (created.statement, created.rows) == ("CREATE STREAM", [])
        assert created.message == "stream orders: version 1, 2 columns, declared"
        assert shown.columns[:5] == ("name", "datasource", "format", "version", "columns")
        assert shown.rows[0][:5] == ("orders", None, None, 1, 2)
        assert described.rows == [
            ("id", "BIGINT", False, None, None),
            ("tags", "VARCHAR[]", True, None, "labels"),
        ]
        table = described.to_arrow()
        assert table.column_names == ["column", "type", "nullable", "default", "comment"]
        assert table.column("nullable").to_pylist() == [False, True]
        assert shown.to_arrow().column("updated_at").type == pa.timestamp("us", tz="UTC")
        # the Arrow schema is the statement's, not the data's: NULL columns keep their type
        assert described.to_arrow().schema == pa.schema(
            [("column", pa.string()), ("type", pa.string()), ("nullable", pa.bool_()),
             ("default", pa.string()), ("comment", pa.string())]
        )  # fmt: skip
        assert shown.to_arrow().schema.field("datasource").type == pa.string()
        extended = cat.sql("DESCRIBE EXTENDED orders")[0].to_arrow().schema
        assert (extended.field("null_fraction").type, extended.field("min").type) == (
            pa.float64(),
            pa.string(),
        )
        with pytest.raises(catalog.SchemacatError) as err:
            cat.sql("DESCRIBE orders; ALTER STREAM orders DROP COLUMN nope")
        assert err.value.position is not None and err.value.position.column == 50
        assert len(cat.versions("orders")) == 1
