"""JSON inference: realistic nested records (10,000, or --records), ours against DuckDB's read_json.

The records have optional fields, arrays of structs, nested structs, ISO
timestamps with a zone, dates, UUIDs and numbers that are sometimes integers.
Both infer from all of them (DuckDB's ``sample_size`` is set to the record count, so
that beyond its default of 20,480 it reads as many as ours; DuckDB with its default
sample is shown beside it then).  Prints the median time of each, the ratio (target
<= 0.5), and both schemas if they disagree on any column.

Run:  python bench/json_inference.py [--records N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

import catalog

RECORDS, RUNS = 10_000, 7
DUCKDB_SAMPLE = 20_480  # read_json's default sample_size


def record(i: int, rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {
        "order_id": i,
        "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
        "placed_at": (datetime(2024, 1, 1) + timedelta(seconds=37 * i)).isoformat() + "Z",
        "ship_date": str(date(2024, 1, 1) + timedelta(days=i % 300)),
        "amount": round(rng.random() * 100, 2) if i % 7 else rng.randint(1, 100),
        "customer": {
            "name": f"customer {i % 1000}",
            "email": None if i % 5 == 0 else f"c{i}@example.com",
            "address": {
                "city": rng.choice(["Paris", "Oslo", "Rome", "Lima"]),
                "zip": f"{rng.randint(10000, 99999)}",
            },
        },
        "items": [
            {
                "sku": f"SKU-{rng.randint(1, 999)}",
                "qty": rng.randint(1, 5),
                "price": round(rng.random() * 20, 2),
            }
            for _ in range(rng.randint(0, 4))
        ],
        "tags": rng.sample(["gift", "express", "fragile", "bulk"], rng.randint(0, 3)),
    }
    if i % 3 == 0:
        out["coupon"] = f"SAVE{i % 50}"
    if i % 11 == 0:
        out["flags"] = {"vip": True, "risk": round(rng.random(), 3)}
    return out


def median(fn: Any, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=RECORDS, help="records in the file")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs of each (the median is kept)")
    args = parser.parse_args()
    records, runs = args.records, args.runs
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.ndjson"
        path.write_text("".join(json.dumps(record(i, rng)) + "\n" for i in range(records)))

        def ours() -> catalog.Discovery:
            catalog.clear_cache()
            return asyncio.run(catalog.discover_schema(str(path), sample_size=records))

        def duckdbs(sample: int = records) -> list[tuple[str, str]]:
            con = duckdb.connect()
            rows = con.execute(
                f"DESCRIBE SELECT * FROM read_json('{path}', sample_size = {sample})"
            ).fetchall()
            con.close()
            return [(r[0], r[1]) for r in rows]

        ours_schema = [(f.name, f.sql_type) for f in ours()]
        duck_schema = duckdbs()
        t_ours, t_duck = median(ours, runs), median(duckdbs, runs)
        t_default = median(lambda: duckdbs(DUCKDB_SAMPLE), runs) if records > DUCKDB_SAMPLE else 0
        size = path.stat().st_size
    print(f"{records} records ({size / 1e6:.1f} MB of NDJSON), median of {runs} runs")
    print(f"DuckDB read_json: {t_duck * 1000:8.1f} ms")
    if t_default:
        print(f"  (its default sample of {DUCKDB_SAMPLE}: {t_default * 1000:.1f} ms)")
    print(
        f"schemacat:        {t_ours * 1000:8.1f} ms   ratio {t_ours / t_duck:.2f} (target <= 0.5)"
    )
    agree = sum(a == b for a, b in zip(ours_schema, duck_schema, strict=False))
    print(f"types agree on {agree} of {len(duck_schema)} columns")
    if ours_schema != duck_schema:
        print("schemacat:", ours_schema)
        print("DuckDB:   ", duck_schema)


if __name__ == "__main__":
    main()
