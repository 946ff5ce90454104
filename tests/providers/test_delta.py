"""Delta Lake tables, written by delta-rs (the deltalake package), on disk and on S3."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import boto3
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

import catalog
from catalog.errors import MalformedSource, SourceNotFound
from tests.services import Service

V1 = pa.table({"id": [1, 2], "name": ["a", "b"], "day": ["2024-01-01", "2024-01-02"]})
V2 = pa.table({"id": [3], "amount": [1.5], "day": ["2024-01-03"]})


def types(found: catalog.Discovery) -> dict[str, str]:
    return {f.name: f.sql_type for f in found}


def two_versions(where: str, **storage: str) -> None:
    """Version 0, then an overwrite that drops 'name' and adds 'amount'; the files of
    version 0 stay in the folder, as they do until a VACUUM."""
    options = {"storage_options": storage} if storage else {}
    write_deltalake(where, V1, partition_by=["day"], **options)
    write_deltalake(
        where, V2, partition_by=["day"], mode="overwrite", schema_mode="overwrite", **options
    )


async def test_the_schema_comes_from_the_log_not_the_files(tmp_path: Path) -> None:
    table = tmp_path / "orders"
    two_versions(str(table))
    assert len(list(table.rglob("*.parquet"))) == 3  # the removed files are still there
    found = await catalog.discover_schema(str(table))
    assert (found.format, types(found)) == (
        "delta",
        {"id": "BIGINT", "amount": "DOUBLE", "day": "VARCHAR"},
    )
    assert found.details["delta_version"] == 1
    assert found.details["partition_columns"] == ["day"]
    assert (found.details["rows"], found.details["files"]) == (1, 1)  # V2's, not V1's too
    assert (found.stats["id"].min, found.stats["id"].max) == (3, 3)
    assert found.stats["amount"].null_fraction == 0.0
    assert found.summary("orders") == "orders: delta, schema from the Delta transaction log"
    files = await catalog.discover_schema(str(table), format="parquet")  # the old way, on request
    assert "name" in types(files)
    with pytest.raises(SourceNotFound, match="is not a delta table"):
        await catalog.discover_schema(str(tmp_path), format="delta")


async def test_types_and_nullability(tmp_path: Path) -> None:
    schema = pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("small", pa.int16()),
            pa.field("ratio", pa.float32()),
            pa.field("price", pa.decimal128(10, 2)),
            pa.field("ok", pa.bool_()),
            pa.field("raw", pa.binary()),
            pa.field("day", pa.date32()),
            pa.field("at", pa.timestamp("us", "UTC")),
            pa.field("local", pa.timestamp("us")),
            pa.field("tags", pa.list_(pa.string())),
            pa.field("counts", pa.map_(pa.string(), pa.int64())),
            pa.field("customer", pa.struct([("name", pa.string()), ("tier", pa.int32())])),
        ]
    )
    row = {
        "id": 1,
        "small": 2,
        "ratio": 0.5,
        "price": Decimal("9.99"),
        "ok": True,
        "raw": b"x",
        "day": datetime.date(2024, 1, 1),
        "at": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        "local": datetime.datetime(2024, 1, 1),
        "tags": ["a"],
        "counts": [("a", 1)],
        "customer": {"name": "c", "tier": 1},
    }
    write_deltalake(str(tmp_path / "t"), pa.Table.from_pylist([row], schema=schema))
    found = await catalog.discover_schema(str(tmp_path / "t"))
    assert types(found) == {
        "id": "BIGINT",
        "small": "SMALLINT",
        "ratio": "FLOAT",
        "price": "DECIMAL(10,2)",
        "ok": "BOOLEAN",
        "raw": "BLOB",
        "day": "DATE",
        "at": "TIMESTAMP WITH TIME ZONE",
        "local": "TIMESTAMP",
        "tags": "VARCHAR[]",
        "counts": "MAP(VARCHAR, BIGINT)",
        "customer": 'STRUCT("name" VARCHAR, tier INTEGER)',
    }
    assert [f.name for f in found if not f.nullable] == ["id"]


async def test_a_checkpoint_holds_the_schema_when_the_commits_are_gone(tmp_path: Path) -> None:
    table = tmp_path / "t"
    two_versions(str(table))
    DeltaTable(str(table)).create_checkpoint()
    write_deltalake(str(table), V2, partition_by=["day"], mode="append")  # no metaData in it
    for commit in ("00000000000000000000.json", "00000000000000000001.json"):
        (table / "_delta_log" / commit).unlink()  # as log cleanup leaves a table
    found = await catalog.discover_schema(str(table))
    assert types(found) == {"id": "BIGINT", "amount": "DOUBLE", "day": "VARCHAR"}
    assert found.details["delta_version"] == 2
    assert (found.details["rows"], found.details["files"]) == (2, 2)  # checkpoint + append


async def test_a_delta_table_on_s3(s3: Service, bucket: str) -> None:
    credentials = boto3.Session().get_credentials()
    two_versions(
        f"s3://{bucket}/lake/orders",
        AWS_ENDPOINT_URL=s3.address,
        AWS_ALLOW_HTTP="true",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID=credentials.access_key,
        AWS_SECRET_ACCESS_KEY=credentials.secret_key,
        AWS_S3_ALLOW_UNSAFE_RENAME="true",
    )
    found = await catalog.discover_schema(f"s3://{bucket}/lake/orders/", endpoint_url=s3.address)
    assert (found.format, types(found)) == (
        "delta",
        {"id": "BIGINT", "amount": "DOUBLE", "day": "VARCHAR"},
    )
    assert found.details["bytes_read"] < 10_000  # the log's commits, not the data


async def test_refresh_follows_the_table(tmp_path: Path) -> None:
    table = tmp_path / "orders"
    write_deltalake(str(table), V1, partition_by=["day"])
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.execute(
            f"CREATE STREAM orders WITH (datasource = '{table}', compatibility = 'NONE')"
        )
        write_deltalake(
            str(table), V2, partition_by=["day"], mode="overwrite", schema_mode="overwrite"
        )
        [refreshed] = await cat.execute("ALTER STREAM orders REFRESH")
        assert refreshed.message == "stream orders: version 2 (added amount DOUBLE; dropped name)"
        [described] = await cat.execute("DESCRIBE EXTENDED orders")
        assert described.message == (
            f"from {table}; Delta table version 1, 1 row in 1 file, partitioned by day"
        )
        assert described.rows[0][7:9] == ("3", "3")  # id's min and max


async def test_a_broken_log_is_reported_by_file_and_line(tmp_path: Path) -> None:
    table = tmp_path / "t"
    two_versions(str(table))
    commit = table / "_delta_log" / "00000000000000000001.json"
    commit.write_text(commit.read_text() + "{not json\n")
    with pytest.raises(MalformedSource, match=r"00000000000000000001\.json:\d+: not a JSON action"):
        await catalog.discover_schema(str(table))
