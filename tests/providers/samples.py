"""Sample data written in every format the file and S3 providers read."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

ORDERS: list[dict[str, Any]] = [
    {
        "id": i,
        "customer": {"name": f"c{i}", "tier": i % 3},
        "items": [{"sku": f"s{j}", "qty": j + 1} for j in range(i % 3)],
        "placed_at": f"2024-05-0{1 + i % 9}T10:00:00Z",
        "note": None if i % 2 else f"note {i}",
    }
    for i in range(50)
]
ORDER_TYPES = {
    "id": "BIGINT",
    "customer": 'STRUCT("name" VARCHAR, tier BIGINT)',
    "items": "STRUCT(sku VARCHAR, qty BIGINT)[]",
    "placed_at": "TIMESTAMP WITH TIME ZONE",
    "note": "VARCHAR",
}
ARROW_TABLE = pa.table(
    {
        "id": pa.array(range(20), pa.int64()),
        "name": pa.array([f"n{i}" for i in range(20)]),
        "score": pa.array([i / 2 for i in range(20)]),
        "tags": pa.array([["a", "b"][: i % 3] for i in range(20)], pa.list_(pa.string())),
    },
    schema=pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("name", pa.string()),
            pa.field("score", pa.float64()),
            pa.field("tags", pa.list_(pa.string())),
        ]
    ),
)
AVRO_SCHEMA = {
    "type": "record",
    "name": "Reading",
    "fields": [
        {"name": "sensor", "type": "string"},
        {"name": "value", "type": ["null", "double"], "default": None},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}


def ndjson(records: list[dict[str, Any]] = ORDERS) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def json_array(records: list[dict[str, Any]] = ORDERS) -> bytes:
    return json.dumps(records, indent=2).encode()


def csv() -> bytes:
    rows = ["id,name,amount,day"] + [
        f"{i},name {i},{i * 1.5},2024-01-{1 + i % 28:02d}" for i in range(30)
    ]
    return ("\n".join(rows) + "\n").encode()


def parquet(table: pa.Table = ARROW_TABLE, **kw: Any) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, **kw)
    return out.getvalue()


def arrow_file(table: pa.Table = ARROW_TABLE) -> bytes:
    out = io.BytesIO()
    with pa.ipc.new_file(out, table.schema) as writer:
        writer.write_table(table)
    return out.getvalue()


def arrow_stream(table: pa.Table = ARROW_TABLE) -> bytes:
    out = io.BytesIO()
    with pa.ipc.new_stream(out, table.schema) as writer:
        writer.write_table(table)
    return out.getvalue()


def avro() -> bytes:
    out = io.BytesIO()
    rows = [{"sensor": f"s{i}", "value": i * 0.5, "at": 1_700_000_000_000 + i} for i in range(10)]
    fastavro.writer(out, fastavro.parse_schema(AVRO_SCHEMA), rows)
    return out.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data)


def zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)
