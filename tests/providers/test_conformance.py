"""Every built-in provider passes the conformance suite (providers/testing.py) against its
real service: files on disk, S3 (moto), PostgreSQL and Kafka (Tansu)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import boto3
import pytest

from providers.testing import KnownSource, ProviderConformance
from tests.providers.kafka_util import Out, create_topic, produce
from tests.services import Service

ROWS = [{"id": i, "note": f"n{i}", "price": i * 1.5} for i in range(5)]
COLUMNS = {"id": "BIGINT", "note": "VARCHAR", "price": "DOUBLE"}
NDJSON = "\n".join(json.dumps(r) for r in ROWS).encode()


class TestFileProvider(ProviderConformance):
    @pytest.fixture
    def known_source(self, tmp_path: Path) -> KnownSource:
        (tmp_path / "orders.ndjson").write_bytes(NDJSON)
        return KnownSource(
            uri=str(tmp_path / "orders.ndjson"),
            columns=COLUMNS,
            missing=str(tmp_path / "nothing.ndjson"),
        )


class TestS3Provider(ProviderConformance):
    @pytest.fixture
    def known_source(self, s3: Service, bucket: str) -> KnownSource:
        boto3.client("s3", endpoint_url=s3.address).put_object(
            Bucket=bucket, Key="lake/orders.ndjson", Body=NDJSON
        )
        return KnownSource(
            uri=f"s3://{bucket}/lake/orders.ndjson",
            columns=COLUMNS,
            missing=f"s3://{bucket}/lake/nothing.ndjson",
            options={"endpoint_url": s3.address},
            prefix=f"s3://{bucket}/lake/or",
            completion=f"s3://{bucket}/lake/orders.ndjson",
        )


class TestPostgresProvider(ProviderConformance):
    @pytest.fixture
    async def known_source(self, pg_database: str) -> KnownSource:
        conn = await asyncpg.connect(pg_database)
        try:
            await conn.execute(
                "CREATE TABLE orders (id bigint NOT NULL, note text, price double precision)"
            )
        finally:
            await conn.close()
        parts = urlsplit(pg_database)
        secret = f"pw-{uuid.uuid4().hex}"  # trust authentication: any password gets in
        user = parts.username or "postgres"
        netloc = f"{user}:{secret}@{parts.hostname}:{parts.port or 5432}"
        database = urlunsplit(parts._replace(netloc=netloc))
        return KnownSource(
            uri=f"{database}?table=orders",
            columns=COLUMNS,
            missing=f"{database}?table=nothing",
            many=database,
            name="public.orders",
            prefix=f"{database}?table=pub",
            completion=f"{database}?table=public.orders",
            secret=secret,
        )


class TestKafkaProvider(ProviderConformance):
    @pytest.fixture
    async def known_source(self, kafka: Service) -> KnownSource:
        topic = f"conformance-{uuid.uuid4().hex[:8]}"
        await create_topic(kafka.address, topic, 2)
        messages = [Out(json.dumps(r).encode(), partition=i % 2) for i, r in enumerate(ROWS)]
        await produce(kafka.address, topic, messages)
        broker = f"kafka://{kafka.address}"
        return KnownSource(
            uri=f"{broker}/{topic}",
            columns=COLUMNS,
            missing=f"{broker}/no-such-topic-{uuid.uuid4().hex[:8]}",
            many=broker,
            name=topic,
            prefix=f"{broker}/{topic[:8]}",
            completion=f"{broker}/{topic}",
        )
