"""S3 Parquet discovery: bytes transferred against the size of a 100 MB object (target < 0.001).

Uses $SCHEMACAT_TEST_S3 if set, else starts a moto server as the tests do.  The
object is written uncompressed from random data so that it really is ~100 MB.

Run:  python bench/s3_parquet_footer.py
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parents[1]))
import catalog
from tests.services import start_s3

TARGET_BYTES = 100_000_000


def main() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with tempfile.TemporaryDirectory() as tmp:
        service = start_s3(Path(tmp))
        try:
            run(service.address)
        finally:
            service.stop()


def _random_doubles(rows: int) -> pa.Array:
    """Incompressible values, so that the file really is as large as it says."""
    return pa.Array.from_buffers(pa.float64(), rows, [None, pa.py_buffer(os.urandom(rows * 8))])


def run(endpoint: str) -> None:
    rows = TARGET_BYTES // (8 * 4)
    table = pa.table({f"c{i}": _random_doubles(rows) for i in range(4)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="none", row_group_size=rows // 8)
    body = buffer.getvalue()
    s3 = boto3.client("s3", endpoint_url=endpoint)
    s3.create_bucket(Bucket="bench")
    s3.put_object(Bucket="bench", Key="big/part-0.parquet", Body=body)
    start = time.perf_counter()
    found = asyncio.run(
        catalog.discover_schema("s3://bench/big/part-0.parquet", endpoint_url=endpoint)
    )
    elapsed = time.perf_counter() - start
    moved = found.details["bytes_read"]
    ratio = moved / len(body)
    print(f"object: {len(body) / 1e6:.1f} MB, {found.details['rows']} rows, {len(found)} columns")
    print(
        f"bytes transferred: {moved} ({ratio:.6f} of the object; target < 0.001: "
        f"{'met' if ratio < 0.001 else 'MISSED'}) in {elapsed * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
