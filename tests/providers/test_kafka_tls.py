"""Kafka over TLS: a Tansu broker behind a TLS listener that requires client certificates."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka.helpers import create_ssl_context

import catalog
from catalog.discover import list_objects
from catalog.discovery import SourceObject
from catalog.errors import BadOption, SourceUnreachable
from tests.providers.kafka_util import Out, create_topic, produce
from tests.services import free_port, start_tansu
from tests.services.proxy import relay
from tests.services.tls import Certificates, make_certificates


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Certificates]]:
    folder = tmp_path_factory.mktemp("kafka-tls")
    certs = make_certificates(folder)
    port = free_port()
    broker = start_tansu(folder / "tansu-tls.log", advertised_port=port)
    try:
        with relay(port, int(broker.address.rsplit(":", 1)[1]), context=certs.server):
            yield f"127.0.0.1:{port}", certs
    finally:
        broker.stop()


def producer_tls(certs: Certificates) -> dict[str, Any]:
    context = create_ssl_context(
        cafile=certs.ca, certfile=certs.client_cert, keyfile=certs.client_key
    )
    return {"security_protocol": "SSL", "ssl_context": context}


def options(certs: Certificates) -> dict[str, str]:
    return {
        "security_protocol": "SSL",
        "ssl_cafile": str(certs.ca),
        "ssl_certfile": str(certs.client_cert),
        "ssl_keyfile": str(certs.client_key),
    }


async def topic_over_tls(address: str, certs: Certificates, records: list[dict[str, Any]]) -> str:
    name = f"tls-{uuid.uuid4().hex[:10]}"
    await create_topic(address, name, 1, **producer_tls(certs))
    messages = [Out(json.dumps(r).encode()) for r in records]
    await produce(address, name, messages, **producer_tls(certs))
    return name


async def test_mutual_tls_discovery_and_listing(tls_broker: tuple[str, Certificates]) -> None:
    address, certs = tls_broker
    name = await topic_over_tls(address, certs, [{"id": i, "ok": i % 2 == 0} for i in range(6)])
    found = await catalog.discover_schema(f"kafka://{address}/{name}", **options(certs))
    assert {f.name: f.sql_type for f in found} == {"id": "BIGINT", "ok": "BOOLEAN"}
    assert found.sampled == 6
    listing = await list_objects(f"kafka://{address}", **options(certs))
    assert listing is not None
    assert SourceObject(name, "topic", partitions=1, messages=6) in listing


async def test_what_the_tls_broker_refuses(tls_broker: tuple[str, Certificates]) -> None:
    address, certs = tls_broker
    uri = f"kafka://{address}/orders"
    without_client_cert = {"security_protocol": "SSL", "ssl_cafile": str(certs.ca)}
    with pytest.raises(SourceUnreachable) as err:
        await catalog.discover_schema(uri, **without_client_cert, timeout=3)
    assert err.value.hint is not None and "ssl_certfile and ssl_keyfile" in err.value.hint
    system_cas = {k: v for k, v in options(certs).items() if k != "ssl_cafile"}
    with pytest.raises(SourceUnreachable):  # the system's CAs did not sign the broker's cert
        await catalog.discover_schema(uri, **system_cas, timeout=3)
    with pytest.raises(BadOption, match="cannot load the TLS files") as bad:
        await catalog.discover_schema(uri, **{**options(certs), "ssl_cafile": "/no/such/ca.pem"})
    assert "ssl_cafile = /no/such/ca.pem" in bad.value.message


async def test_a_tls_stream_refreshes_with_its_stored_options(
    tls_broker: tuple[str, Certificates], tmp_path: Path
) -> None:
    address, certs = tls_broker
    name = await topic_over_tls(address, certs, [{"id": 1}])
    async with await catalog.Catalog.open(str(tmp_path / "cat.db")) as cat:
        settings = ", ".join(f"{k} = '{v}'" for k, v in options(certs).items())
        await cat.execute(
            f"CREATE STREAM t WITH (datasource = 'kafka://{address}/{name}', {settings})"
        )
        [ddl] = await cat.execute("SHOW CREATE STREAM t")
        assert f"ssl_keyfile = '{certs.client_key}'" in ddl.rows[0][0]
        await produce(address, name, [Out(b'{"id": 2, "note": "new"}')], **producer_tls(certs))
        [refreshed] = await cat.execute("ALTER STREAM t REFRESH")
        assert refreshed.message == "stream t: version 2 (added note VARCHAR)"
