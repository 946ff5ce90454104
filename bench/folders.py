"""Discovering folders of many files: ours against DuckDB's DESCRIBE of the same glob.

Two folders in a temporary directory: ``--files`` small Parquet files (default 10,000;
a few columns, one a struct and one a list of structs, in 100 ``day=NNN`` hive
folders) and ``--ndjson`` NDJSON files (default 1,000, 20 nested records each).
Measured: ``catalog.discover_schema(glob)`` (the cache cleared before each run), the
whole public path (listing, choosing, reading, merging, hive columns), against
``DESCRIBE SELECT * FROM read_parquet(glob)`` and ``DESCRIBE SELECT * FROM
read_json(glob)`` on a fresh DuckDB connection, in the same run.  Each is the best of
several interleaved runs (the folders stay in the OS cache).  Targets: Parquet
<= 1.5x DuckDB, NDJSON <= 2x DuckDB.

Our sampling rules are kept as they are: up to ``max_files`` (100) Parquet footers
read, NDJSON files read in name order until ``sample_size`` (1,000) records.  DuckDB's
DESCRIBE reads the first Parquet file's footer (no ``union_by_name``) and samples
20,480 JSON records.

Run:  python bench/folders.py [--files N] [--ndjson N] [--runs N] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parents[1]))
import catalog

FOLDERS = 100
RECORDS_A_FILE = 20


def parquet_body(seed: int) -> bytes:
    rng = random.Random(seed)
    rows = 5
    table = pa.table(
        {
            "id": pa.array([rng.randint(0, 1 << 40) for _ in range(rows)], pa.int64()),
            "name": [f"n{rng.randint(0, 99)}" for _ in range(rows)],
            "amount": [rng.random() * 100 for _ in range(rows)],
            "at": pa.array([1_700_000_000_000_000 + i for i in range(rows)], pa.timestamp("us")),
            "customer": [{"city": "Oslo", "zip": f"{rng.randint(1000, 9999)}"}] * rows,
            "items": [[{"sku": "A", "qty": rng.randint(1, 5)}] for _ in range(rows)],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def make_parquet(root: Path, count: int) -> None:
    bodies = [parquet_body(seed) for seed in range(8)]  # a few distinct footers
    for f in range(FOLDERS):
        (root / f"day={f:03d}").mkdir()
    for i in range(count):
        (root / f"day={i % FOLDERS:03d}" / f"part-{i:05d}.parquet").write_bytes(bodies[i % 8])


def json_record(i: int, rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": i,
        "at": f"2024-01-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
        "amount": round(rng.random() * 100, 2) if i % 7 else rng.randint(1, 100),
        "customer": {"name": f"c{i % 100}", "email": None if i % 5 == 0 else f"c{i}@x.org"},
        "items": [{"sku": f"S{rng.randint(1, 99)}", "qty": rng.randint(1, 5)}
                  for _ in range(rng.randint(0, 3))],
    }  # fmt: skip
    if i % 3 == 0:
        out["coupon"] = f"SAVE{i % 50}"
    return out


def make_ndjson(root: Path, count: int) -> None:
    rng = random.Random(7)
    for i in range(count):
        lines = (
            json.dumps(json_record(i * RECORDS_A_FILE + j, rng)) for j in range(RECORDS_A_FILE)
        )
        (root / f"part-{i:05d}.ndjson").write_text("\n".join(lines) + "\n")


def best(runs: dict[str, Callable[[], object]], times: int) -> dict[str, float]:
    """The shortest of ``times`` timings of each, the runs interleaved."""
    out = {name: float("inf") for name in runs}
    for _ in range(times):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            out[name] = min(out[name], time.perf_counter() - start)
    return out


def ours(glob: str) -> catalog.Discovery:
    catalog.clear_cache()
    return asyncio.run(catalog.discover_schema(glob))


def duckdbs(function: str, glob: str) -> list[tuple[str, str]]:
    con = duckdb.connect()
    rows = con.execute(f"DESCRIBE SELECT * FROM {function}('{glob}')").fetchall()
    con.close()
    return [(r[0], r[1]) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=10_000, help="Parquet files")
    parser.add_argument("--ndjson", type=int, default=1_000, help="NDJSON files")
    parser.add_argument("--runs", type=int, default=5, help="runs of each (the best is kept)")
    parser.add_argument("--profile", action="store_true", help="print the top 30 functions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        parquet_root, json_root = Path(tmp) / "pq", Path(tmp) / "js"
        parquet_root.mkdir()
        json_root.mkdir()
        make_parquet(parquet_root, args.files)
        make_ndjson(json_root, args.ndjson)
        pq_glob, js_glob = f"{parquet_root}/**/*.parquet", f"{json_root}/*.ndjson"
        found = {"parquet": ours(pq_glob), "json": ours(js_glob)}
        theirs = {
            "parquet": duckdbs("read_parquet", pq_glob),
            "json": duckdbs("read_json", js_glob),
        }
        timed = best(
            {
                "parquet": lambda: ours(pq_glob),
                "duck parquet": lambda: duckdbs("read_parquet", pq_glob),
                "json": lambda: ours(js_glob),
                "duck json": lambda: duckdbs("read_json", js_glob),
            },
            args.runs,
        )
        profiles = {}
        if args.profile:  # the provider's thread run inline, so that cProfile sees it

            async def inline(fn: Callable[..., Any], /, *a: Any, **k: Any) -> Any:
                return fn(*a, **k)

            asyncio.to_thread = inline  # type: ignore[assignment]
            for fmt, glob in (("parquet", pq_glob), ("json", js_glob)):
                profiles[fmt] = cProfile.Profile()
                profiles[fmt].runcall(ours, glob)
    targets = {"parquet": 1.5, "json": 2.0}
    for fmt, count in (("parquet", args.files), ("json", args.ndjson)):
        t_ours, t_duck = timed[fmt], timed[f"duck {fmt}"]
        d = found[fmt]
        read = len(d.details.get("files_read", ()))
        print(f"{count} {fmt} files ({read} read, {d.sampled} records), best of {args.runs}")
        print(f"  DuckDB read_{fmt} DESCRIBE: {t_duck * 1000:8.1f} ms")
        print(
            f"  schemacat discover_schema:   {t_ours * 1000:8.1f} ms   ratio "
            f"{t_ours / t_duck:.2f} (target <= {targets[fmt]})"
        )
        mine = [(f.name, f.sql_type) for f in d]
        agree = sum(a == b for a, b in zip(mine, theirs[fmt], strict=False))
        print(f"  types agree on {agree} of {len(theirs[fmt])} columns")
        if mine != theirs[fmt]:
            print("  schemacat:", mine)
            print("  DuckDB:   ", theirs[fmt])
    for fmt, profile in profiles.items():
        print(f"--- profile: {fmt}")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
