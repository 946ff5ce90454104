"""The S3 provider against a real S3 endpoint (moto server, or $SCHEMACAT_TEST_S3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pytest

import catalog
from catalog.discover import sample
from catalog.errors import AccessDenied, SourceNotFound, SourceUnreachable
from tests.providers import samples
from tests.services import Service, free_port

Put = Callable[[str, bytes], str]


@pytest.fixture
def put(s3: Service, bucket: str) -> Put:
    client = boto3.client("s3", endpoint_url=s3.address)

    def put(key: str, data: bytes) -> str:
        client.put_object(Bucket=bucket, Key=key, Body=data)
        return f"s3://{bucket}/{key}"

    return put


async def discover(s3: Service, uri: str, **options: Any) -> catalog.Discovery:
    return await catalog.discover_schema(uri, endpoint_url=s3.address, **options)


def types(found: catalog.Discovery) -> dict[str, str]:
    return {f.name: f.sql_type for f in found}


@pytest.mark.parametrize(
    ("key", "data", "expected"),
    [
        ("o.ndjson", samples.ndjson(), samples.ORDER_TYPES),
        ("o.json", samples.json_array(), samples.ORDER_TYPES),
        ("o.json.gz", samples.gz(samples.ndjson()), samples.ORDER_TYPES),
        (
            "s.csv.zst",
            samples.zst(samples.csv()),
            {"id": "BIGINT", "name": "VARCHAR", "amount": "DOUBLE", "day": "DATE"},
        ),
        (
            "t.parquet",
            samples.parquet(),
            {"id": "BIGINT", "name": "VARCHAR", "score": "DOUBLE", "tags": "VARCHAR[]"},
        ),
        (
            "t.arrow",
            samples.arrow_file(),
            {"id": "BIGINT", "name": "VARCHAR", "score": "DOUBLE", "tags": "VARCHAR[]"},
        ),
        (
            "r.avro",
            samples.avro(),
            {"sensor": "VARCHAR", "value": "DOUBLE", "at": "TIMESTAMP WITH TIME ZONE"},
        ),
    ],
)
async def test_every_format(
    s3: Service, put: Put, key: str, data: bytes, expected: dict[str, str]
) -> None:
    found = await discover(s3, put(f"data/{key}", data))
    assert types(found) == expected
    assert found.uri.startswith("s3://")


async def test_parquet_costs_its_footer_not_its_size(s3: Service, put: Put) -> None:
    rows = 400_000
    table = pa.table(
        {"id": pa.array(range(rows)), "name": pa.array([f"name-{i}" for i in range(rows)])}
    )
    data = samples.parquet(table, compression="none")
    assert len(data) > 5_000_000
    found = await discover(s3, put("big/part-0.parquet", data))
    assert found.details["rows"] == rows
    assert found.details["bytes_read"] <= 65_536
    assert found.details["bytes_read"] / len(data) < 0.02


async def test_json_reads_only_the_leading_bytes_it_needs(s3: Service, put: Put) -> None:
    records = [dict(samples.ORDERS[i % 50], id=i) for i in range(20_000)]
    data = samples.ndjson(records)
    found = await discover(s3, put("events/e.ndjson", data), sample_size=1000)
    assert found.sampled == 1000
    assert found.details["bytes_read"] < len(data) / 8


async def test_prefixes_globs_and_partitions(s3: Service, put: Put, bucket: str) -> None:
    for day in ("2024-01-01", "2024-01-02"):
        put(f"lake/day={day}/part-0.parquet", samples.parquet())
        put(f"lake/day={day}/part-1.parquet", samples.parquet())
    put("lake/_SUCCESS", b"")
    put("lake/manifest.md", b"two days, four files, written by the nightly job\n")
    prefix = await discover(s3, f"s3://{bucket}/lake/")
    assert list(types(prefix)) == ["id", "name", "score", "tags", "day"]
    assert prefix["day"].sql_type == "DATE"
    assert prefix.details["files_matched"] == 5
    assert prefix.details["files_skipped"] == [f"s3://{bucket}/lake/manifest.md"]
    no_slash = await discover(s3, f"s3://{bucket}/lake")
    assert no_slash.details["files_matched"] == 5
    globbed = await discover(s3, f"s3://{bucket}/lake/day=2024-01-0*/part-1.parquet")
    assert globbed.details["files_matched"] == 2


async def test_listing_pages_through_more_than_a_thousand_keys(s3: Service, bucket: str) -> None:
    client = boto3.client("s3", endpoint_url=s3.address)

    def put(i: int) -> None:
        client.put_object(Bucket=bucket, Key=f"many/{i:05d}.ndjson", Body=b'{"n": 1}\n')

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(1005)))
    found = await discover(s3, f"s3://{bucket}/many/", max_files=3)
    assert found.details["files_matched"] == 1005
    assert len(found.details["files_read"]) == 3


async def test_sample_over_s3(s3: Service, put: Put) -> None:
    table = await sample(put("o.ndjson", samples.ndjson()), endpoint_url=s3.address, sample_size=5)
    assert table.num_rows == 5


async def test_missing_bucket_key_and_prefix(s3: Service, put: Put, bucket: str) -> None:
    put("data/orders.ndjson", samples.ndjson())
    with pytest.raises(SourceNotFound, match="bucket no-such-bucket-here does not exist"):
        await discover(s3, "s3://no-such-bucket-here/x.json")
    with pytest.raises(SourceNotFound) as err:
        await discover(s3, f"s3://{bucket}/data/orders.ndjsn")
    assert err.value.hint == f"did you mean s3://{bucket}/data/orders.ndjson?"
    with pytest.raises(SourceNotFound, match="no data files"):
        await discover(s3, f"s3://{bucket}/empty/")


async def test_unreachable_endpoint_fails_within_the_timeout() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    start = time.monotonic()
    with pytest.raises(SourceUnreachable) as err:
        await catalog.discover_schema("s3://b/k.json", endpoint_url=endpoint, timeout=1)
    assert time.monotonic() - start < 15
    assert endpoint in err.value.message


async def test_access_denied(s3_with_auth: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with pytest.raises(AccessDenied) as err:
        await catalog.discover_schema("s3://private/data.json", endpoint_url=s3_with_auth.address)
    assert "denied" in err.value.message
    assert err.value.hint is not None and "credentials" in err.value.hint


def without_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials anywhere, and none remembered: boto3's default session and the
    provider's clients keep the ones they found."""
    from catalog.registry import get_provider

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setattr(get_provider("s3"), "_clients", {})
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


async def test_a_public_object_is_read_anonymously(
    s3: Service, put: Put, bucket: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    public = put("open/stations.ndjson", b'{"station": "SEA", "elevation_m": 131}\n')
    private = put("closed/stations.ndjson", b'{"station": "SEA"}\n')
    client = boto3.client("s3", endpoint_url=s3.address)
    client.put_object_acl(Bucket=bucket, Key="open/stations.ndjson", ACL="public-read")
    without_credentials(monkeypatch, tmp_path)
    with pytest.raises(AccessDenied, match="no AWS credentials") as err:
        await discover(s3, public)
    assert err.value.hint is not None and "anonymous = true" in err.value.hint
    found = await discover(s3, public, anonymous="true")
    assert types(found) == {"station": "VARCHAR", "elevation_m": "BIGINT"}
    with pytest.raises(AccessDenied, match="denied"):  # unsigned requests read public objects only
        await discover(s3, private, anonymous="true")


def _parts(client: Any, bucket: str, count: int) -> None:
    """``count`` Parquet objects under ``parts/``: every third with a column more, some
    larger than the 64 KB footer read, some smaller (read whole)."""

    def put(i: int) -> None:
        rows = 20_000 if i % 2 else 10
        columns: dict[str, Any] = {"id": pa.array(range(i, i + rows)), "part": [i] * rows}
        if i % 3 == 0:
            columns[f"extra_{i}"] = pa.array([float(i)] * rows)
        body = samples.parquet(pa.table(columns), compression="none")
        client.put_object(Bucket=bucket, Key=f"parts/p-{i:03d}.parquet", Body=body)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(count)))


def _footers_one_after_another(monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.files import s3 as s3_module

    monkeypatch.setattr(s3_module, "fetch_footers_ahead", lambda *_: None)


async def test_footers_fetched_ahead_find_what_one_after_another_finds(
    s3: Service, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _parts(boto3.client("s3", endpoint_url=s3.address), bucket, 40)
    uri = f"s3://{bucket}/parts/"
    ahead = await discover(s3, uri, max_files=35)
    table = await sample(uri, endpoint_url=s3.address, max_files=35, sample_size=3)
    _footers_one_after_another(monkeypatch)
    catalog.clear_cache()
    one_by_one = await discover(s3, uri, max_files=35)
    assert ahead.schema == one_by_one.schema
    assert ahead.facts() == one_by_one.facts()  # stats, files in order, bytes read
    assert ahead.details["files_read"] == [f"{uri}p-{i:03d}.parquet" for i in range(35)]
    assert table.equals(await sample(uri, endpoint_url=s3.address, max_files=35, sample_size=3))


async def test_footers_are_fetched_concurrently(s3: Service, bucket: str) -> None:
    """Through a link that holds each chunk 0.1 s, the footers' GETs overlap: several
    connections are open at once (one after another, one connection serves them all)."""
    from tests.services.proxy import relay

    _parts(boto3.client("s3", endpoint_url=s3.address), bucket, 32)
    port = free_port()
    with relay(port, int(s3.address.rsplit(":", 1)[1])) as link:
        link.delay = 0.1
        found = await catalog.discover_schema(
            f"s3://{bucket}/parts/", endpoint_url=f"http://127.0.0.1:{port}", timeout=20
        )
    assert len(found.details["files_read"]) == 32
    assert link.most_open > 2 * 4, link.most_open  # more than 4 connections at once


async def test_a_footer_get_that_fails_ahead_fails_in_its_turn(
    s3: Service, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader sends a failed GET again and meets its error in key order: the same
    error as one after another, none of a later object's."""
    from botocore.exceptions import ClientError

    from providers.files.s3 import S3Blob

    _parts(boto3.client("s3", endpoint_url=s3.address), bucket, 24)
    get = S3Blob.get

    def failing(self: S3Blob, start: int, end: int) -> bytes:
        if self.key.endswith(("p-007.parquet", "p-019.parquet")):
            error = {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}
            raise ClientError(error, "GetObject")  # type: ignore[arg-type]
        return get(self, start, end)

    monkeypatch.setattr(S3Blob, "get", failing)
    with pytest.raises(AccessDenied, match=r"access to s3://.* is denied"):
        await discover(s3, f"s3://{bucket}/parts/")
    calls: list[str] = []

    def flaky(self: S3Blob, start: int, end: int) -> bytes:  # fails ahead, not in its turn
        calls.append(self.key)
        if self.key.endswith("p-007.parquet") and threading.current_thread().name.endswith("-get"):
            raise ConnectionResetError("gone")
        return get(self, start, end)

    monkeypatch.setattr(S3Blob, "get", flaky)
    catalog.clear_cache()
    found = await discover(s3, f"s3://{bucket}/parts/")
    assert len(found.details["files_read"]) == 24
    assert calls.count(f"parts/p-{7:03d}.parquet") in (1, 2)  # 2 if the worker had it first
