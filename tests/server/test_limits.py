"""The door's limits, end to end against ``schemacat serve``: request and schema size,
request timeouts, the concurrency bound, and bodies that are not what a route reads.

Bodies that never end, and clients that stall, are written on raw sockets: the server
must answer them without waiting for what it will not read.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.cli.process import schemacat
from tests.conftest import drop_schema, with_query
from tests.server.registry import CONTENT, error, serving
from tests.services import Service

MAX_REQUEST, MAX_SCHEMA = 65536, 4096
V1 = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]})


def padded(size: int) -> str:
    """An Avro record schema's text of about ``size`` bytes (its doc pads it)."""
    return json.dumps({"type": "record", "name": "Big", "doc": "x" * size, "fields": []})


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    place = tmp_path_factory.mktemp("limits")
    log = place / "serve.log"
    options = ("--max-request-bytes", str(MAX_REQUEST), "--max-schema-bytes", str(MAX_SCHEMA),
               "--max-concurrency", "2", "--request-timeout", "3")  # fmt: skip
    with serving(f"sqlite:///{place / 'catalog.db'}", *options, log=log) as url:
        yield url, log


@pytest.fixture
def api(served: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[0], timeout=30) as client:
        yield client


@pytest.fixture
def subject() -> str:
    return f"limits-{uuid.uuid4().hex[:8]}-value"


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def answer_on(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, object]]:
    """The status, headers and JSON body of the answer read from ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection without an answer: {data!r}"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    while len(rest) < int(headers["content-length"]):
        rest += sock.recv(65536)
    return int(status_line.split()[1]), headers, json.loads(rest)


def started(
    url: str, path: str, head: str = "", body: bytes = b"", method: str = "POST"
) -> socket.socket:
    """A connection that sent a request's headers (and ``body``), and nothing more."""
    sock = connect(url)
    sock.sendall(
        f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {CONTENT}\r\n{head}\r\n".encode()
    )
    sock.sendall(body)
    return sock


# -- size ----------------------------------------------------------------------------


def test_a_schema_over_the_limit_is_42209(api: httpx.Client, subject: str) -> None:
    assert api.post(f"/subjects/{subject}/versions", json={"schema": padded(MAX_SCHEMA - 200)})
    message = error(
        api.post(f"/subjects/{subject}-2/versions", json={"schema": padded(MAX_SCHEMA)}), 422, 42209
    )
    assert "schema is too large" in message and f"{MAX_SCHEMA:,}" in message, message
    assert "--max-schema-bytes" in message
    for route in (f"/subjects/{subject}", f"/compatibility/subjects/{subject}/versions"):
        error(api.post(route, json={"schema": padded(MAX_SCHEMA)}), 422, 42209)
    error(api.get(f"/subjects/{subject}-2/versions"), 404, 40401)  # nothing registered


def test_a_body_over_the_limit_is_refused_unread(served: tuple[str, Path], subject: str) -> None:
    """A Content-Length over the limit is answered at once: the body is never sent."""
    url = served[0]
    for method, path, status, code in (
        ("POST", f"/subjects/{subject}/versions", 422, 42209),
        ("PUT", "/config", 413, 413),
    ):
        sock = started(url, path, f"Content-Length: {100 * 1024 * 1024}\r\n", method=method)
        with sock:
            got, headers, answer = answer_on(sock)
        assert (got, answer["error_code"]) == (status, code), answer
        assert headers["connection"] == "close"
        assert "104,857,600 bytes" in str(answer["message"]) and "--max-request-bytes" in str(
            answer["message"]
        )
    with httpx.Client(base_url=url) as client:  # with the whole body sent, as clients do
        big = json.dumps({"compatibility": "x" * MAX_REQUEST})
        error(client.put("/config", content=big), 413, 413)
        error(client.put(f"/config/{subject}", content=big), 413, 413)


def test_a_chunked_body_is_refused_once_past_the_limit(
    served: tuple[str, Path], subject: str
) -> None:
    """A body without Content-Length is counted as it is read: the answer comes when
    the limit is passed, while the client is still sending (it never ends here)."""
    url = served[0]
    for method, path, status, code in (
        ("POST", f"/subjects/{subject}/versions", 422, 42209),
        ("PUT", "/mode", 413, 413),
    ):
        chunk = b"x" * 8192
        sock = started(url, path, "Transfer-Encoding: chunked\r\n", method=method)
        with sock:
            for _ in range(MAX_REQUEST // len(chunk) + 2):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            got, _, answer = answer_on(sock)  # the final chunk is never sent
        assert (got, answer["error_code"]) == (status, code), answer
        assert "without a Content-Length" in str(answer["message"])
    with httpx.Client(base_url=url) as client:

        def endless() -> Iterator[bytes]:
            yield b'{"schema": "'
            for _ in range(MAX_REQUEST // 1024 + 1):
                yield b"y" * 1024

        error(client.post(f"/subjects/{subject}/versions", content=endless()), 422, 42209)
        error(client.get(f"/subjects/{subject}/versions"), 404, 40401)


# -- bodies that are not what a route reads --------------------------------------------


def test_malformed_bodies_are_clear_4xx(api: httpx.Client, subject: str) -> None:
    route = f"/subjects/{subject}/versions"
    assert "not JSON" in error(api.post(route, content=b'{"schema": '), 400, 400)
    assert "JSON object" in error(api.post(route, json=[V1]), 400, 400)
    assert "'schema'" in error(api.post(route, json={"schemaType": "AVRO"}), 422, 42201)
    cases = {
        "schemaType must be a string, not 5": {"schemaType": 5},
        "references must be a list, not an object": {"references": {"name": "x"}},
        "references[0].version must be a whole number, not '1'": {
            "references": [{"name": "a.B", "subject": "b", "version": "1"}]
        },
        "references[0].subject is required": {"references": [{"name": "a.B", "version": 1}]},
        "id must be a whole number, not 'seven'": {"id": "seven"},
        "version must be a whole number, not true": {"version": True},
        "metadata must be a JSON object, not a list": {"metadata": []},
        # found by fuzzing: too large for the store's integers (was a 500)
        "references[0].version must be a 32-bit whole number": {
            "references": [{"name": "a.B", "subject": "b", "version": 2**63}]
        },
        "id must be a 32-bit whole number": {"id": -(2**40)},
    }
    for said, extra in cases.items():
        for path in (route, f"/subjects/{subject}", f"/compatibility/subjects/{subject}/versions"):
            message = error(api.post(path, json={"schema": V1, **extra}), 422, 42201)
            assert said in message, (said, message)
    # found by fuzzing: an escaped lone surrogate is JSON but no text to store (was a 500)
    lone = b'{"schema": "{\\"type\\": \\"string\\", \\"doc\\": \\"\\ud9a2\\"}"}'
    assert "lone surrogate (\\ud9a2)" in error(api.post(route, content=lone), 400, 400)
    # and a NUL, which PostgreSQL's text cannot hold (was a 500 there)
    refs = [{"name": "a\x00", "subject": "b", "version": 1}]
    message = error(api.post(route, json={"schema": V1, "references": refs}), 400, 400)
    assert "NUL" in message
    assert "NUL" in error(api.get("/subjects/a%00b/versions"), 422, 42208)
    error(api.get(route), 404, 40401)  # nothing registered
    assert (
        api.post(route, json={"schema": V1, "metadata": None, "ruleSet": None}).status_code == 200
    )
    assert "compatibility" in error(api.put("/config", json={"compatibility": 5}), 400, 400)
    assert "mode" in error(api.put(f"/mode/{subject}", content=b"[]"), 400, 400)
    assert "not JSON" in error(api.put("/config", content=b"\xff"), 400, 400)


def test_the_openapi_documents_bodies_and_errors(api: httpx.Client) -> None:
    document = api.get("/openapi.json").json()
    register = document["paths"]["/subjects/{subject}/versions"]["post"]
    body = register["requestBody"]["content"]
    assert set(body) >= {CONTENT, "application/json", "application/vnd.schemaregistry+json"}
    request = document["components"]["schemas"]["RegisterSchemaRequest"]
    assert request["required"] == ["schema"]
    assert set(request["properties"]) >= {"schema", "schemaType", "references", "id", "version",
                                          "metadata", "ruleSet"}  # fmt: skip
    assert {"200", "400", "404", "409", "422", "500", "503", "504"} <= set(register["responses"])
    error_shape = {"$ref": "#/components/schemas/ErrorMessage"}
    assert register["responses"]["409"]["content"][CONTENT]["schema"] == error_shape
    assert "42209" in register["responses"]["422"]["description"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    params = {p["name"] for p in document["paths"]["/subjects"]["get"]["parameters"]}
    assert params == {"subjectPrefix", "deleted", "deletedOnly", "offset", "limit"}
    for status in ("401", "403", "429"):  # answered only with --users, never on the probes
        assert "--users" in register["responses"][status]["description"]
        assert register["responses"][status]["content"][CONTENT]["schema"] == error_shape
        for probe in ("/health", "/health/ready", "/metrics"):
            assert status not in document["paths"][probe]["get"]["responses"]


# -- time ----------------------------------------------------------------------------


def test_a_body_that_does_not_arrive_in_time_is_408(served: tuple[str, Path]) -> None:
    sock = started(served[0], "/subjects/slow/versions", "Content-Length: 100\r\n", b'{"sch')
    began = time.monotonic()
    with sock:
        status, _, answer = answer_on(sock)
    assert (status, answer["error_code"]) == (408, 408), answer
    assert 2.9 < time.monotonic() - began < 10
    message = str(answer["message"])
    assert "waiting for the request body" in message and "--request-timeout" in message


@pytest.fixture
def pg_catalog(postgres: Service) -> Iterator[tuple[str, str]]:
    schema = f"schemacat_limits_{uuid.uuid4().hex[:10]}"
    yield with_query(postgres.address, schema=schema), schema
    asyncio.run(drop_schema(postgres.address, schema))


async def test_a_timed_out_write_is_50002_and_rolled_back(
    postgres: Service, pg_catalog: tuple[str, str], tmp_path: Path
) -> None:
    """A registration stuck behind a lock another connection holds (the one new schema
    ids are given under) is stopped at the deadline: 504, 50002, how long it ran, and
    nothing of it kept, though it had already written the subject's row."""
    url, schema = pg_catalog
    with serving(url, "--request-timeout", "1", log=tmp_path / "serve.log") as served:
        async with httpx.AsyncClient(base_url=served, timeout=30) as client:
            first = await client.post("/subjects/before/versions", json={"schema": V1})
            assert first.status_code == 200, first.text
            holder = await asyncpg.connect(postgres.address)
            try:
                await holder.execute(
                    "SELECT pg_advisory_lock(hashtext($1))", f"schemacat:{schema}:schema-ids"
                )
                began = time.monotonic()
                other = json.dumps({"type": "record", "name": "Other", "fields": []})
                stuck = await client.post("/subjects/stuck/versions", json={"schema": other})
                took = time.monotonic() - began
                message = error(stuck, 504, 50002)
                assert 0.9 < took < 5, took
                assert "timed out" in message and "--request-timeout" in message, message
                assert "rolled back" in message
                elapsed = float(message.split("stopped after ")[1].split(" s")[0])
                assert 1.0 <= elapsed < took + 0.1, (elapsed, took)
                # reads go on meanwhile, and the row it wrote is not seen
                error(await client.get("/subjects/stuck/versions"), 404, 40401)
            finally:
                await holder.close()  # the lock goes with the session
            error(await client.get("/subjects/stuck/versions"), 404, 40401)
            rows = await _rows(postgres.address, schema, "stuck")
            assert rows == 0
            again = await client.post("/subjects/stuck/versions", json={"schema": other})
            assert again.status_code == 200, again.text  # the pool's connections are sound
            versions = await client.get("/subjects/stuck/versions")
            assert versions.json() == [1]
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


async def _rows(address: str, schema: str, name: str) -> int:
    conn = await asyncpg.connect(address)
    try:
        found: int = await conn.fetchval(
            f'SELECT count(*) FROM "{schema}".streams WHERE name = $1', name
        )
        return found
    finally:
        await conn.close()


# -- concurrency ---------------------------------------------------------------------


def test_beyond_the_concurrency_bound_a_burst_gets_503(
    served: tuple[str, Path], subject: str
) -> None:
    """Two requests hold the server's two places (their bodies never come); a burst
    that arrives meanwhile waits a second for a place, then gets 503 with Retry-After.
    Probes still answer, and once the places are free requests go through again."""
    url = served[0]
    with ExitStack() as stack:
        for _ in range(2):
            stack.enter_context(started(url, "/subjects/held/versions", "Content-Length: 50\r\n"))
        time.sleep(0.3)  # both are being handled
        with httpx.Client(base_url=url, timeout=30) as client:
            began = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                burst = list(pool.map(lambda _: client.get("/subjects"), range(8)))
            took = time.monotonic() - began
            for answer in burst:
                message = error(answer, 503, 503)
                assert answer.headers["retry-after"] == "1"
                assert "--max-concurrency" in message and "busy" in message
            assert 0.9 < took < 2.9, took  # each waited its second, not the holders' timeout
            assert client.get("/health").status_code == 200
            assert client.get("/metrics").status_code == 200
    with httpx.Client(base_url=url, timeout=30) as client:  # the holders hung up
        deadline = time.monotonic() + 5
        while (answer := client.get("/subjects")).status_code == 503:
            assert time.monotonic() < deadline, "the places were not given back"
        assert answer.status_code == 200
        assert client.post(f"/subjects/{subject}/versions", json={"schema": V1}).status_code == 200


def test_the_server_log_has_no_traceback(served: tuple[str, Path]) -> None:
    assert "Traceback" not in served[1].read_text()


# -- options -------------------------------------------------------------------------


def test_options_out_of_range_are_refused_by_name(tmp_path: Path) -> None:
    catalog = f"sqlite:///{tmp_path / 'catalog.db'}"
    for args, why in (
        (("--port", "0"), "argument --port: a port is 1 to 65535, not 0"),
        (("--port", "65536"), "argument --port: a port is 1 to 65535, not 65536"),
        (("--workers", "0"), "argument --workers: a number of processes is at least 1, not 0"),
        (("--request-timeout", "nan"), "argument --request-timeout: must be a finite number"),
        (("--request-timeout", "inf"), "argument --request-timeout: must be a finite number"),
    ):
        done = schemacat("--catalog", catalog, "serve", *args)
        assert done.returncode == 2, done.stderr
        assert why in done.stderr and "Traceback" not in done.stderr
