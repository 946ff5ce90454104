"""Each real service the suite depends on answers: Kafka, S3 and PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import boto3
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.services import Service


async def test_kafka_produce_and_consume(kafka: Service) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.address)
    await admin.start()
    try:
        await admin.create_topics([NewTopic("smoke", num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=kafka.address)
    await producer.start()
    try:
        for i in range(10):
            await producer.send_and_wait("smoke", f'{{"n": {i}}}'.encode(), partition=i % 2)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.address, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition("smoke", p) for p in (0, 1)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        assert sum(ends.values()) == 10
        await consumer.seek_to_beginning(*partitions)
        values: list[bytes] = []
        while len(values) < 10:
            batch = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), 10)
            values += [m.value for msgs in batch.values() for m in msgs if m.value is not None]
    finally:
        await consumer.stop()
    assert sorted(values) == sorted(f'{{"n": {i}}}'.encode() for i in range(10))


def test_s3_put_and_ranged_get(s3: Service) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=s3.address,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="smoke")
    client.put_object(Bucket="smoke", Key="data.bin", Body=bytes(range(256)) * 4)
    part = client.get_object(Bucket="smoke", Key="data.bin", Range="bytes=10-19")
    assert part["Body"].read() == bytes(range(10, 20))
    assert part["ContentRange"] == "bytes 10-19/1024"


async def test_postgres_select_one(pg_database: str) -> None:
    conn = await asyncpg.connect(pg_database)
    try:
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()
