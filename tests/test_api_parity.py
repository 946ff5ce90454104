"""The Python API does what each SQL statement does: the same catalog afterwards, the same
results, and the same errors with the same messages (one test per statement family)."""

from __future__ import annotations

import inspect
import shutil
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import catalog
from catalog.errors import SchemacatError
from catalog.evolve import AddColumn, DropColumn, RenameColumn, SetColumnDefault, SetColumnType

DATA = Path(__file__).parent / "sql" / "data"


@pytest.fixture
async def twins(tmp_path: Path) -> AsyncIterator[tuple[catalog.Catalog, catalog.Catalog]]:
    """Two empty catalogs: one driven by SQL, one by Python."""
    async with (
        await catalog.Catalog.open(str(tmp_path / "sql.db")) as by_sql,
        await catalog.Catalog.open(str(tmp_path / "python.db")) as by_python,
    ):
        yield by_sql, by_python


async def state(cat: catalog.Catalog) -> list[tuple[Any, ...]]:
    """What a catalog holds: each stream's settings and every version's schema and facts."""
    held = []
    for stream in await cat.streams():
        versions = [
            (v.version, v.fingerprint, v.origin, v.change, v.discovery is not None)
            for v in await cat.versions(stream.name)
        ]
        held.append(
            (stream.name, stream.datasource, stream.format, dict(stream.options),
             stream.compatibility, stream.lineage, versions)
        )  # fmt: skip
    return held


async def same_error(sql: Awaitable[Any], python: Awaitable[Any]) -> None:
    with pytest.raises(SchemacatError) as by_sql:
        await sql
    with pytest.raises(SchemacatError) as by_python:
        await python
    assert (by_python.value.code, by_python.value.message, by_python.value.hint) == (
        by_sql.value.code,
        by_sql.value.message,
        by_sql.value.hint,
    )


async def test_create_declared_discovered_checked_and_derived(
    twins: tuple[catalog.Catalog, catalog.Catalog],
) -> None:
    by_sql, by_python = twins
    sales = str(DATA / "sales.csv")
    await by_sql.execute(
        "CREATE STREAM people (id BIGINT NOT NULL, email VARCHAR COMMENT 'login') "
        "WITH (compatibility = 'FULL');"
        f"CREATE STREAM sales WITH (datasource = '{sales}', sample_size = 100);"
        f"CREATE STREAM checked (id BIGINT, amount DOUBLE) WITH (datasource = '{sales}');"
        "CREATE STREAM totals AS SELECT day, sum(amount) AS total FROM sales GROUP BY day;"
    )
    people = catalog.Schema(
        [
            catalog.Field("id", pa.int64(), nullable=False),
            catalog.Field("email", pa.string(), default=None, comment="login"),
        ]
    )
    await by_python.create_stream("people", people, compatibility="FULL")
    await by_python.create_stream("sales", datasource=sales, options={"sample_size": "100"})
    declared = catalog.Schema(
        [
            catalog.Field("id", pa.int64(), default=None),
            catalog.Field("amount", pa.float64(), default=None),
        ]
    )
    await by_python.create_stream("checked", declared, datasource=sales)
    query = "SELECT day, sum(amount) AS total FROM sales GROUP BY day"
    await by_python.create_stream("totals", query=query)
    assert await state(by_python) == await state(by_sql)
    wrong = catalog.Schema([catalog.Field("nope", pa.int64(), default=None)])
    await same_error(
        by_sql.execute(f"CREATE STREAM bad (nope BIGINT) WITH (datasource = '{sales}')"),
        by_python.create_stream("bad", wrong, datasource=sales),
    )
    await same_error(
        by_sql.execute("CREATE STREAM bad WITH (sampel_size = 3)"),
        by_python.create_stream("bad", options={"sampel_size": "3"}),
    )


async def test_alter_set_refresh_and_validate(
    twins: tuple[catalog.Catalog, catalog.Catalog], tmp_path: Path
) -> None:
    by_sql, by_python = twins
    source = tmp_path / "orders.ndjson"
    shutil.copy(DATA / "orders.ndjson", source)
    for cat in twins:
        await cat.create_stream("orders", datasource=str(source))
    await by_sql.execute(
        "ALTER STREAM orders ADD COLUMN channel VARCHAR DEFAULT 'web', DROP COLUMN note;"
        "ALTER STREAM orders RENAME COLUMN channel TO source;"
        "ALTER STREAM orders ALTER COLUMN id TYPE DECIMAL(38,0), ALTER COLUMN source SET DEFAULT 'shop';"
        "ALTER STREAM orders SET (compatibility = 'NONE', sample_size = 50);"
        "ALTER STREAM orders REFRESH;"
    )
    await by_python.alter(
        "orders",
        [AddColumn(catalog.Field("channel", pa.string(), default="web")), DropColumn("note")],
    )
    await by_python.alter("orders", [RenameColumn("channel", "source")])
    await by_python.alter(
        "orders", [SetColumnType("id", pa.decimal128(38, 0)), SetColumnDefault("source", "shop")]
    )
    await by_python.set_options("orders", {"compatibility": "NONE", "sample_size": "50"})
    await by_python.refresh("orders")
    assert await state(by_python) == await state(by_sql)
    [drift] = await by_sql.execute("VALIDATE STREAM orders")
    assert drift.rows == [
        (d.column, d.registered_type, d.observed_type, d.status)
        for d in await by_python.validate("orders")
    ]
    await same_error(
        by_sql.execute("ALTER STREAM orders DROP COLUMN nope"),
        by_python.alter("orders", [DropColumn("nope")]),
    )
    await same_error(
        by_sql.execute("ALTER STREAM orders ALTER COLUMN id SET DEFAULT 'many'"),
        by_python.alter("orders", [SetColumnDefault("id", "many")]),
    )


async def test_show_and_describe(twins: tuple[catalog.Catalog, catalog.Catalog]) -> None:
    by_sql, _ = twins
    await by_sql.execute(
        f"CREATE STREAM orders WITH (datasource = '{DATA / 'orders.ndjson'}');"
        "ALTER STREAM orders ADD COLUMN qty INTEGER;"
        "ALTER STREAM orders ALTER COLUMN qty TYPE BIGINT;"
    )
    cat = by_sql
    streams, schemas, versions, history, described, extended = await cat.execute(
        "SHOW STREAMS; SHOW SCHEMAS; SHOW SCHEMA VERSIONS FOR orders; "
        "SHOW SCHEMA COMPATIBILITY FOR orders; DESCRIBE orders VERSION 2; DESCRIBE EXTENDED orders"
    )
    latest = await cat.latest_versions()
    assert [r[:5] for r in streams.rows] == [
        (s.name, s.datasource, s.format, s.latest_version, len(v.schema)) for s, v in latest
    ]
    assert [r[4] for r in schemas.rows] == [v.fingerprint for _, v in latest]
    assert [(r[0], r[1], r[4]) for r in versions.rows] == [
        (v.version, v.fingerprint, v.change) for v in await cat.versions("orders")
    ]
    assert [(r[0], r[3]) for r in history.rows] == [
        (number, result.compatible) for number, result in await cat.compatibility_history("orders")
    ]
    assert [r[:2] for r in described.rows] == [
        (f.name, f.sql_type) for f in (await cat.describe("orders", 2)).version.schema
    ]
    full = await cat.describe("orders", extended=True)
    assert extended.message == full.basis
    assert [r[5] for r in extended.rows] == [
        full.stats[f.name].null_fraction if f.name in full.stats else None
        for f in full.version.schema
    ]
    [source] = await cat.execute(f"DESCRIBE '{DATA / 'sales.csv'}' WITH (sample_size = 10)")
    found = await cat.discover(str(DATA / "sales.csv"), sample_size=10)
    assert [r[:2] for r in source.rows] == [(f.name, f.sql_type) for f in found]
    await same_error(cat.execute("DESCRIBE orders VERSION 9"), cat.describe("orders", 9))


async def test_drop_and_settings(twins: tuple[catalog.Catalog, catalog.Catalog]) -> None:
    by_sql, by_python = twins
    for cat in twins:
        await cat.create_stream("gone", catalog.Schema([catalog.Field("id", pa.int64())]))
    await by_sql.execute("DROP STREAM gone; DROP STREAM IF EXISTS gone; SET compatibility = 'full'")
    await by_python.drop("gone")
    assert await by_python.drop("gone", if_exists=True) is False
    assert await by_python.set_setting("compatibility", "full") == "FULL"
    assert await state(by_python) == await state(by_sql) == []
    assert await by_python.default_compatibility() == await by_sql.default_compatibility()
    await same_error(by_sql.execute("DROP STREAM gone"), by_python.drop("gone"))
    await same_error(
        by_sql.execute("SET compatibility = 'sideways'"),
        by_python.set_setting("compatibility", "sideways"),
    )


def test_the_blocking_twin_has_every_method(tmp_path: Path) -> None:
    """SyncCatalog is generated from Catalog: every coroutine method, without await."""
    methods = [
        name
        for name, method in inspect.getmembers(catalog.Catalog, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in ("open", "close")
    ]
    assert len(methods) > 20
    with catalog.connect(str(tmp_path / "c.db")) as cat:
        assert [name for name in methods if not hasattr(catalog.SyncCatalog, name)] == []
        found = cat.discover(str(DATA / "sales.csv"))
        assert [f.name for f in found] == ["id", "name", "amount", "day"]
        assert cat.create_stream("sales", found).origin == "discovered"
