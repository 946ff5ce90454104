"""Kafka sampling: discover_schema on a 100,000-message topic against a bare aiokafka fetch.

The topic has 6 partitions of JSON orders.  The reference, measured in the same
run, assigns the same partitions, seeks to the same offsets, fetches the same
1,000 messages and parses each with json.loads: the least any sampler does.
Target: the ratio at most 1.5.  Uses $SCHEMACAT_TEST_KAFKA, else starts Tansu.

Run:  python bench/kafka_sampling.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

sys.path.insert(0, str(Path(__file__).parents[1]))
import catalog
from tests.providers.kafka_util import Out, create_topic, produce
from tests.services import start_kafka

MESSAGES, PARTITIONS, SAMPLE, RUNS = 100_000, 6, 1000, 7


def order(i: int) -> bytes:
    return json.dumps(
        {
            "order_id": i,
            "customer": {"id": i % 977, "country": ["FR", "NO", "IT", "PE"][i % 4]},
            "items": [{"sku": f"SKU-{(i * 7 + j) % 500}", "qty": 1 + j} for j in range(i % 4)],
            "amount": round(i * 0.37 % 250, 2),
            "placed_at": f"2024-05-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
        }
    ).encode()


async def reference(bootstrap: str, topic: str, ranges: dict[str, list[int]]) -> int:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = {int(p): TopicPartition(topic, int(p)) for p in ranges}
        consumer.assign(list(tps.values()))
        for p, (first, _) in ranges.items():
            consumer.seek(tps[int(p)], first)
        wanted = sum(stop - first for first, stop in ranges.values())
        parsed = 0
        while parsed < wanted:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    if r.offset < ranges[str(r.partition)][1]:
                        json.loads(r.value)
                        parsed += 1
        return parsed
    finally:
        await consumer.stop()


async def main(bootstrap: str) -> None:
    topic = "bench-orders"
    await create_topic(bootstrap, topic, PARTITIONS)
    await produce(
        bootstrap, topic, [Out(order(i), partition=i % PARTITIONS) for i in range(MESSAGES)]
    )
    uri = f"kafka://{bootstrap}/{topic}"

    async def ours() -> catalog.Discovery:
        catalog.clear_cache()
        return await catalog.discover_schema(uri, sample_size=SAMPLE)

    found = await ours()
    ranges = found.details["offsets"]
    ours_times, ref_times = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        await ours()
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert await reference(bootstrap, topic, ranges) == SAMPLE
        ref_times.append(time.perf_counter() - start)
    t_ours, t_ref = statistics.median(ours_times), statistics.median(ref_times)
    print(f"topic: {MESSAGES} JSON messages over {PARTITIONS} partitions; sample {found.sampled}")
    print(f"bare aiokafka fetch + json.loads: {t_ref * 1000:7.1f} ms")
    print(
        f"discover_schema:                  {t_ours * 1000:7.1f} ms   "
        f"ratio {t_ours / t_ref:.2f} (target <= 1.5)"
    )
    print("schema:", found.schema)


if __name__ == "__main__":
    import os

    if os.environ.get("SCHEMACAT_TEST_KAFKA"):
        asyncio.run(main(os.environ["SCHEMACAT_TEST_KAFKA"]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            service = start_kafka(Path(tmp))
            try:
                asyncio.run(main(service.address))
            finally:
                service.stop()
