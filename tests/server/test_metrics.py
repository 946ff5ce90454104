"""What ``schemacat serve`` tells its operators, against running servers: ``/metrics``
moving with the requests (by route template, status, outcome), adding up over
``--workers 2``; ``/health/ready`` going 503 when the PostgreSQL under it goes away
while ``/health`` stays 200, and back; an access log of JSON lines without a secret."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from catalog.server.users import user_line
from tests.conftest import drop_schema, with_query
from tests.server.registry import served, serving
from tests.services import Service, free_port
from tests.services.proxy import relay

V1 = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]})
BROKEN = json.dumps(
    {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}
)
VERSIONS = "/subjects/{subject}/versions"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(http: httpx.Client) -> Samples:
    answer = http.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def log_lines(log: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    folder = tmp_path_factory.mktemp("metrics")
    log = folder / "serve.log"
    with (
        serving(f"sqlite:///{folder / 'c.db'}", log=log) as url,
        httpx.Client(base_url=url, timeout=30) as http,
    ):
        yield http, log


def test_counters_and_histograms_follow_the_requests(
    sqlite_server: tuple[httpx.Client, Path],
) -> None:
    http, _ = sqlite_server
    before = scrape(http)
    subject = f"a%2Forders-{uuid.uuid4().hex[:6]}"  # a subject holding "/": one route still
    assert http.post(f"/subjects/{subject}/versions", json={"schema": V1}).status_code == 200
    assert http.post(f"/subjects/{subject}/versions", json={"schema": V1}).status_code == 200
    assert http.post(f"/subjects/{subject}/versions", json={"schema": BROKEN}).status_code == 409
    assert http.get("/subjects/nobody/versions/1").json()["error_code"] == 40401
    assert http.get(f"/no/such/route/{uuid.uuid4().hex}").status_code == 404
    after = scrape(http)

    count = "schemacat_http_requests_total"
    assert moved(before, after, count, method="POST", route=VERSIONS, status="200") == 2
    assert moved(before, after, count, method="POST", route=VERSIONS, status="409") == 1
    version = "/subjects/{subject}/versions/{version}"
    assert moved(before, after, count, method="GET", route=version, status="404") == 1
    assert moved(before, after, count, method="GET", route="(unmatched)", status="404") == 1
    assert not any("no/such" in dict(labels).get("route", "") for _, labels in after)
    latency = "schemacat_http_request_duration_seconds"
    assert moved(before, after, f"{latency}_count", method="POST", route=VERSIONS) == 3
    assert moved(before, after, f"{latency}_sum", method="POST", route=VERSIONS) > 0
    assert moved(before, after, f"{latency}_bucket", method="POST", route=VERSIONS, le="+Inf") == 3

    assert moved(before, after, "schemacat_registrations_total", outcome="new") == 1
    assert moved(before, after, "schemacat_registrations_total", outcome="existing") == 1
    assert moved(before, after, "schemacat_compatibility_rejections_total", route=VERSIONS) == 1
    assert moved(before, after, "schemacat_http_errors_total", error_code="40401") == 1
    assert moved(before, after, "schemacat_http_errors_total", error_code="409") == 1
    # the second registration and the check found the first's parsed schema again
    assert moved(before, after, "schemacat_cache_hits_total", cache="parsed_schemas") >= 1
    assert moved(before, after, "schemacat_cache_misses_total", cache="parsed_schemas") >= 1
    assert value(after, "schemacat_cache_entries", cache="parsed_schemas") >= 1
    assert value(after, "schemacat_http_requests_in_flight") == 1  # the scrape itself


def test_access_log_is_json_without_secrets(
    sqlite_server: tuple[httpx.Client, Path], tmp_path: Path
) -> None:
    http, log = sqlite_server
    secrets = ("hunter2-query", "s3cret-basic", "tok-bearer-7", "ignored-name-9")
    basic = base64.b64encode(b"alice:s3cret-basic").decode()
    http.get("/subjects?subjectPrefix=x&password=hunter2-query&ignored-name-9=1",
             headers={"Authorization": f"Basic {basic}"})  # fmt: skip
    http.get(
        "/subjects/a%2Fb/versions?deleted=true", headers={"Authorization": "Bearer tok-bearer-7"}
    )
    lines = log_lines(log)
    text = log.read_text()
    assert not any(s in text for s in (*secrets, basic, "Authorization", "password"))
    mine = [line for line in lines if line["path"] in ("/subjects", "/subjects/a%2Fb/versions")]
    first, second = mine[-2:]
    assert set(first) == {"time", "pid", "client", "method", "route", "path", "query",
                          "status", "duration_ms"}  # fmt: skip
    assert (first["method"], first["route"], first["query"], first["status"]) == (
        "GET", "/subjects", "subjectPrefix=x", 200)  # fmt: skip
    assert str(first["client"]).startswith("127.0.0.1:")
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] > 0
    assert (second["route"], second["query"], second["status"], second["error_code"]) == (
        VERSIONS, "deleted=true", 404, 40401)  # fmt: skip

    # with --users: the user's name is logged, never the password or the token; a 401 too
    users = tmp_path / "users"
    users.write_text(user_line("alice", "s3cret-basic", "read") + "\n")
    own_log = tmp_path / "serve.log"
    with serving(f"sqlite:///{tmp_path / 'c.db'}", "--users", str(users), log=own_log) as url:
        assert httpx.get(f"{url}/subjects?password=hunter2-query",
                         headers={"Authorization": f"Basic {basic}"}).status_code == 200  # fmt: skip
        assert httpx.get(f"{url}/subjects",
                         headers={"Authorization": "Bearer tok-bearer-7"}).status_code == 401  # fmt: skip
    text = own_log.read_text()
    assert not any(s in text for s in (*secrets, basic, "Authorization", "password"))
    answered = [
        (x.get("user"), x["status"]) for x in log_lines(own_log) if x["route"] == "/subjects"
    ]
    assert answered == [("alice", 200), (None, 401)]


def test_access_log_can_be_uvicorns_or_none(tmp_path: Path) -> None:
    """text: uvicorn's words on stderr (nothing on stdout), the query as the JSON log keeps
    it (Confluent's parameters only); off: no line."""
    for mode, logged in (("text", True), ("off", False)):
        log, out = tmp_path / f"{mode}.log", tmp_path / f"{mode}.out"
        with serving(
            f"sqlite:///{tmp_path / 'c.db'}", "--access-log", mode, log=log, stdout=out
        ) as url:
            httpx.get(f"{url}/subjects?subjectPrefix=x&password=hunter2-query&token=t0k")
        assert not log_lines(log)
        text = log.read_text()
        assert ('"GET /subjects?subjectPrefix=x HTTP/1.1" 200' in text) is logged, text
        assert "hunter2" not in text and "t0k" not in text and "password" not in text
        assert "GET" not in out.read_text()


def test_two_workers_add_up(tmp_path: Path) -> None:
    """Every worker counts its requests; a scrape answered by either gives the sum."""
    log = tmp_path / "serve.log"
    with serving(f"sqlite:///{tmp_path / 'c.db'}", "--workers", "2", log=log) as url:

        def get(_: int) -> int:
            return httpx.get(f"{url}/subjects").status_code  # a new connection each

        sent = 0
        with ThreadPoolExecutor(8) as pool:
            while len(workers(log, "/subjects")) < 2 and sent < 400:
                assert set(pool.map(get, range(40))) == {200}
                sent += 40
        assert len(workers(log, "/subjects")) == 2, "every connection went to one worker"
        totals: list[float] = []
        while len(workers(log, "/metrics")) < 2 and len(totals) < 40:
            with httpx.Client(base_url=url) as http:  # scrapes answered by either worker
                samples = scrape(http)
            totals.append(value(samples, "schemacat_http_requests_total",
                                method="GET", route="/subjects", status="200"))  # fmt: skip
        assert set(totals) == {sent} and len(workers(log, "/metrics")) == 2


def workers(log: Path, route: str) -> set[object]:
    """The workers that answered requests to ``route``, by the access log."""
    return {x["pid"] for x in log_lines(log) if x["route"] == route}


def test_the_metrics_directory_is_the_servers_own(tmp_path: Path) -> None:
    """Made at start (one of a killed server is swept then), removed at SIGTERM."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = Path(tempfile.gettempdir()) / f"schemacat-metrics-{gone.pid}-killed"
    stale.mkdir()
    with served(f"sqlite:///{tmp_path / 'c.db'}", "--access-log", "off") as (_, process):
        assert not stale.exists()
        own = list(Path(tempfile.gettempdir()).glob(f"schemacat-metrics-{process.pid}-*"))
        assert len(own) == 1 and any(own[0].iterdir())  # the worker's files
    assert process.returncode == 143 and not own[0].exists()


@pytest.fixture
def pg_schema(postgres: Service) -> Iterator[str]:
    schema = f"schemacat_metrics_{uuid.uuid4().hex[:10]}"
    yield schema
    asyncio.run(drop_schema(postgres.address, schema))


def ready(http: httpx.Client) -> tuple[int, dict[str, object]]:
    answer = http.get("/health/ready", timeout=10)
    found: dict[str, object] = answer.json()
    return answer.status_code, found


def test_ready_follows_the_database(postgres: Service, pg_schema: str) -> None:
    """The server reaches PostgreSQL through a relay: cut, ready is 503 50001 at once;
    slowed past the deadline, 503 50002 after 2 s; /health stays 200; back, ready is 200."""
    parts = urlsplit(postgres.address)
    if parts.port is None:
        pytest.skip("this PostgreSQL listens on a Unix socket: there is no TCP link to cut")
    port = free_port()
    through = urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.port}", f":{port}")))
    with (
        relay(port, parts.port) as link,
        serving(with_query(through, schema=pg_schema)) as url,
        httpx.Client(base_url=url, timeout=10) as http,
    ):
        assert ready(http) == (200, {"status": "UP"})

        link.drop()
        status, body = ready(http)
        assert (status, body["error_code"]) == (503, 50001), body
        message = str(body["message"])
        assert message.startswith("the catalog's store did not answer within 2.0 s: failed after")
        assert "catalog database" in message and "password" not in message
        assert http.get("/health").json() == {"status": "UP"}

        link.down = False
        assert ready(http) == (200, {"status": "UP"})

        link.delay = 2.5
        started = time.monotonic()
        status, body = ready(http)
        assert 2.0 <= time.monotonic() - started < 3.5
        assert (status, body["error_code"]) == (503, 50002), body
        assert str(body["message"]).startswith(
            "the catalog's store did not answer within 2.0 s: no answer after 2.0"
        )
        assert http.get("/health").status_code == 200
        link.delay = 0
        deadline = time.monotonic() + 10
        while ready(http)[0] != 200:  # the slowed connection drains first
            assert time.monotonic() < deadline
            time.sleep(0.2)
        samples = scrape(http)
        assert value(samples, "schemacat_store_errors_total", route="/health/ready") == 1
        assert value(samples, "schemacat_http_errors_total", error_code="50002") == 1


def test_a_store_error_is_counted(postgres: Service, pg_schema: str) -> None:
    """A catalog whose tables are dropped under the server: 50001 answers, counted by
    route; ready says so too (its query reads the catalog's tables)."""
    with (
        serving(with_query(postgres.address, schema=pg_schema)) as url,
        httpx.Client(base_url=url, timeout=10) as http,
    ):
        assert http.post("/subjects/s/versions", json={"schema": V1}).status_code == 200
        before = scrape(http)
        asyncio.run(drop_schema(postgres.address, pg_schema))
        assert http.get("/subjects/s/versions").json()["error_code"] == 50001
        status, body = ready(http)
        assert (status, body["error_code"]) == (503, 50001), body
        assert 'relation "settings" does not exist' in str(body["message"])
        after = scrape(http)
        route = "/subjects/{subject}/versions"
        assert moved(before, after, "schemacat_store_errors_total", route=route) == 1
        assert moved(before, after, "schemacat_store_errors_total", route="/health/ready") == 1
        assert moved(before, after, "schemacat_http_errors_total", error_code="50001") == 2
        assert moved(before, after, "schemacat_http_requests_total",
                     method="GET", route=route, status="500") == 1  # fmt: skip
        assert http.get("/health").status_code == 200
