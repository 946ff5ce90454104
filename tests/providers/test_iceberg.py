"""Apache Iceberg tables, written by pyiceberg (a SQL catalog over SQLite), on disk and on S3."""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema as IcebergSchema
from pyiceberg.table import Table
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import (
    DateType,
    DecimalType,
    FixedType,
    IntegerType,
    ListType,
    LongType,
    MapType,
    NestedField,
    StringType,
    StructType,
    TimestamptzType,
    TimeType,
    UUIDType,
)

import catalog
from catalog.errors import SourceNotFound
from tests.services import Service

SCHEMA = IcebergSchema(
    NestedField(1, "id", LongType(), required=True, doc="order number"),
    NestedField(2, "region", StringType()),
    NestedField(3, "at", TimestamptzType()),
    NestedField(4, "price", DecimalType(10, 2)),
    NestedField(5, "day", DateType()),
    NestedField(6, "clock", TimeType()),
    NestedField(7, "ref", UUIDType()),
    NestedField(8, "digest", FixedType(16)),
    NestedField(9, "qty", IntegerType()),
    NestedField(10, "tags", ListType(11, StringType(), element_required=True)),
    NestedField(12, "counts", MapType(13, StringType(), 14, LongType())),
    NestedField(15, "customer", StructType(NestedField(16, "name", StringType(), required=True))),
)
SPEC = PartitionSpec(
    PartitionField(3, 1000, DayTransform(), "at_day"),
    PartitionField(2, 1001, IdentityTransform(), "region"),
)


def types(found: catalog.Discovery) -> dict[str, str]:
    return {f.name: f.sql_type for f in found}


def new_table(warehouse: Path) -> Table:
    warehouse.mkdir(parents=True, exist_ok=True)
    cat = SqlCatalog("t", uri=f"sqlite:///{warehouse}/catalog.db", warehouse=f"file://{warehouse}")
    cat.create_namespace("shop")
    return cat.create_table("shop.orders", schema=SCHEMA, partition_spec=SPEC)


def evolve(table: Table) -> None:
    with table.update_schema() as update:
        update.add_column("note", StringType(), doc="free text")
        update.delete_column("qty")


async def test_the_current_schema_of_a_table(tmp_path: Path) -> None:
    table = new_table(tmp_path / "wh")
    folder = tmp_path / "wh" / "shop" / "orders"
    first = await catalog.discover_schema(str(folder))
    assert first.format == "iceberg"
    assert types(first) == {
        "id": "BIGINT",
        "region": "VARCHAR",
        "at": "TIMESTAMP WITH TIME ZONE",
        "price": "DECIMAL(10,2)",
        "day": "DATE",
        "clock": "TIME",
        "ref": "UUID",
        "digest": "BLOB",
        "qty": "INTEGER",
        "tags": "VARCHAR[]",
        "counts": "MAP(VARCHAR, BIGINT)",
        "customer": 'STRUCT("name" VARCHAR)',
    }
    assert [f.name for f in first if not f.nullable] == ["id"]
    assert not first["customer"].type.field("name").nullable  # required, nested too
    assert not first["tags"].type.value_field.nullable
    assert first["id"].comment == "order number"
    assert first.details["partition_columns"] == ["day(at)", "region"]
    evolve(table)
    catalog.invalidate(str(folder))
    second = await catalog.discover_schema(str(folder))
    assert "qty" not in types(second) and types(second)["note"] == "VARCHAR"
    assert second.details["iceberg_metadata"].endswith(Path(table.metadata_location).name)
    with pytest.raises(SourceNotFound, match="is not a delta table"):
        await catalog.discover_schema(str(folder), format="delta")


async def test_the_version_hint_names_the_current_metadata(tmp_path: Path) -> None:
    """The Hadoop layout: v<N>.metadata.json and version-hint.text."""
    table = new_table(tmp_path / "wh")
    evolve(table)
    metadata = tmp_path / "hadoop" / "metadata"
    metadata.mkdir(parents=True)
    for number, path in enumerate(
        sorted((tmp_path / "wh" / "shop" / "orders" / "metadata").glob("*.metadata.json")), 1
    ):
        shutil.copy(path, metadata / f"v{number}.metadata.json")
    (metadata / "version-hint.text").write_text("1\n")  # the first, before the change
    found = await catalog.discover_schema(str(tmp_path / "hadoop"))
    assert "qty" in types(found) and "note" not in types(found)


async def test_an_iceberg_table_on_s3(tmp_path: Path, s3: Service, bucket: str) -> None:
    table = new_table(tmp_path / "wh")
    evolve(table)
    client = boto3.client("s3", endpoint_url=s3.address)
    folder = tmp_path / "wh" / "shop" / "orders"
    for path in folder.rglob("*"):
        if path.is_file():
            client.upload_file(str(path), bucket, f"lake/orders/{path.relative_to(folder)}")
    found = await catalog.discover_schema(f"s3://{bucket}/lake/orders/", endpoint_url=s3.address)
    assert found.format == "iceberg"
    assert "note" in types(found) and "qty" not in types(found)
    first = sorted((folder / "metadata").glob("*.metadata.json"))[0].name
    named = await catalog.discover_schema(
        f"s3://{bucket}/lake/orders/metadata/{first}", endpoint_url=s3.address
    )
    assert "qty" in types(named) and "note" not in types(named)


async def test_a_metadata_file_named_by_the_uri_is_the_one_read(tmp_path: Path) -> None:
    """A catalog knows the current metadata file; a URI naming it reads exactly that."""
    table = new_table(tmp_path / "wh")
    first = Path(table.metadata_location.removeprefix("file://"))
    evolve(table)
    found = await catalog.discover_schema(str(first))
    assert (found.format, "qty" in types(found), "note" in types(found)) == ("iceberg", True, False)


async def test_refresh_follows_the_table(tmp_path: Path) -> None:
    table = new_table(tmp_path / "wh")
    folder = tmp_path / "wh" / "shop" / "orders"
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.execute(
            f"CREATE STREAM orders WITH (datasource = '{folder}', compatibility = 'NONE')"
        )
        evolve(table)
        [refreshed] = await cat.execute("ALTER STREAM orders REFRESH")
        assert refreshed.message == "stream orders: version 2 (added note VARCHAR; dropped qty)"
        [described] = await cat.execute("DESCRIBE EXTENDED orders")
        assert described.message is not None
        assert "Iceberg table, metadata" in described.message
        assert described.message.endswith("partitioned by day(at), region")


async def test_rows_and_files_of_the_current_snapshot(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    cat = SqlCatalog("t", uri=f"sqlite:///{warehouse}/catalog.db", warehouse=f"file://{warehouse}")
    cat.create_namespace("shop")
    schema = IcebergSchema(NestedField(1, "id", LongType(), required=True))
    table = cat.create_table("shop.ids", schema=schema)
    rows = pa.table({"id": pa.array([1, 2, 3], pa.int64())}, schema=schema.as_arrow())
    table.append(rows)
    table.append(rows)
    found = await catalog.discover_schema(str(warehouse / "shop" / "ids"))
    assert (found.details["rows"], found.details["files"]) == (6, 2)
