"""SQL against real Kafka, S3 and PostgreSQL: streams from each, a join across two, drift, refresh."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import asyncpg
import boto3
import pytest

import catalog
from tests.conftest import with_query
from tests.providers import samples
from tests.providers.kafka_util import Out, create_topic, produce
from tests.services import Service
from tests.sql.recreate import assert_recreatable


def order(i: int, **extra: object) -> bytes:
    return json.dumps({"id": i, "customer_id": i % 3, "amount": i * 2.5, **extra}).encode()


@pytest.fixture
async def topic(kafka: Service) -> str:
    name = f"orders-{uuid.uuid4().hex[:8]}"
    await create_topic(kafka.address, name, 2)
    await produce(
        kafka.address,
        name,
        [Out(order(i), key=f"o{i}".encode(), partition=i % 2) for i in range(20)],
    )
    return f"kafka://{kafka.address}/{name}"


@pytest.fixture
async def customers(pg_database: str) -> str:
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute(
            "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, tier smallint);"
            "INSERT INTO customers VALUES (0, 'a@x.io', 1), (1, 'b@x.io', 2), (2, 'c@x.io', 1)"
        )
    finally:
        await conn.close()
    return with_query(pg_database, table="customers")


@pytest.fixture
async def cat(tmp_path: Path) -> catalog.Catalog:
    opened = await catalog.Catalog.open(str(tmp_path / "cat.db"))
    yield opened  # type: ignore[misc]
    await opened.close()


async def rows(cat: catalog.Catalog, sql: str) -> list[tuple[object, ...]]:
    return (await cat.execute(sql))[-1].rows


async def test_a_stream_from_each_source(
    cat: catalog.Catalog, topic: str, customers: str, s3: Service, bucket: str, tmp_path: Path
) -> None:
    boto3.client("s3", endpoint_url=s3.address).put_object(
        Bucket=bucket, Key="t/p.parquet", Body=samples.parquet()
    )
    await cat.execute(f"""
        CREATE STREAM orders WITH (datasource = '{topic}');
        CREATE STREAM customers WITH (datasource = '{customers}');
        CREATE STREAM lake WITH (datasource = 's3://{bucket}/t/', endpoint_url = '{s3.address}');
    """)
    assert await rows(cat, "DESCRIBE orders") == [
        ("id", "BIGINT", True, None, None),
        ("customer_id", "BIGINT", True, None, None),
        ("amount", "DOUBLE", True, None, None),
        ("key", "VARCHAR (key)", True, None, None),  # from the message key
    ]
    assert await rows(cat, "DESCRIBE customers") == [
        ("id", "BIGINT", False, None, None),
        ("email", "VARCHAR", False, None, None),
        ("tier", "SMALLINT", True, None, None),
    ]
    assert [r[:2] for r in await rows(cat, "DESCRIBE lake")] == [
        ("id", "BIGINT"), ("name", "VARCHAR"), ("score", "DOUBLE"), ("tags", "VARCHAR[]"),
    ]  # fmt: skip
    streams = {r[0]: r for r in await rows(cat, "SHOW STREAMS")}
    assert streams["orders"][2] == "json" and streams["customers"][2] == "postgres"
    assert streams["lake"][2] == "parquet"
    statement = (await rows(cat, "SHOW CREATE STREAM orders"))[0][0]
    assert '"key" VARCHAR KEY' in statement
    await assert_recreatable(cat, tmp_path / "again.db")


async def test_kafka_topic_joined_with_a_postgres_table(
    cat: catalog.Catalog, topic: str, customers: str
) -> None:
    await cat.execute(f"""
        CREATE STREAM enriched AS
        SELECT o.id, o.amount * 1.2 AS gross, c.email, c.tier + 1 AS next_tier
        FROM '{topic}' o JOIN '{customers}' c ON o.customer_id = c.id
        EMIT CHANGES;
    """)
    assert await rows(cat, "DESCRIBE enriched") == [
        ("id", "BIGINT", True, None, None),
        ("gross", "DOUBLE", True, None, None),
        ("email", "VARCHAR", True, None, None),
        ("next_tier", "SMALLINT", True, None, None),  # as DuckDB types tier + 1
    ]
    [version] = await cat.versions("enriched")
    assert version.origin == "derived"
    lineage = (await cat.stream("enriched")).lineage
    assert lineage[0] == topic and lineage[1].endswith("table=customers")
    aggregated = await cat.execute(f"""
        CREATE STREAM by_customer AS
        SELECT customer_id, count(*) AS orders, sum(amount) AS total, list(id) AS ids
        FROM '{topic}' GROUP BY customer_id;
        DESCRIBE by_customer;
    """)
    assert [(r[0], r[1]) for r in aggregated[-1].rows] == [
        ("customer_id", "BIGINT"), ("orders", "BIGINT"), ("total", "DOUBLE"), ("ids", "BIGINT[]"),
    ]  # fmt: skip


async def test_an_unknown_column_in_the_query_is_an_error_at_its_place(
    cat: catalog.Catalog, topic: str
) -> None:
    with pytest.raises(catalog.SchemacatError) as err:
        await cat.execute(f"CREATE STREAM bad AS\nSELECT id, amout FROM '{topic}'")
    assert err.value.code == "UNKNOWN_COLUMN"
    assert err.value.position is not None
    assert (err.value.position.line, err.value.position.column) == (2, 12)
    assert err.value.hint == "did you mean amount?"
    assert await cat.streams() == []


async def test_drift_validate_and_refresh(cat: catalog.Catalog, topic: str, kafka: Service) -> None:
    await cat.execute(f"CREATE STREAM orders WITH (datasource = '{topic}', sample_size = 10)")
    name = topic.rsplit("/", 1)[1]
    await produce(
        kafka.address,
        name,
        [Out(order(100 + i, coupon="SAVE"), partition=i % 2) for i in range(20)],
    )
    drift = await rows(cat, "VALIDATE STREAM orders")
    assert ("coupon", None, "VARCHAR", "new_in_source") in drift
    assert ("id", "BIGINT", "BIGINT", "ok") in drift
    assert ("key", "VARCHAR", None, "missing_in_source") in drift  # the new messages have no key
    assert [v.version for v in await cat.versions("orders")] == [1]
    await cat.execute("ALTER STREAM orders REFRESH")
    versions = await rows(cat, "SHOW SCHEMA VERSIONS FOR orders")
    assert [(r[0], r[3]) for r in versions] == [(1, "discovered"), (2, "refreshed")]
    assert "added coupon VARCHAR" in str(versions[1][4])


async def test_evolution_accepted_in_backward_and_rejected_in_full(
    cat: catalog.Catalog, customers: str
) -> None:
    await cat.execute(f"""
        CREATE STREAM b WITH (datasource = '{customers}', compatibility = 'BACKWARD');
        CREATE STREAM f WITH (datasource = '{customers}', compatibility = 'FULL');
    """)
    await cat.execute("ALTER STREAM b ALTER COLUMN tier TYPE BIGINT")
    with pytest.raises(catalog.SchemacatError) as err:
        await cat.execute("ALTER STREAM f ALTER COLUMN tier TYPE BIGINT")
    assert err.value.code == "INCOMPATIBLE_SCHEMA"
    assert "tier is SMALLINT in version 1 but BIGINT" in err.value.message
    assert [v.version for v in await cat.versions("f")] == [1]


async def test_ksqldb_spellings_and_show_topics(
    cat: catalog.Catalog, topic: str, kafka: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEMACAT_KAFKA_BOOTSTRAP", kafka.address)
    name = topic.rsplit("/", 1)[1]
    await cat.execute(
        f"CREATE STREAM o WITH (KAFKA_TOPIC = '{name}', VALUE_FORMAT = 'JSON', PARTITIONS = 2)"
    )
    stream = await cat.stream("o")
    assert (stream.datasource, stream.format, stream.options["partitions"]) == (topic, "json", "2")
    topics = {r[0]: r for r in await rows(cat, "SHOW TOPICS")}
    assert topics[name] == (name, 2, 20)
    assert (await rows(cat, f"SHOW TOPICS FROM 'kafka://{kafka.address}'"))[0][0] in topics


async def test_declared_columns_checked_against_the_topic(cat: catalog.Catalog, topic: str) -> None:
    await cat.execute(
        f"CREATE STREAM ok (id BIGINT, amount DOUBLE, k VARCHAR KEY) WITH (datasource = '{topic}')"
    )
    with pytest.raises(catalog.SchemacatError) as err:
        await cat.execute(
            f"CREATE STREAM bad (id VARCHAR, missing INT) WITH (datasource = '{topic}')"
        )
    assert err.value.code == "SCHEMA_MISMATCH"
    assert "missing is not in the source" in err.value.message
    assert "id is declared VARCHAR but the source has BIGINT" in err.value.message


async def test_a_schema_registry_json_topic(
    cat: catalog.Catalog, kafka: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ksqlDB's VALUE_FORMAT = 'JSON_SR': JSON behind Schema Registry's 5-byte frame."""
    monkeypatch.setenv("SCHEMACAT_KAFKA_BOOTSTRAP", kafka.address)
    name = f"payments-{uuid.uuid4().hex[:8]}"
    await create_topic(kafka.address, name, 1)
    frame = b"\x00" + (41).to_bytes(4, "big")
    await produce(kafka.address, name, [Out(frame + order(i)) for i in range(10)])
    await cat.execute(
        f"CREATE STREAM payments WITH (KAFKA_TOPIC = '{name}', VALUE_FORMAT = 'JSON_SR')"
    )
    assert (await cat.stream("payments")).format == "json_sr"
    [described] = await cat.execute("DESCRIBE EXTENDED payments")
    assert [row[:2] for row in described.rows] == [
        ("id", "BIGINT"),
        ("customer_id", "BIGINT"),
        ("amount", "DOUBLE"),
    ]
    assert described.message is not None
    assert "values framed for Schema Registry ids 41" in described.message
    await produce(kafka.address, name, [Out(frame + order(10, note="late"))])
    [refreshed] = await cat.execute("ALTER STREAM payments REFRESH")
    assert refreshed.message is not None and "added note VARCHAR" in refreshed.message
