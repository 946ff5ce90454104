"""confluent-kafka's own serializers against ``schemacat serve``, through a real broker:
Avro and JSON Schema, registered automatically or by hand, latest version, normalized;
compatible evolution accepted, incompatible refused with the reason; and SQL and REST
seeing each other's changes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from tests.cli.process import schemacat
from tests.server.registry import serving
from tests.services import Service

ORDER = {
    "type": "record",
    "name": "Order",
    "namespace": "com.acme",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "amount", "type": "double"},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}
ORDER_JSON = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {"id": {"type": "integer"}, "amount": {"type": "number"}},
    "required": ["id"],
}


@pytest.fixture
def registry(catalog_url: str, tmp_path: Path) -> Iterator[str]:
    with serving(catalog_url, log=tmp_path / "serve.log") as url:
        yield url


def new_topic(kafka: Service, prefix: str) -> str:
    """A topic made before use: an auto-created one may stay unknown to a consumer's
    metadata for minutes."""
    topic = f"{prefix}-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka.address})
    for future in admin.create_topics([NewTopic(topic, 1, 1)]).values():
        future.result(30)
    return topic


def round_trip(kafka: Service, topic: str, serialize: Any, deserialize: Any, value: Any) -> Any:
    """Produce ``value`` serialized to ``topic`` and read it back, deserialized."""
    producer = Producer({"bootstrap.servers": kafka.address})
    payload = serialize(value, SerializationContext(topic, MessageField.VALUE))
    producer.produce(topic, value=payload)
    assert producer.flush(30) == 0
    consumer = Consumer({"bootstrap.servers": kafka.address, "group.id": uuid.uuid4().hex})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])  # no group to join
    try:
        for _ in range(60):
            message = consumer.poll(1)
            if message is not None and message.error() is None:
                return deserialize(message.value(), SerializationContext(topic, MessageField.VALUE))
        raise AssertionError(f"nothing came back from {topic}")
    finally:
        consumer.close()


def test_avro_with_default_settings(registry: str, kafka: Service, catalog_url: str) -> None:
    client = SchemaRegistryClient({"url": registry})
    topic = new_topic(kafka, "orders")
    serializer = AvroSerializer(client, json.dumps(ORDER))
    value = {"id": 7, "amount": 12.5, "note": "first"}
    assert round_trip(kafka, topic, serializer, AvroDeserializer(client), value) == value
    registered = client.get_latest_version(f"{topic}-value")
    assert (registered.version, registered.schema.schema_type) == (1, "AVRO")

    # SQL sees the subject REST made, as a stream of the same name
    described = schemacat("--catalog", catalog_url, "run", "-c", f'DESCRIBE "{topic}-value"',
                          "--format", "json")  # fmt: skip
    rows = json.loads(described.stdout)["rows"]
    assert [(r["column"], r["type"], r["nullable"]) for r in rows] == [
        ("id", "BIGINT", False), ("amount", "DOUBLE", False), ("note", "VARCHAR", True),
    ]  # fmt: skip

    # a compatible change is registered; an incompatible one is refused with the reason
    evolved = {**ORDER, "fields": [*ORDER["fields"], {"name": "coupon", "type": "string",
                                                       "default": "none"}]}  # fmt: skip
    second = AvroSerializer(client, json.dumps(evolved))
    second({"id": 8, "amount": 1.0, "note": None, "coupon": "x"},
           SerializationContext(topic, MessageField.VALUE))  # fmt: skip
    assert client.get_versions(f"{topic}-value") == [1, 2]
    broken = {**ORDER, "fields": [{"name": "id", "type": "string"}]}
    with pytest.raises(SchemaRegistryError) as refused:
        client.register_schema(f"{topic}-value", Schema(json.dumps(broken), "AVRO"))
    assert refused.value.http_status_code == 409
    assert refused.value.error_code == 409
    assert (
        "id is a string in the new schema but a long in version 2"
        in str(refused.value.error_message)
        or "id" in refused.value.error_message
    )


def test_latest_version_and_registration_by_hand(registry: str, kafka: Service) -> None:
    client = SchemaRegistryClient({"url": registry})
    topic = new_topic(kafka, "manual")
    schema_id = client.register_schema(f"{topic}-value", Schema(json.dumps(ORDER), "AVRO"))
    again = client.register_schema(f"{topic}-value", Schema(json.dumps(ORDER, indent=2), "AVRO"))
    assert again == schema_id  # whitespace makes no new schema
    serializer = AvroSerializer(
        client, None, conf={"auto.register.schemas": False, "use.latest.version": True}
    )
    value = {"id": 1, "amount": 2.0, "note": None}
    assert round_trip(kafka, topic, serializer, AvroDeserializer(client), value) == value
    normalized = AvroSerializer(
        client, json.dumps({**ORDER, "name": "com.acme.Order", "namespace": None}),
        conf={"normalize.schemas": True},
    )  # fmt: skip
    normalized(value, SerializationContext(topic, MessageField.VALUE))
    lookup = client.lookup_schema(f"{topic}-value", Schema(json.dumps(ORDER), "AVRO"))
    assert lookup.schema_id == schema_id and lookup.version == 1


def test_json_schema(registry: str, kafka: Service) -> None:
    client = SchemaRegistryClient({"url": registry})
    topic = new_topic(kafka, "json")
    serializer = JSONSerializer(json.dumps(ORDER_JSON), client)
    deserializer = JSONDeserializer(json.dumps(ORDER_JSON), schema_registry_client=client)
    value = {"id": 3, "amount": 4.5}
    assert round_trip(kafka, topic, serializer, deserializer, value) == value
    latest = client.get_latest_version(f"{topic}-value")
    assert latest.schema.schema_type == "JSON"


def test_sql_changes_reach_the_serializer(registry: str, kafka: Service, catalog_url: str) -> None:
    client = SchemaRegistryClient({"url": registry})
    subject = f"sql-{uuid.uuid4().hex[:8]}-value"
    client.register_schema(subject, Schema(json.dumps(ORDER), "AVRO"))
    altered = schemacat("--catalog", catalog_url, "run", "-c",
                        f"ALTER STREAM \"{subject}\" ADD COLUMN coupon VARCHAR DEFAULT 'none'")  # fmt: skip
    assert altered.returncode == 0, altered.stderr
    latest = client.get_latest_version(subject)
    assert latest.version == 2
    fields = {f["name"]: f for f in json.loads(latest.schema.schema_str)["fields"]}
    assert fields["coupon"]["default"] == "none"
