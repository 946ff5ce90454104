"""``@kafkajs/confluent-schema-registry`` (npm, version 4), an independent Node client,
against ``schemacat serve``: Avro registered, encoded and decoded, latest id; a compatible
evolution accepted and old payloads still read; an incompatible one refused with 409 and
the reason; JSON Schema round-tripped; and the catalog holding what Node registered.

The package is installed once per run into a temporary folder; an install that fails
fails the test (never a skip)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.process import schemacat
from tests.server.registry import serving

PACKAGE = "@kafkajs/confluent-schema-registry@4"
CLIENT = Path(__file__).with_name("kafkajs_client.js")
ORDER_JSON = {  # as kafkajs_client.js registers it
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {"id": {"type": "integer"}, "amount": {"type": "number"}},
    "required": ["id"],
}


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``node_modules`` folder holding the package, installed once per run."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail("node and npm are needed to test the kafkajs client; neither may be missing")
    prefix = tmp_path_factory.mktemp("kafkajs")
    installed = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", PACKAGE],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if installed.returncode != 0:
        pytest.fail(
            f"npm install {PACKAGE} failed (exit {installed.returncode}):\n"
            f"{installed.stdout}\n{installed.stderr}"
        )
    return prefix / "node_modules"


@pytest.fixture
def registry(catalog_url: str, tmp_path: Path) -> Iterator[str]:
    with serving(catalog_url, log=tmp_path / "serve.log") as url:
        yield url


def run_client(node_modules: Path, *args: str, log: Path) -> dict[str, Any]:
    """The JSON summary kafkajs_client.js prints; a failure shows its calls and the
    server's log."""
    ran = subprocess.run(
        ["node", str(CLIENT), *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "NODE_PATH": str(node_modules)},
    )  # fmt: skip
    try:
        summary: dict[str, Any] = json.loads(ran.stdout)
    except ValueError:
        summary = {}
    if ran.returncode != 0 or not summary:
        pytest.fail(
            f"the kafkajs client failed (exit {ran.returncode}):\n{ran.stdout}\n{ran.stderr}\n"
            f"--- schemacat serve log ---\n{log.read_text()}"
        )
    return summary


def test_kafkajs_client(
    registry: str, node_modules: Path, catalog_url: str, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    orders, events = f"orders-{tag}-value", f"events-{tag}-value"
    out = run_client(node_modules, registry, orders, events, log=tmp_path / "serve.log")
    calls = "\n".join(out["calls"])

    # Avro: what Node encoded it decodes through the registry, by id
    first = out["avro"]
    assert first["decoded"] == {"id": 7, "amount": 12.5, "note": "first"}, calls
    assert first["latestId"] == first["id"], calls

    # a field with a default is a new version with a new id; old payloads still read,
    # as they were written and through the evolved reader schema
    evolved = out["evolved"]
    assert evolved["id"] != first["id"] and evolved["latestId"] == evolved["id"], calls
    assert evolved["oldPayload"] == first["decoded"], calls
    assert evolved["oldPayloadAsEvolved"] == {**first["decoded"], "coupon": "none"}, calls

    # id long -> string under BACKWARD: refused with 409 and the reason
    refused = out["incompatible"]
    assert refused.get("status") == 409, (refused, calls)
    assert "not BACKWARD compatible" in refused["message"], refused
    assert all(word in refused["message"] for word in ("id", "string", "long")), refused

    # JSON Schema
    assert out["json"]["decoded"] == {"id": 3, "amount": 4.5}, calls
    assert out["json"]["latestId"] == out["json"]["id"], calls

    # the library's own order: a first registration (config 404), then its PUT /config
    assert out["calls"][:3] == [
        f"GET /config/{orders} -> 404",
        f"POST /subjects/{orders}/versions -> 200",
        f"PUT /config/{orders} -> 200",
    ]  # fmt: skip

    # the catalog holds what Node registered: versions with its ids, columns, config
    versions = schemacat("--catalog", catalog_url, "run", "-c",
                         f'SHOW SCHEMA VERSIONS FOR "{orders}"', "--format", "json")  # fmt: skip
    assert versions.returncode == 0, versions.stderr
    rows = json.loads(versions.stdout)["rows"]
    assert [(r["version"], r["schema_id"]) for r in rows] == [
        (1, first["id"]), (2, evolved["id"]),
    ]  # fmt: skip
    described = schemacat("--catalog", catalog_url, "run", "-c", f'DESCRIBE "{orders}"',
                          "--format", "json")  # fmt: skip
    assert described.returncode == 0, described.stderr
    columns = json.loads(described.stdout)["rows"]
    assert [(r["column"], r["type"], r["nullable"]) for r in columns] == [
        ("id", "BIGINT", False), ("amount", "DOUBLE", False), ("note", "VARCHAR", True),
        ("coupon", "VARCHAR", False),
    ]  # fmt: skip
    with httpx.Client(base_url=registry) as http:
        assert http.get(f"/config/{orders}").json() == {"compatibilityLevel": "BACKWARD"}
        latest = http.get(f"/subjects/{events}/versions/latest").json()
    assert (latest["id"], latest["version"], latest["schemaType"]) == (out["json"]["id"], 1, "JSON")
    assert json.loads(latest["schema"]) == ORDER_JSON
