"""Hive partition columns are typed as DuckDB types them: the same folders, local and on S3,
in Parquet, CSV and NDJSON, described by schemacat and by DuckDB's own
``read_*(..., hive_partitioning = true)``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import boto3
import duckdb
import pytest

import catalog
from tests.cli.process import schemacat
from tests.providers import samples
from tests.services import Service

SHAPES = {
    "leading zeros": ["year=2024/month=01", "year=2024/month=12", "year=2025/month=02"],
    "dates": ["day=2024-01-01", "day=2024-02-29"],
    "timestamps": ["at=2024-01-01 10:00:00", "at=2024-01-02 23:59:59"],
    "ints and strings": ["k=1", "k=abc"],
    "beyond bigint": ["k=1", "k=99999999999999999999"],
    "the largest bigint": ["k=-9223372036854775808", "k=9223372036854775807"],
    "empty values": ["k=", "k=3"],
    "hive default partition": ["k=__HIVE_DEFAULT_PARTITION__", "k=3"],
    "all null": ["k=__HIVE_DEFAULT_PARTITION__"],
    "the word NULL": ["k=NULL", "k=7"],
    "url-escaped": ["day=2024%2D01%2D01", "n=%31%32", "city=New%20York"],
    "escaped and plain": ["day=2024-01-01", "day=2024%2D01%2D02"],
    "signs and spaces": ["k=-5", "k=+5", "k= 5"],
    "decimals": ["k=1.5", "k=2"],
}
ROWS = [{"id": i, "note": f"n{i}"} for i in range(3)]
FILES: dict[str, tuple[str, bytes, str]] = {  # format: file name, content, DuckDB's reader
    "parquet": ("part-0.parquet", samples.parquet(), "read_parquet"),
    "csv": ("part-0.csv", b"id,note\n1,a\n2,b\n", "read_csv"),
    "ndjson": ("part-0.ndjson", samples.ndjson(ROWS), "read_json"),
}
Layout = Callable[[str], list[tuple[str, bytes]]]


def layout(shape: str, fmt: str) -> list[tuple[str, bytes]]:
    """The files of a shape: a file of format ``fmt`` in each partition folder (folders of
    different keys side by side are typed key by key, since DuckDB would refuse them)."""
    name, data, _ = FILES[fmt]
    return [(f"{folder}/{name}", data) for folder in SHAPES[shape]]


def duckdb_partitions(root: Path, shape: str, fmt: str) -> dict[str, str]:
    """DuckDB's types for the partition keys of ``shape`` under ``root``: one question per
    set of folders with the same keys, since DuckDB refuses folders of different keys."""
    name, _, reader = FILES[fmt]
    by_keys: dict[tuple[str, ...], list[str]] = {}
    for folder in SHAPES[shape]:
        keys = tuple(part.split("=")[0] for part in folder.split("/"))
        by_keys.setdefault(keys, []).append(f"{root}/{folder}/{name}")
    types = {}
    for keys, files in by_keys.items():
        rows = duckdb.execute(
            f"DESCRIBE SELECT * FROM {reader}($files, hive_partitioning = true)", {"files": files}
        ).fetchall()
        types.update({column: kind for column, kind, *_ in rows if column in keys})
    return types


def partitions(found: catalog.Discovery) -> dict[str, str]:
    return {f.name: f.sql_type for f in found if f.comment == "hive partition"}


def write(root: Path, files: list[tuple[str, bytes]]) -> Path:
    for name, data in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


@pytest.mark.parametrize("fmt", list(FILES))
@pytest.mark.parametrize("shape", list(SHAPES))
async def test_a_local_folder_is_typed_as_duckdb_types_it(
    tmp_path: Path, shape: str, fmt: str
) -> None:
    root = write(tmp_path / "lake", layout(shape, fmt))
    found = await catalog.discover_schema(str(root))
    assert partitions(found) == duckdb_partitions(root, shape, fmt)


@pytest.mark.parametrize("fmt", list(FILES))
async def test_an_s3_prefix_is_typed_as_duckdb_types_the_same_folder(
    s3: Service, bucket: str, tmp_path: Path, fmt: str
) -> None:
    """DuckDB reads no S3 here (no httpfs): it is asked about the same files on disk."""
    client = boto3.client("s3", endpoint_url=s3.address)
    for shape in SHAPES:
        files = layout(shape, fmt)
        write(tmp_path / shape, files)
        for name, data in files:
            client.put_object(Bucket=bucket, Key=f"{shape}/{name}", Body=data)
        found = await catalog.discover_schema(f"s3://{bucket}/{shape}/", endpoint_url=s3.address)
        assert partitions(found) == duckdb_partitions(tmp_path / shape, shape, fmt), shape


def test_schemacat_discover_keeps_the_leading_zero(tmp_path: Path) -> None:
    root = write(tmp_path / "lake", layout("leading zeros", "parquet"))
    out = schemacat("discover", str(root), "--format", "json")
    assert out.returncode == 0, out.stderr
    columns = {c["name"]: c["type"] for c in json.loads(out.stdout)["columns"]}
    assert (columns["year"], columns["month"]) == ("BIGINT", "VARCHAR")
    rows = duckdb.sql(
        f"SELECT DISTINCT month FROM read_parquet('{root}/**/*.parquet', hive_partitioning = true) "
        "ORDER BY month"
    ).fetchall()
    assert rows == [("01",), ("02",), ("12",)]  # what a BIGINT would have lost


def test_describe_types_partitions_as_duckdb_does(tmp_path: Path) -> None:
    root = write(tmp_path / "lake", layout("timestamps", "ndjson"))
    out = schemacat(
        "--catalog", str(tmp_path / "c.db"), "run", "-c", f"DESCRIBE '{root}'", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    rows = {r["column"]: r["type"] for r in json.loads(out.stdout)["rows"]}
    assert rows["at"] == duckdb_partitions(root, "timestamps", "ndjson")["at"] == "TIMESTAMP"
