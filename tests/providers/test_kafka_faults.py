"""Kafka over a network that misbehaves, through ``schemacat discover``: a slow link gets its
whole timeout, a broker that advertises an address no one can reach or that goes away is a
clear error saying how long it really took, and no client library line reaches the terminal."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.providers.kafka_util import Out, create_topic, produce
from tests.services import free_port, start_tansu
from tests.services.proxy import Link, relay


@dataclass(frozen=True)
class Faulty:
    direct: str  # the broker's own address
    relayed: str  # the address it advertises: through the relay
    link: Link


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[Faulty]:
    """A broker that advertises a relay in front of it, whose link a test spoils."""
    port = free_port()
    broker = start_tansu(tmp_path / "tansu.log", advertised_port=port)
    try:
        with relay(port, int(broker.address.rsplit(":", 1)[1])) as link:
            yield Faulty(broker.address, f"127.0.0.1:{port}", link)
    finally:
        broker.stop()


async def topic(faulty: Faulty, count: int, size: int = 10) -> str:
    name = f"faults-{uuid.uuid4().hex[:8]}"
    await create_topic(faulty.relayed, name, 2)
    values = [json.dumps({"id": i, "pad": "x" * size}).encode() for i in range(count)]
    await produce(faulty.relayed, name, [Out(v, partition=i % 2) for i, v in enumerate(values)])
    return name


def discover(uri: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "catalog", "discover", uri, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return out, time.monotonic() - started


def assert_clear(out: subprocess.CompletedProcess[str]) -> None:
    """One error, its hint, nothing else: no traceback, no aiokafka log line."""
    assert out.returncode == 1
    lines = out.stderr.splitlines()
    assert lines[0].startswith("error: ") and lines[-1].startswith("hint: "), out.stderr
    assert len(lines) == 2, out.stderr


async def test_a_slow_link_gets_its_whole_timeout(faulty: Faulty) -> None:
    name = await topic(faulty, 200)
    faulty.link.delay = 1.2  # a round trip takes longer than the 2 s schemacat once waited
    out, _ = discover(f"kafka://{faulty.relayed}/{name}?timeout=60")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["sampled"] == 200


async def test_an_advertised_address_no_one_can_reach(faulty: Faulty) -> None:
    name = await topic(faulty, 20)
    faulty.link.drop()  # the broker answers at its own address, and points at the relay
    out, took = discover(f"kafka://{faulty.direct}/{name}?timeout=3")
    assert_clear(out)
    assert f"the Kafka broker at {faulty.direct} sent none of" in out.stderr
    assert "within the timeout (after 3." in out.stderr and took < 10
    assert "advertised.listeners" in out.stderr


async def test_a_broker_that_goes_away_while_sampled(faulty: Faulty) -> None:
    name = await topic(faulty, 3000, size=2000)
    faulty.link.delay = 0.3
    process = subprocess.Popen(
        [sys.executable, "-m", "catalog", "discover", f"kafka://{faulty.relayed}/{name}?timeout=5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)  # connected, and fetching
    faulty.link.drop()
    out, err = process.communicate(timeout=60)
    completed = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    if completed.returncode == 0:  # what came before the broker went is the sample
        assert "the sample stopped at the timeout" in out or json.loads(out)["sampled"] > 0
        return
    assert_clear(completed)
    assert "CancelledError" not in err


def test_a_broker_that_refuses_at_once_says_so_at_once() -> None:
    out, took = discover(f"kafka://127.0.0.1:{free_port()}/orders?timeout=10")
    assert_clear(out)
    assert "cannot reach the Kafka broker at 127.0.0.1:" in out.stderr
    assert "within 10" not in out.stderr and took < 8
    assert "(after 0." in out.stderr or "(after 1." in out.stderr
