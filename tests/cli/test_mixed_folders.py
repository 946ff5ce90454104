"""A folder or S3 prefix holding files of several formats is several tables: CREATE STREAM
and DESCRIBE say so, listing each format's files and what names them alone, and register
nothing; a glob or ``format`` picks one.  One format over partition folders still merges."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

import catalog
from catalog.discover import sample
from catalog.errors import SchemaConflict
from tests.cli.process import schemacat
from tests.providers import samples
from tests.services import Service

MIXED = {  # a CSV, a gzip NDJSON and a partitioned Parquet folder
    "orders.csv": samples.csv(),
    "events.ndjson.gz": samples.gz(samples.ndjson()),
    "lake/day=2024-01-01/part-0.parquet": samples.parquet(),
    "lake/day=2024-01-02/part-0.parquet": samples.parquet(),
}


def write_local(root: Path, files: dict[str, bytes]) -> str:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return str(root)


def put_s3(s3: Service, bucket: str, prefix: str, files: dict[str, bytes]) -> str:
    client = boto3.client("s3", endpoint_url=s3.address)
    for name, data in files.items():
        client.put_object(Bucket=bucket, Key=f"{prefix}/{name}", Body=data)
    return f"s3://{bucket}/{prefix}/"


def run(tmp_path: Path, sql: str) -> tuple[int, str, list[dict[str, object]]]:
    """Exit status, stderr and the JSON results of ``schemacat run -c SQL``."""
    out = schemacat("--catalog", str(tmp_path / "catalog.db"), "run", "-c", sql, "--format", "json")
    return out.returncode, out.stderr, [json.loads(line) for line in out.stdout.splitlines()]


@pytest.fixture(params=["local", "s3"])
def mixed(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """The mixed folder, local or on S3: its URI (a folder ends in /), and the WITH options
    that reach it."""
    if request.param == "local":
        return write_local(tmp_path / "mixed", MIXED) + "/", ""
    s3: Service = request.getfixturevalue("s3")
    bucket: str = request.getfixturevalue("bucket")
    return put_s3(s3, bucket, "mixed", MIXED), f", endpoint_url = '{s3.address}'"


def test_create_stream_over_mixed_formats_lists_them_and_registers_nothing(
    tmp_path: Path, mixed: tuple[str, str]
) -> None:
    uri, options = mixed
    status, err, _ = run(tmp_path, f"CREATE STREAM m WITH (datasource = '{uri}'{options})")
    assert status == 1 and "internal error" not in err and "Traceback" not in err
    assert f"error: {uri} holds 3 tables, one per format;" in err, err
    assert f"  - csv, 1 file: {uri}orders.csv\n" in err
    assert f"  - json, 1 file: {uri}events.ndjson.gz\n" in err
    assert (
        f"  - parquet, 2 files: {uri}lake/ (e.g. {uri}lake/day=2024-01-01/part-0.parquet)\n" in err
    )
    assert f"a glob such as {uri}**/*.parquet, or format = 'parquet'" in err
    _, _, shown = run(tmp_path, "SHOW STREAMS")
    assert shown[0]["rows"] == []


def test_describe_a_mixed_folder_is_the_same_error(tmp_path: Path, mixed: tuple[str, str]) -> None:
    uri, options = mixed
    with_options = f" WITH ({options.lstrip(', ')})" if options else ""
    status, err, _ = run(tmp_path, f"DESCRIBE '{uri}'{with_options}")
    assert status == 1 and f"{uri} holds 3 tables, one per format;" in err, err


def test_the_glob_and_the_format_the_error_suggests_pick_one(
    tmp_path: Path, mixed: tuple[str, str]
) -> None:
    uri, options = mixed
    status, err, results = run(
        tmp_path,
        f"CREATE STREAM lake WITH (datasource = '{uri}**/*.parquet'{options}); "
        f"CREATE STREAM events WITH (datasource = '{uri}', format = 'json'{options}); "
        "DESCRIBE lake; DESCRIBE events",
    )
    assert status == 0, err
    lake, events = results[2]["rows"], results[3]["rows"]
    assert [r["column"] for r in lake] == ["id", "name", "score", "tags", "day"]
    assert [r["column"] for r in events] == ["id", "customer", "items", "placed_at", "note"]
    status, err, results = run(tmp_path, f"DESCRIBE '{uri}' WITH (format = 'json'{options})")
    assert status == 0, err
    assert results[0]["rows"] == events


def test_the_format_picked_names_what_it_left_out(tmp_path: Path) -> None:
    root = write_local(tmp_path / "mixed", MIXED)
    out = schemacat("discover", f"{root}?format=csv")
    assert out.returncode == 0, out.stderr
    assert (
        "note: format = 'csv': read 1 csv file, and left out 3 files of other formats: "
        "json (1) and parquet (2)"
    ) in out.stdout


def test_formats_side_by_side_are_named_by_glob(tmp_path: Path) -> None:
    """No folder holds one format alone: each is named by a glob."""
    root = write_local(
        tmp_path / "flat",
        {
            "a.csv": samples.csv(),
            "b.csv": samples.csv(),
            "c.ndjson": samples.ndjson(),
            "d.jsonl.gz": samples.gz(samples.ndjson()),
        },
    )
    out = schemacat("discover", root)
    assert out.returncode == 1
    assert f"error: {root} holds files of 2 formats (csv and json);" in out.stderr
    assert f"  - csv, 2 files: {root}/**/*.csv (e.g. {root}/a.csv)" in out.stderr
    assert f"  - json, 2 files: format = 'json' (e.g. {root}/c.ndjson)" in out.stderr
    assert f"hint: discover one format at a time: a glob such as {root}/**/*.csv" in out.stderr
    assert schemacat("discover", f"{root}/**/*.csv").returncode == 0


def test_files_told_by_their_content_must_agree_too(tmp_path: Path) -> None:
    root = write_local(
        tmp_path / "hadoop", {"part-00000": b'{"id": 1}\n', "part-00001": samples.parquet()}
    )
    out = schemacat("discover", root)
    assert out.returncode == 1
    assert f"error: {root} holds 2 tables, one per format;" in out.stderr, out.stderr
    assert f"  - json, 1 file: {root}/part-00000\n" in out.stderr
    assert f"  - parquet, 1 file: {root}/part-00001\n" in out.stderr
    assert "name the files by their format" in out.stderr  # format = would read both as one


@pytest.mark.parametrize("where", ["local", "s3"])
def test_one_format_over_partition_folders_still_merges(
    tmp_path: Path, where: str, request: pytest.FixtureRequest
) -> None:
    files = {
        "day=2024-01-01/a.ndjson": b'{"id": 1, "v": 1}\n',
        "day=2024-01-02/b.ndjson.gz": samples.gz(b'{"id": 2, "v": 2.5, "late": true}\n'),
        "day=2024-01-03/sub/c.jsonl": b'{"id": 3}\n',
    }
    options = ""
    if where == "local":
        uri = write_local(tmp_path / "events", files)
    else:
        s3: Service = request.getfixturevalue("s3")
        uri = put_s3(s3, request.getfixturevalue("bucket"), "events", files)
        options = f", endpoint_url = '{s3.address}'"
    status, err, results = run(
        tmp_path, f"CREATE STREAM e WITH (datasource = '{uri}'{options}); DESCRIBE e"
    )
    assert status == 0, err
    columns = {r["column"]: r["type"] for r in results[1]["rows"]}
    assert columns == {"id": "BIGINT", "v": "DOUBLE", "late": "BOOLEAN", "day": "DATE"}


async def test_the_python_api_says_the_same(tmp_path: Path) -> None:
    root = write_local(tmp_path / "mixed", MIXED)
    with pytest.raises(SchemaConflict, match="holds 3 tables, one per format") as err:
        await catalog.discover_schema(root)
    assert err.value.hint is not None and "format = 'parquet'" in err.value.hint
    with pytest.raises(SchemaConflict, match="holds 3 tables, one per format"):
        await sample(root)
    records = await sample(root, format="json", sample_size=5)
    assert records.column_names == ["id", "customer", "items", "placed_at", "note"]
    found = await catalog.discover_schema(root, format="parquet")
    assert found.details["files_other_formats"] == [
        f"{root}/events.ndjson.gz",
        f"{root}/orders.csv",
    ]
