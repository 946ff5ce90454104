"""ksqlDB's bridge through ``schemacat run``, with schemas registered over REST:
``CREATE STREAM ... WITH (KAFKA_TOPIC, VALUE_FORMAT = 'AVRO' | 'JSON_SR')`` takes its
columns from ``<topic>-value`` (and ``<topic>-key``), ``VALUE_SCHEMA_ID`` picks one
schema, and declared columns are registered there, checked first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.registry import serving

ORDER_V1 = {
    "type": "record",
    "name": "Order",
    "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "double"}],
}
ORDER_V2 = {
    **ORDER_V1,
    "fields": [*ORDER_V1["fields"], {"name": "note", "type": ["null", "string"], "default": None}],
}


@pytest.fixture
def served(catalog_url: str, tmp_path: Path) -> Iterator[tuple[str, httpx.Client]]:
    with (
        serving(catalog_url, log=tmp_path / "serve.log") as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield catalog_url, client


def run(catalog: str, sql: str) -> subprocess.CompletedProcess[str]:
    """``schemacat run -c`` with no Kafka broker configured: the bridge needs none."""
    env = {k: v for k, v in os.environ.items() if k != "SCHEMACAT_KAFKA_BOOTSTRAP"}
    return subprocess.run(
        [sys.executable, "-m", "catalog", "--catalog", catalog, "run", "-c", sql, "--format", "json"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


def columns(catalog: str, stream: str) -> list[tuple[str, str, Any]]:
    described = run(catalog, f"DESCRIBE {stream}")
    assert described.returncode == 0, described.stderr
    rows = json.loads(described.stdout.splitlines()[-1])["rows"]
    return [(r["column"], r["type"], r["comment"]) for r in rows]


def register(client: httpx.Client, subject: str, schema: Any, schema_type: str = "AVRO") -> int:
    body = {"schema": json.dumps(schema), "schemaType": schema_type}
    answer = client.post(f"/subjects/{subject}/versions", json=body)
    assert answer.status_code == 200, answer.text
    found: int = answer.json()["id"]
    return found


def test_columns_come_from_the_value_and_key_subjects(served: tuple[str, httpx.Client]) -> None:
    catalog, client = served
    first = register(client, "orders-value", ORDER_V1)
    register(client, "orders-value", ORDER_V2)
    register(client, "orders-key", "string")

    made = run(catalog, "CREATE STREAM orders WITH (KAFKA_TOPIC = 'orders', "
                        "VALUE_FORMAT = 'AVRO', KEY_FORMAT = 'AVRO')")  # fmt: skip
    assert made.returncode == 0, made.stderr
    found = columns(catalog, "orders")
    assert [(name, kind) for name, kind, _ in found] == [
        ("key", "VARCHAR (key)"), ("id", "BIGINT"), ("amount", "DOUBLE"), ("note", "VARCHAR"),
    ]  # fmt: skip
    shown = run(catalog, "SHOW CREATE STREAM orders")
    statement = json.loads(shown.stdout)["rows"][0]["statement"]
    assert '"key" VARCHAR KEY' in statement and "kafka_topic = 'orders'" in statement

    pinned = run(catalog, "CREATE STREAM orders_v1 WITH (KAFKA_TOPIC = 'orders', "
                          f"VALUE_FORMAT = 'AVRO', VALUE_SCHEMA_ID = {first})")  # fmt: skip
    assert pinned.returncode == 0, pinned.stderr
    assert [name for name, *_ in columns(catalog, "orders_v1")] == ["id", "amount"]


def test_declared_columns_are_registered_checked_first(served: tuple[str, httpx.Client]) -> None:
    catalog, client = served
    made = run(catalog, "CREATE STREAM payments (id BIGINT NOT NULL, total DOUBLE) WITH "
                        "(KAFKA_TOPIC = 'payments', VALUE_FORMAT = 'JSON_SR')")  # fmt: skip
    assert made.returncode == 0, made.stderr
    latest = client.get("/subjects/payments-value/versions/latest").json()
    assert latest["schemaType"] == "JSON"
    assert list(json.loads(latest["schema"])["properties"]) == ["id", "total"]

    register(client, "refunds-value", ORDER_V1)
    broken = run(catalog, "CREATE STREAM refunds (id VARCHAR, amount DOUBLE) WITH "
                          "(KAFKA_TOPIC = 'refunds', VALUE_FORMAT = 'AVRO')")  # fmt: skip
    assert broken.returncode == 1
    assert "not BACKWARD compatible" in broken.stderr and "id" in broken.stderr
    # nothing changed: no stream, no new version
    listed = json.loads(run(catalog, "SHOW STREAMS").stdout)["rows"]
    assert "refunds" not in [row["name"] for row in listed]
    assert client.get("/subjects/refunds-value/versions").json() == [1]

    fine = run(catalog, "CREATE STREAM refunds (id BIGINT NOT NULL, amount DOUBLE NOT NULL, "
                        "reason VARCHAR) WITH (KAFKA_TOPIC = 'refunds', VALUE_FORMAT = 'AVRO')")  # fmt: skip
    assert fine.returncode == 0, fine.stderr
    assert client.get("/subjects/refunds-value/versions").json() == [1, 2]


def test_bridge_errors_say_what_to_do(served: tuple[str, httpx.Client]) -> None:
    catalog, _ = served
    missing = run(catalog, "CREATE STREAM s WITH (KAFKA_TOPIC = 'nothing', VALUE_FORMAT = 'AVRO')")
    assert missing.returncode == 1
    assert "no value schema is registered for topic 'nothing'" in missing.stderr
    assert "nothing-value" in missing.stderr

    proto = run(catalog, "CREATE STREAM s WITH (KAFKA_TOPIC = 't', VALUE_FORMAT = 'PROTOBUF')")
    assert proto.returncode == 1 and "PROTOBUF" in proto.stderr and "JSON_SR" in proto.stderr

    bad_id = run(catalog, "CREATE STREAM s WITH (KAFKA_TOPIC = 't', VALUE_FORMAT = 'AVRO', "
                          "VALUE_SCHEMA_ID = 'x')")  # fmt: skip
    assert bad_id.returncode == 1 and "VALUE_SCHEMA_ID" in bad_id.stderr
