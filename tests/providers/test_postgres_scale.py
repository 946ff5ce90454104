"""The PostgreSQL provider on databases of many tables and many json columns: discovered
whole within the default timeout, by statements of bounded size, each json column typed
from its own sample; a timeout while sampling leaves no connection behind."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

import catalog
from catalog.discover import list_objects
from catalog.errors import SourceUnreachable
from providers.postgres import reader
from tests.conftest import with_query

TABLES = 1200  # 2,400 json columns: 48 sampling statements, on a second connection


def table_ddl(t: int) -> str:
    key = " PRIMARY KEY" if t % 10 == 0 else ""  # not all: 1,200 indexes take seconds to build
    return (
        f"CREATE TABLE t{t:04d} (id int{key}, doc jsonb, tags jsonb, note text);"
        f"INSERT INTO t{t:04d} VALUES "
        f"""(1, '{{"k{t}": {t}, "s": "t{t}"}}', '[1, 2]', 'one'), (2, NULL, NULL, NULL);"""
    )


async def create_tables(dsn: str, tables: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for first in range(0, tables, 600):
            script = "\n".join(table_ddl(t) for t in range(first, min(first + 600, tables)))
            await conn.execute(script)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


class Sent:
    """The statements discovery sends, and on how many connections."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[int] = []
        self.connections: set[int] = set()
        original = reader.Reader._fetch

        async def fetch(self_: reader.Reader, conn: Any, sql: str, *args: Any) -> list[Any]:
            self.sizes.append(len(sql))
            self.connections.add(id(conn))
            return await original(self_, conn, sql, *args)

        monkeypatch.setattr(reader.Reader, "_fetch", fetch)


async def test_a_database_of_many_tables_is_discovered_whole(
    pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_tables(pg_database, TABLES)
    sent = Sent(monkeypatch)
    started = time.monotonic()
    listing = await list_objects(pg_database)  # the default timeout, 10 s
    took = time.monotonic() - started
    assert listing is not None
    assert [o.name for o in listing] == [f"public.t{t:04d}" for t in range(TABLES)]
    for t, table in enumerate(listing):
        assert table.schema is not None and table.skipped is None
        assert {f.name: f.sql_type for f in table.schema} == {
            "id": "INTEGER",
            "doc": f"STRUCT(s VARCHAR, k{t} BIGINT)",  # its own sample, not a neighbour's
            "tags": "JSON",
            "note": "VARCHAR",
        }
        assert table.rows == 2
    batches = -(-2 * TABLES // reader.JSON_BATCH)
    assert len(sent.sizes) == 6 + 1 + batches  # catalog queries, the builder, the samples
    assert max(sent.sizes) < 200 * reader.JSON_BATCH  # bounded, whatever the tables
    assert len(sent.connections) == 2  # sampled alongside the catalog reads
    assert took < 10

    found = await catalog.discover_schema(with_query(pg_database, table="t0777"))
    assert [o.schema for o in listing if o.name == "public.t0777"] == [found.schema]
    assert (found.details["primary_key"], found.details["indexes"]) == ([], [])
    assert found.stats["id"].null_fraction == 0.0
    assert found.stats["note"].null_fraction == 0.5
    keyed = await catalog.discover_schema(with_query(pg_database, table="t0770"))
    assert keyed.details["primary_key"] == ["id"]
    assert [i["name"] for i in keyed.details["indexes"]] == ["t0770_pkey"]


async def test_one_table_of_many_json_columns(
    pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    width = 2 * reader.JSON_BATCH + 50
    conn = await asyncpg.connect(pg_database)
    try:
        columns = ", ".join(f"j{i} jsonb" for i in range(width))
        values = ", ".join(f"""'{{"c{i}": {i}}}'""" for i in range(width))
        await conn.execute(f"CREATE TABLE wide ({columns}); INSERT INTO wide VALUES ({values})")
    finally:
        await conn.close()
    sent = Sent(monkeypatch)
    found = await catalog.discover_schema(with_query(pg_database, table="wide"))
    assert [f.sql_type for f in found] == [f"STRUCT(c{i} BIGINT)" for i in range(width)]
    assert found.details["round_trips"] == 6 + 1 + 3
    assert len(sent.connections) == 2


async def test_a_timeout_while_sampling_leaves_no_connection(pg_database: str) -> None:
    many = pg_database
    await create_tables(many, reader.JSON_BATCH)  # sampled on a second connection
    conn = await asyncpg.connect(many)
    try:
        await conn.execute(
            """CREATE VIEW slow AS SELECT '{"a": 1}'::jsonb AS doc FROM pg_sleep(30)"""
        )
        with pytest.raises(SourceUnreachable, match="did not answer within the timeout"):
            await list_objects(many, timeout=3)
        database = many.rsplit("/", 1)[1]
        for _ in range(50):
            others = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                database,
            )
            if others == 0:
                break
            await asyncio.sleep(0.1)
        assert others == 0
    finally:
        await conn.close()


async def test_a_connection_limit_of_one_samples_on_the_one_connection(
    pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user who may hold a single connection: the json columns are sampled after the
    catalog reads, on that connection, not on a second one the server would refuse."""
    role = f"single_{uuid.uuid4().hex[:8]}"
    width = 2 * reader.JSON_BATCH + 1
    conn = await asyncpg.connect(pg_database)
    try:
        columns = ", ".join(f"j{i} jsonb" for i in range(width))
        values = ", ".join(f"""'{{"c{i}": {i}}}'""" for i in range(width))
        await conn.execute(
            f"CREATE TABLE wide ({columns}); INSERT INTO wide VALUES ({values});"
            f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1; GRANT SELECT ON wide TO {role}"
        )
        parts = urlsplit(pg_database)
        as_role = urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}"))
        sent = Sent(monkeypatch)
        found = await catalog.discover_schema(with_query(as_role, table="wide"))
        assert [f.sql_type for f in found] == [f"STRUCT(c{i} BIGINT)" for i in range(width)]
        assert found.details["round_trips"] == 6 + 1 + 3
        assert len(sent.connections) == 1
        listing = await list_objects(as_role)
        assert listing is not None and [o.name for o in listing] == ["public.wide"]
    finally:
        await conn.execute(f"DROP OWNED BY {role}; DROP ROLE {role}")
        await conn.close()
