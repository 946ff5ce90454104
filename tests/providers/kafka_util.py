"""Creating topics and producing to them, for the Kafka tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic


@dataclass(frozen=True)
class Out:
    value: bytes | None
    key: bytes | None = None
    partition: int = 0
    headers: tuple[tuple[str, bytes], ...] = field(default=())


async def create_topic(bootstrap: str, name: str, partitions: int = 1, **client: Any) -> None:
    """``client``: more aiokafka arguments (``security_protocol``, ``ssl_context``)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()


async def produce(bootstrap: str, topic: str, messages: Sequence[Out], **client: Any) -> None:
    """Produce in batches, but the last message of each partition alone.

    Tansu reports a partition's end offset as the base offset of its last batch
    plus one; a last batch of one message keeps that right (Apache Kafka needs
    no such care).
    """
    last: dict[int, int] = {}
    for i, m in enumerate(messages):
        last[m.partition] = i
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        linger_ms=5,
        max_batch_size=1_000_000,
        max_request_size=2_000_000,
        **client,
    )
    await producer.start()
    try:
        final = set(last.values())
        for i, m in enumerate(messages):
            if i not in final:
                await producer.send(
                    topic, m.value, key=m.key, partition=m.partition, headers=list(m.headers)
                )
        await producer.flush()
        for i in sorted(last.values()):
            m = messages[i]
            await producer.send_and_wait(
                topic, m.value, key=m.key, partition=m.partition, headers=list(m.headers)
            )
    finally:
        await producer.stop()
