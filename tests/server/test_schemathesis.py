"""schemathesis fuzzes every route that ``/openapi.json`` documents, against a real
``schemacat serve`` on each catalog (SQLite, PostgreSQL): no answer may be a server
error, and each must match what the document says of it (its status, its content type,
its body's schema).

Bounded for CI: a fixed number of examples per route, generated deterministically
(the same cases each run), with one server for all of them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import drop_schema, with_query
from tests.server.registry import serving
from tests.services import Service

#: examples per route and generation mode; ~30 routes, both modes: about a thousand requests
EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """A server on a fresh catalog: a SQLite file, or a PostgreSQL schema (whose text
    refuses what SQLite keeps, such as NUL)."""
    place = tmp_path_factory.mktemp("fuzzed")
    log = place / "serve.log"
    if request.param == "sqlite":
        catalog = f"sqlite:///{place / 'catalog.db'}"
    else:
        postgres: Service = request.getfixturevalue("postgres")
        schema = f"schemacat_fuzz_{uuid.uuid4().hex[:10]}"
        catalog = with_query(postgres.address, schema=schema)
    with serving(catalog, log=log) as url:
        yield url, log
    if request.param == "postgres":
        asyncio.run(drop_schema(postgres.address, schema))


@pytest.fixture(scope="module")
def api_schema(served: tuple[str, Path]) -> schemathesis.schemas.BaseSchema:
    url = served[0]
    loaded = schemathesis.openapi.from_url(f"{url}/openapi.json")
    loaded.config.update(base_url=url, request_timeout=30)
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=True,
    )
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32's lazy loader reads ``Node._nodeid``, which pytest 9 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,  # the server's time is not the generator's
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_documented_api_holds(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


def test_the_server_logged_no_exception(served: tuple[str, Path]) -> None:
    """Run after the fuzzing: no request made the server log a traceback (an answer may
    look fine while a task failed behind it)."""
    assert "Traceback" not in served[1].read_text()
