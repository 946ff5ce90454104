"""SQL statements per second on the embedded catalog, against bare sqlite3 writing the same rows.

The script: 1,000 ``CREATE STREAM`` statements with 20 declared columns each, then
1,000 ``ALTER STREAM ... ADD COLUMN`` (each a compatibility check and a new version).
The reference, measured in the same run, inserts the very rows the catalog
wrote (read back from its file) with bare sqlite3: same tables, same pragmas,
one transaction per statement.  Parsing is timed on its own to show its share.

Run:  python bench/sql_statements.py [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sqlite3
import tempfile
import time
from pathlib import Path

import catalog
from catalog.sql.dialect import parse_statement
from catalog.sql.script import split_statements

STREAMS = 1_000
TYPES = ["BIGINT", "VARCHAR", "DOUBLE", "BOOLEAN", "TIMESTAMP WITH TIME ZONE", "DECIMAL(12, 2)",
         "DATE", "VARCHAR[]", "STRUCT(a INT, b VARCHAR)", "MAP(VARCHAR, BIGINT)"]  # fmt: skip


def script() -> str:
    creates = []
    for i in range(STREAMS):
        columns = ", ".join(
            f"c{j} {TYPES[j % len(TYPES)]}{' NOT NULL' if j == 0 else ''}" for j in range(20)
        )
        creates.append(f"CREATE STREAM s{i} ({columns}) WITH (compatibility = 'FULL');")
    alters = [
        f"ALTER STREAM s{i} ADD COLUMN extra VARCHAR DEFAULT 'none' COMMENT 'added';"
        for i in range(STREAMS)
    ]
    return "\n".join(creates + alters)


async def run_catalog(sql: str, path: Path) -> float:
    async with await catalog.Catalog.open(str(path)) as cat:
        start = time.perf_counter()
        await cat.execute(sql)
        return time.perf_counter() - start


def run_reference(source: Path, target: Path) -> float:
    """Insert the catalog's own rows again, statement by statement, with bare sqlite3: the
    same tables (made from the catalog's own DDL), each statement's stream row, schema row
    (when its id is new) and version row in one transaction."""
    old = sqlite3.connect(source)
    tables = [sql for (sql,) in old.execute("SELECT sql FROM sqlite_master WHERE sql NOT NULL")]
    streams = {r[0]: r for r in old.execute("SELECT * FROM streams")}
    schemas = {r[0]: r for r in old.execute("SELECT * FROM schemas")}
    columns = [c[1] for c in old.execute("PRAGMA table_info(schema_versions)")]
    versions = old.execute("SELECT * FROM schema_versions ORDER BY version, rowid").fetchall()
    old.close()
    key, number, schema_id = (columns.index(c) for c in ("stream_key", "version", "schema_id"))
    created = columns.index("created_at")
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    for statement in tables:
        if not statement.startswith("CREATE TABLE sqlite_"):
            conn.execute(statement)
    written: set[int] = set()
    start = time.perf_counter()
    for row in versions:
        conn.execute("BEGIN IMMEDIATE")
        if row[number] == 1:
            stream = streams[row[key]]
            conn.execute(f"INSERT INTO streams VALUES ({', '.join('?' * len(stream))})", stream)
        else:
            conn.execute(
                "UPDATE streams SET latest_version = ?, updated_at = ? WHERE key = ?",
                (row[number], row[created], row[key]),
            )
        if row[schema_id] not in written:
            written.add(row[schema_id])
            found = schemas[row[schema_id]]
            conn.execute(f"INSERT INTO schemas VALUES ({', '.join('?' * len(found))})", found)
        conn.execute(f"INSERT INTO schema_versions VALUES ({', '.join('?' * len(row))})", row)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def time_parsing(sql: str) -> float:
    start = time.perf_counter()
    for piece in split_statements(sql):
        parse_statement(piece.text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profile", action="store_true", help="print the top 25 functions")
    args = parser.parse_args()
    sql = script()
    statements = 2 * STREAMS
    with tempfile.TemporaryDirectory() as tmp:
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        ours = asyncio.run(run_catalog(sql, Path(tmp) / "cat.db"))
        if profile:
            profile.disable()
        reference = run_reference(Path(tmp) / "cat.db", Path(tmp) / "bare.db")
    parsing = time_parsing(sql)
    print(f"statements:               {statements} ({STREAMS} CREATE x 20 columns, "
          f"{STREAMS} ALTER ADD COLUMN)")  # fmt: skip
    print(f"schemacat execute():      {ours:7.2f} s  {statements / ours:8.0f} statements/s")
    print(f"bare sqlite3, same rows:  {reference:7.2f} s  {statements / reference:8.0f} "
          f"statements/s")  # fmt: skip
    print(f"ratio (schemacat / bare): {ours / reference:7.1f}x")
    print(f"parsing alone:            {parsing:7.2f} s  ({parsing / ours:.0%} of execute())")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
