"""The Kafka provider against a real broker (Tansu, or $SCHEMACAT_TEST_KAFKA)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

import catalog
from catalog.discover import list_objects, sample
from catalog.discovery import SourceObject
from catalog.errors import (
    AccessDenied,
    BadOption,
    DiscoveryError,
    EmptySource,
    MalformedSource,
    SourceNotFound,
    SourceUnreachable,
)
from tests.providers.kafka_util import Out, create_topic, produce
from tests.services import Service, free_port, start_tansu


def topic_name() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def order(i: int) -> bytes:
    return json.dumps(
        {
            "id": i,
            "amount": i * 1.5,
            "at": "2024-05-01T10:00:00Z",
            "customer": {"name": f"c{i}", "tier": i % 3},
        }
    ).encode()


async def topic_with(kafka: Service, messages: list[Out], partitions: int = 1) -> str:
    name = topic_name()
    await create_topic(kafka.address, name, partitions)
    await produce(kafka.address, name, messages)
    return f"kafka://{kafka.address}/{name}"


def types(found: catalog.Discovery) -> dict[str, str]:
    return {f.name: f.sql_type for f in found}


async def test_json_values_keys_headers_and_tombstones(kafka: Service) -> None:
    messages = [
        Out(order(i), key=f"order-{i}".encode(), partition=i % 2, headers=(("source", b"web"),))
        for i in range(40)
    ]
    messages.append(Out(None, key=b"order-0", partition=0))
    uri = await topic_with(kafka, messages, partitions=2)
    found = await catalog.discover_schema(uri)
    assert types(found) == {
        "id": "BIGINT",
        "amount": "DOUBLE",
        "at": "TIMESTAMP WITH TIME ZONE",
        "customer": 'STRUCT("name" VARCHAR, tier BIGINT)',
        "key": "VARCHAR",
        "headers": "MAP(VARCHAR, BLOB)",
    }
    assert found["key"].metadata == {"role": "key", "kafka.format": "text"}
    assert found["headers"].metadata == {"role": "headers"}
    assert (found.format, found.sampled, found.malformed) == ("json", 40, 0)
    assert found.details["tombstones"] == 1
    assert found.details["partitions"] == 2
    assert found.details["offsets"] == {"0": [0, 21], "1": [0, 20]}


async def test_latest_spreads_the_sample_in_proportion(kafka: Service) -> None:
    messages = [
        Out(order(i), partition=p) for p, count in ((0, 60), (1, 30), (2, 10)) for i in range(count)
    ]
    uri = await topic_with(kafka, messages, partitions=3)
    latest = await catalog.discover_schema(uri, sample_size=10)
    assert latest.details["offsets"] == {"0": [54, 60], "1": [27, 30], "2": [9, 10]}
    assert latest.sampled == 10
    earliest = await catalog.discover_schema(uri, sample_size=10, **{"from": "earliest"})
    assert earliest.details["offsets"] == {"0": [0, 6], "1": [0, 3], "2": [0, 1]}


async def test_a_small_topic_is_read_whole_without_waiting(kafka: Service) -> None:
    uri = await topic_with(kafka, [Out(order(i)) for i in range(5)])
    start = time.monotonic()
    found = await catalog.discover_schema(uri, sample_size=1000)
    assert found.sampled == 5
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    ("payloads", "fmt", "expected"),
    [
        ([b"1", b"2.5", b"3"], "json", {"value": "DOUBLE"}),
        ([b"a,1,2024-01-01", b"b,2,2024-01-02", b"c,3,2024-01-03"], "csv",
         {"column0": "VARCHAR", "column1": "BIGINT", "column2": "DATE"}),
        ([b"started", b"stopped", b"paused"], "text", {"value": "VARCHAR"}),
        ([b"\x00\xff\x10", b"\x01\xfe"], "bytes", {"value": "BLOB"}),
    ],
)  # fmt: skip
async def test_value_formats_are_detected(
    kafka: Service, payloads: list[bytes], fmt: str, expected: dict[str, str]
) -> None:
    uri = await topic_with(kafka, [Out(p) for p in payloads])
    found = await catalog.discover_schema(uri)
    assert (found.format, types(found)) == (fmt, expected)


async def test_format_option_and_malformed_messages(kafka: Service) -> None:
    uri = await topic_with(kafka, [Out(order(1)), Out(b"not json"), Out(order(2))])
    found = await catalog.discover_schema(uri)
    assert (found.format, found.sampled, found.malformed) == ("json", 2, 1)
    as_text = await catalog.discover_schema(uri, format="text")
    assert types(as_text) == {"value": "VARCHAR"}
    broken = await topic_with(kafka, [Out(b"{nope"), Out(b"{nope either")])
    with pytest.raises(MalformedSource, match="every message sampled"):
        await catalog.discover_schema(broken, format="json")


async def test_json_object_keys_are_structs(kafka: Service) -> None:
    uri = await topic_with(
        kafka, [Out(order(i), key=json.dumps({"region": "eu", "id": i}).encode()) for i in range(3)]
    )
    found = await catalog.discover_schema(uri)
    assert found["key"].sql_type == "STRUCT(region VARCHAR, id BIGINT)"
    assert found.details["key_format"] == "json"


async def test_sample_returns_the_messages(kafka: Service) -> None:
    uri = await topic_with(kafka, [Out(order(i), key=b"k") for i in range(4)])
    table = await sample(uri)
    assert table.num_rows == 4
    assert table.column("key").to_pylist() == ["k"] * 4
    assert table.column("customer").to_pylist()[0] == {"name": "c0", "tier": 0}


def framed(schema_id: int, body: bytes) -> bytes:
    """A payload in Confluent Schema Registry's wire format."""
    return b"\x00" + schema_id.to_bytes(4, "big") + body


async def test_schema_registry_json_values(kafka: Service) -> None:
    messages = [Out(framed(7, order(i)), key=f"order-{i}".encode()) for i in range(20)]
    later = {"id": 99, "amount": 1.0, "at": "2024-05-02T10:00:00Z", "coupon": "SPRING"}
    messages.append(Out(framed(8, json.dumps(later).encode()), key=b"order-99"))
    uri = await topic_with(kafka, messages)
    found = await catalog.discover_schema(uri, **{"from": "earliest"})
    assert found.format == "json_sr"
    assert found.details["value_schema_ids"] == [7, 8]
    assert types(found) == {
        "id": "BIGINT",
        "amount": "DOUBLE",
        "at": "TIMESTAMP WITH TIME ZONE",
        "customer": 'STRUCT("name" VARCHAR, tier BIGINT)',
        "coupon": "VARCHAR",
        "key": "VARCHAR",
    }
    assert found.malformed == 0
    table = await sample(uri, **{"from": "earliest"})
    assert table.column("id").to_pylist()[-1] == 99
    assert table.column("coupon").to_pylist()[-1] == "SPRING"


async def test_schema_registry_avro_needs_the_registry(kafka: Service) -> None:
    import io

    import fastavro

    schema = fastavro.parse_schema(
        {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
    )

    def avro(i: int) -> bytes:
        out = io.BytesIO()
        fastavro.schemaless_writer(out, schema, {"id": i})
        return framed(12, out.getvalue())

    uri = await topic_with(kafka, [Out(avro(i)) for i in range(5)])
    with pytest.raises(MalformedSource) as err:
        await catalog.discover_schema(uri)
    assert "Schema Registry's wire format (schema ids 12) but are not JSON" in err.value.message
    assert err.value.hint is not None and "format=bytes" in err.value.hint
    as_bytes = await catalog.discover_schema(uri, format="bytes")
    assert types(as_bytes) == {"value": "BLOB"}
    with pytest.raises(MalformedSource, match="do not carry Schema Registry framing"):
        await catalog.discover_schema(await topic_with(kafka, [Out(order(1))]), format="json_sr")


async def test_raw_avro_starting_with_a_zero_byte_is_not_taken_for_the_frame(
    kafka: Service,
) -> None:
    """Unframed Avro whose first field is a null union branch starts with 0x00 too."""
    import io

    import fastavro

    schema = fastavro.parse_schema(
        {
            "type": "record",
            "name": "Order",
            "fields": [
                {"name": "note", "type": ["null", "string"]},
                {"name": "id", "type": "long"},
                {"name": "sku", "type": "string"},
            ],
        }
    )

    def avro(i: int) -> bytes:
        out = io.BytesIO()
        fastavro.schemaless_writer(out, schema, {"note": None, "id": 1_000_003 * i, "sku": "ab"})
        return out.getvalue()

    payloads = [avro(i) for i in range(1, 41)]
    assert all(p[0] == 0 and len(p) >= 5 for p in payloads)
    found = await catalog.discover_schema(await topic_with(kafka, [Out(p) for p in payloads]))
    assert found.format != "json_sr"


async def test_listing_topics_and_asking_for_one(kafka: Service) -> None:
    uri = await topic_with(kafka, [Out(order(i), partition=i % 3) for i in range(9)], partitions=3)
    name = uri.rsplit("/", 1)[1]
    listing = await list_objects(f"kafka://{kafka.address}")
    assert listing is not None
    assert SourceObject(name, "topic", partitions=3, messages=9) in listing
    with pytest.raises(DiscoveryError, match=r"names \d+ objects, not one"):
        await catalog.discover_schema(f"kafka://{kafka.address}")


async def test_nothing_is_written_to_the_cluster(kafka: Service) -> None:
    uri = await topic_with(kafka, [Out(order(1))])
    await catalog.discover_schema(uri)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.address)
    await admin.start()
    try:
        assert await admin.list_consumer_groups() == []
    finally:
        await admin.close()


async def test_unknown_topic_names_the_closest(kafka: Service) -> None:
    uri = await topic_with(kafka, [Out(order(1))])
    with pytest.raises(SourceNotFound) as err:
        await catalog.discover_schema(uri + "x")
    assert err.value.hint is not None
    assert err.value.hint.startswith(f"the topics there, closest first: {uri.rsplit('/', 1)[1]}")


async def test_empty_topic(kafka: Service) -> None:
    name = topic_name()
    await create_topic(kafka.address, name, 2)
    with pytest.raises(EmptySource, match=f"topic {name} is empty"):
        await catalog.discover_schema(f"kafka://{kafka.address}/{name}")


async def test_unreachable_broker_within_the_timeout() -> None:
    address = f"127.0.0.1:{free_port()}"
    start = time.monotonic()
    with pytest.raises(SourceUnreachable) as err:
        await catalog.discover_schema(f"kafka://{address}/orders", timeout=2)
    assert address in err.value.message
    assert time.monotonic() - start < 10


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second Tansu that requires SASL and knows no users: every login is refused."""
    log = tmp_path_factory.mktemp("tansu-auth") / "tansu-auth.log"
    broker = start_tansu(log, "--authentication")
    yield broker.address
    broker.stop()


SCRAM = {
    "security_protocol": "SASL_PLAINTEXT",
    "sasl_mechanism": "SCRAM-SHA-512",
    "sasl_plain_username": "mallory",
}


async def test_authentication_failure(sasl_broker: str) -> None:
    """A broker that requires SASL refuses credentials it does not know."""
    with pytest.raises(AccessDenied, match="refused the credentials"):
        await catalog.discover_schema(
            f"kafka://{sasl_broker}/orders", **SCRAM, sasl_plain_password="guess", timeout=5
        )


async def test_sasl_password_from_the_environment(
    sasl_broker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a password option, the login uses $SCHEMACAT_KAFKA_SASL_PASSWORD, and
    without that it fails before connecting, saying where the password goes."""
    monkeypatch.delenv("SCHEMACAT_KAFKA_SASL_PASSWORD", raising=False)
    with pytest.raises(AccessDenied, match="needs a password for SASL SCRAM-SHA-512") as err:
        await catalog.discover_schema(f"kafka://{sasl_broker}/orders", **SCRAM, timeout=5)
    assert err.value.hint is not None and "SCHEMACAT_KAFKA_SASL_PASSWORD" in err.value.hint
    monkeypatch.setenv("SCHEMACAT_KAFKA_SASL_PASSWORD", "guess")
    with pytest.raises(AccessDenied, match="refused the credentials"):
        await catalog.discover_schema(f"kafka://{sasl_broker}/orders", **SCRAM, timeout=5)


async def test_refresh_of_a_sasl_stream_takes_the_password_from_the_environment(
    sasl_broker: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The catalog keeps the SASL options but never the password, so REFRESH of such a
    stream logs in with $SCHEMACAT_KAFKA_SASL_PASSWORD."""
    monkeypatch.delenv("SCHEMACAT_KAFKA_SASL_PASSWORD", raising=False)
    cat = await catalog.Catalog.open(f"sqlite:///{tmp_path / 'cat.db'}")
    try:
        options = ", ".join(f"{k} = '{v}'" for k, v in SCRAM.items())
        await cat.execute(
            f"CREATE STREAM orders (id BIGINT) WITH (datasource = 'kafka://{sasl_broker}/orders', "
            f"{options}, sasl_plain_password = 'hunter2', timeout = '5', validate = false)"
        )
        [ddl] = await cat.execute("SHOW CREATE STREAM orders")
        assert "mallory" in ddl.rows[0][0] and "hunter2" not in ddl.rows[0][0]
        with pytest.raises(AccessDenied, match="needs a password"):
            await cat.execute("ALTER STREAM orders REFRESH")
        monkeypatch.setenv("SCHEMACAT_KAFKA_SASL_PASSWORD", "hunter2")
        with pytest.raises(AccessDenied, match="refused the credentials"):
            await cat.execute("VALIDATE STREAM orders")
        [versions] = await cat.execute("SHOW SCHEMA VERSIONS FOR orders")
        assert len(versions.rows) == 1
    finally:
        await cat.close()


async def test_security_options_that_do_not_fit_together() -> None:
    with pytest.raises(BadOption, match=r"security options .* do not fit together"):
        await catalog.discover_schema("kafka://127.0.0.1:9/orders", security_protocol="SASL_SSL2")


async def test_secret_options_never_reach_messages(kafka: Service) -> None:
    with pytest.raises(DiscoveryError) as err:
        await catalog.discover_schema(f"kafka://{kafka.address}", sasl_plain_password="hunter2")
    assert "hunter2" not in str(err.value)
