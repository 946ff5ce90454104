"""S3 prefix of many Parquet objects: our discovery against a concurrent boto3 loop's GETs.

N Parquet objects (default 100; try 1,000) of ~160 KB each, under one prefix of an S3
server ($SCHEMACAT_TEST_S3 if set, else a moto server started as the tests start it);
with ``--latency S``, reached through the tests' TCP relay, which holds each chunk of
each request and answer S seconds (a distant endpoint, as real S3 is: moto on this
machine answers in ~3 ms, and serializes requests, so concurrency gains little there).
Measured: ``catalog.discover_schema("s3://bench/many/", max_files=N)``: the listing, one
ranged GET of each object's footer (its last 64 KB), every footer parsed and the N
schemas merged.  The reference, measured in the same run against the same server: boto3
listing the prefix and sending the same ranged GETs from a ThreadPoolExecutor of the same
concurrency as ours (``providers.files.s3.CONCURRENT_GETS``), without parsing anything; and,
for comparison, the same GETs one after another.  Each is the best of several interleaved
runs (the discovery cache cleared before each).  Target: within 1.2x the concurrent loop.

Run:  python bench/s3_footers.py [--files N] [--runs R] [--latency S]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).parents[1]))
import catalog
from providers.files import s3 as s3_provider
from tests.services import free_port, start_s3
from tests.services.proxy import relay

TARGET = 1.2
FOOTER = 64 << 10  # what pyarrow reads first of a Parquet file: its last 64 KB
ROWS = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100, help="Parquet objects (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs, best kept")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds the relay holds each chunk"
    )
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with tempfile.TemporaryDirectory() as tmp:
        service = start_s3(Path(tmp))
        try:
            if not args.latency:
                run(service.address, args.files, args.runs)
            else:
                port = free_port()
                with relay(port, int(service.address.rsplit(":", 1)[1])) as link:
                    link.delay = args.latency
                    print(f"through a relay holding each chunk {args.latency * 1000:g} ms")
                    run(f"http://127.0.0.1:{port}", args.files, args.runs)
        finally:
            service.stop()


def _body(seed: int) -> bytes:
    """~100 KB of Parquet; every tenth object has one column more (the merge has work)."""
    columns: dict[str, Any] = {
        "id": pa.array(range(seed * ROWS, (seed + 1) * ROWS), pa.int64()),
        "value": pa.array(
            pa.Array.from_buffers(
                pa.float64(), ROWS, [None, pa.py_buffer(os.urandom(ROWS * 8))]
            ).to_pylist()
        ),
        "name": pa.array([f"n{i % 97}" for i in range(ROWS)]),
    }
    if seed % 10 == 0:
        columns["extra"] = pa.array([None] * ROWS, pa.string())
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer, row_group_size=ROWS // 4)
    return buffer.getvalue()


def reference(client: Any, concurrency: int) -> Callable[[], int]:
    """The listing, then the same ranged GETs as the discovery, ``concurrency`` at a time."""

    def get(item: tuple[str, int]) -> int:
        key, size = item
        start = max(0, size - FOOTER)
        body = client.get_object(Bucket="bench", Key=key, Range=f"bytes={start}-{size - 1}")
        return len(body["Body"].read())

    def loop() -> int:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket="bench", Prefix="many/")
        items = [(o["Key"], int(o["Size"])) for page in pages for o in page.get("Contents", ())]
        if concurrency == 1:
            return sum(map(get, items))
        with ThreadPoolExecutor(concurrency) as pool:
            return sum(pool.map(get, items))

    return loop


def run(endpoint: str, count: int, runs: int) -> None:
    concurrency = s3_provider.CONCURRENT_GETS
    client = boto3.client(
        "s3", endpoint_url=endpoint, config=Config(max_pool_connections=concurrency)
    )
    client.create_bucket(Bucket="bench")
    bodies = [_body(seed) for seed in range(10)]
    with ThreadPoolExecutor(16) as pool:
        list(
            pool.map(
                lambda i: client.put_object(
                    Bucket="bench", Key=f"many/part-{i:05d}.parquet", Body=bodies[i % 10]
                ),
                range(count),
            )
        )
    uri = "s3://bench/many/"

    def ours() -> int:
        catalog.clear_cache()
        found = asyncio.run(catalog.discover_schema(uri, endpoint_url=endpoint, max_files=count))
        assert len(found.details["files_read"]) == count, found.details
        assert [f.name for f in found.fields] == ["id", "value", "name", "extra"], found.fields
        moved: int = found.details["bytes_read"]
        return moved

    runs_of: dict[str, Callable[[], int]] = {
        "schemacat discovery": ours,
        f"boto3 loop, {concurrency} threads": reference(client, concurrency),
        "boto3 loop, one after another": reference(client, 1),
    }
    moved = {name: run() for name, run in runs_of.items()}  # warm-up: connections, imports
    assert len(set(moved.values())) == 1, moved  # the same bytes: the same GETs
    times = {name: float("inf") for name in runs_of}
    for _ in range(runs):
        for name, loop in runs_of.items():
            start = time.perf_counter()
            loop()
            times[name] = min(times[name], time.perf_counter() - start)
    print(
        f"{count} Parquet objects of {sum(map(len, bodies)) / len(bodies) / 1e3:.0f} KB, "
        f"1 listing + {count} ranged GETs of {next(iter(moved.values())) / count / 1e3:.1f} KB "
        f"each, best of {runs}"
    )
    for name, took in times.items():
        print(f"  {name:32} {took * 1000:8.1f} ms")
    ratio = times["schemacat discovery"] / times[f"boto3 loop, {concurrency} threads"]
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(f"ratio to the concurrent boto3 loop: {ratio:.2f}x (target <= {TARGET}x: {verdict})")
    sequential = times["schemacat discovery"] / times["boto3 loop, one after another"]
    print(f"ratio to the sequential boto3 loop: {sequential:.2f}x")


if __name__ == "__main__":
    main()
