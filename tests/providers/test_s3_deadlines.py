"""S3's ``timeout`` is one deadline for the whole discovery, botocore's retries included: a
slow or silent endpoint is given up at the timeout, and the message says how long it really
took and why; a refused port or an unknown host fails at once; a normal discovery, and a
slow one within its timeout, are unaffected.  Through ``schemacat discover`` and ``run``."""

from __future__ import annotations

import http.server
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

import catalog
from catalog.errors import SourceUnreachable
from tests.providers import samples
from tests.services import Service, free_port
from tests.services.proxy import Link, relay


@dataclass(frozen=True)
class Slow:
    endpoint: str  # the relay in front of the S3 server
    bucket: str
    link: Link


@pytest.fixture
def slow(s3: Service, bucket: str) -> Iterator[Slow]:
    """A bucket with a CSV, an NDJSON and a Parquet object, behind a relay a test slows."""
    client = boto3.client("s3", endpoint_url=s3.address)
    client.put_object(Bucket=bucket, Key="p/orders.csv", Body=samples.csv())
    client.put_object(Bucket=bucket, Key="p/day=2024-01-01/part-0.parquet", Body=samples.parquet())
    port = free_port()
    with relay(port, int(s3.address.rsplit(":", 1)[1])) as link:
        yield Slow(f"http://127.0.0.1:{port}", bucket, link)


def discover(uri: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "catalog", "discover", uri],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return out, time.monotonic() - started


def stated(message: str) -> float:
    """The time a message says it took: ``(after 3.0 s)``."""
    found = re.search(r"\(after (\d+\.\d) s\)", message)
    assert found, message
    return float(found.group(1))


def assert_clear(out: subprocess.CompletedProcess[str]) -> None:
    """One error and its hint: no traceback, no botocore line, no internal error."""
    lines = out.stderr.splitlines()
    assert out.returncode == 1 and len(lines) == 2, out.stderr
    assert lines[0].startswith("error: ") and lines[1].startswith("hint: "), out.stderr
    assert "internal error" not in out.stderr


@pytest.mark.parametrize(
    ("key", "doing"),
    [
        ("p/orders.csv", "while looking up s3://{bucket}/p/orders.csv"),
        ("p/", "while listing s3://{bucket}/p/"),
    ],
    ids=["object", "prefix"],
)
def test_a_slow_endpoint_is_given_up_at_the_timeout(slow: Slow, key: str, doing: str) -> None:
    slow.link.delay = 5  # each request waits longer than the whole timeout
    out, took = discover(f"s3://{slow.bucket}/{key}?endpoint_url={slow.endpoint}&timeout=3")
    assert_clear(out)
    assert f"S3 at {slow.endpoint} sent no answer within the timeout (after 3." in out.stderr
    assert doing.format(bucket=slow.bucket) in out.stderr
    assert "raise timeout (now 3)" in out.stderr
    assert took < 5  # botocore's own timeouts and retries took 9.7 s
    assert 3 <= stated(out.stderr) <= took


def test_every_request_shares_the_one_deadline(slow: Slow) -> None:
    """Each request is quicker than the timeout, the discovery is not: it stops at the
    timeout, while reading, not after it."""
    slow.link.delay = 0.4  # the listing, 0.8 s; then ranged GETs of the footer, 0.8 s each
    uri = f"s3://{slow.bucket}/p/day=2024-01-01/?endpoint_url={slow.endpoint}&timeout=1.5"
    out, took = discover(uri)
    assert_clear(out)
    assert "sent no answer within the timeout (after 1." in out.stderr
    assert f"while reading s3://{slow.bucket}/p/day=2024-01-01/part-0.parquet" in out.stderr
    assert took < 4 and 1.5 <= stated(out.stderr) <= took


def test_a_slow_endpoint_within_the_timeout_is_read(slow: Slow) -> None:
    slow.link.delay = 0.2
    out, _ = discover(f"s3://{slow.bucket}/p/orders.csv?endpoint_url={slow.endpoint}&timeout=10")
    assert out.returncode == 0, out.stderr
    assert "csv, 30 records sampled" in out.stdout


def test_a_silent_endpoint_is_given_up_at_the_timeout(bucket: str) -> None:
    """A server that takes the connection and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        endpoint = f"http://127.0.0.1:{server.getsockname()[1]}"
        out, took = discover(f"s3://{bucket}/p/orders.csv?endpoint_url={endpoint}&timeout=2")
    assert_clear(out)
    assert "sent no answer within the timeout (after 2." in out.stderr
    assert took < 4


def test_a_refused_port_fails_at_once_and_says_so() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    out, took = discover(f"s3://b/p/orders.csv?endpoint_url={endpoint}&timeout=10")
    assert_clear(out)
    assert f"cannot reach S3 at {endpoint} for s3://b/p/orders.csv: connection refused" in (
        out.stderr
    )
    assert "within" not in out.stderr and stated(out.stderr) < 2 and took < 5


def test_an_unknown_host_fails_at_once_and_says_so() -> None:
    out, took = discover("s3://b/k.csv?endpoint_url=http://no-such-host.invalid:9000&timeout=10")
    assert_clear(out)
    assert "the host name no-such-host.invalid does not resolve" in out.stderr
    assert took < 8


class _SlowDown(http.server.BaseHTTPRequestHandler):
    """An endpoint that answers every request as an overloaded S3 does."""

    def do_GET(self) -> None:
        body = (
            b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>SlowDown</Code>"
            b"<Message>Please reduce your request rate.</Message></Error>"
        )
        self.send_response(503)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


def test_an_http_error_status_is_named() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowDown)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        out, took = discover(f"s3://b/p/?endpoint_url={endpoint}&timeout=10")
    finally:
        server.shutdown()
        server.server_close()
    assert_clear(out)
    assert f"S3 at {endpoint} answered HTTP 503 (Please reduce your request rate.)" in out.stderr
    assert "5xx" in out.stderr and took < 8


async def test_the_python_api_keeps_the_deadline_too(slow: Slow) -> None:
    slow.link.delay = 5
    started = time.monotonic()
    with pytest.raises(SourceUnreachable) as err:
        await catalog.discover_schema(
            f"s3://{slow.bucket}/p/", endpoint_url=slow.endpoint, timeout=2
        )
    took = time.monotonic() - started
    assert took < 3.5 and 2 <= stated(err.value.message) <= took


def test_create_stream_keeps_the_deadline(slow: Slow, tmp_path: object) -> None:
    slow.link.delay = 5
    started = time.monotonic()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "catalog",
            "--catalog",
            f"{tmp_path}/c.db",
            "run",
            "-c",
            f"CREATE STREAM o WITH (datasource = 's3://{slow.bucket}/p/orders.csv', "
            f"endpoint_url = '{slow.endpoint}', timeout = 3)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    took = time.monotonic() - started
    assert out.returncode == 1 and "sent no answer within the timeout (after 3." in out.stderr
    assert took < 5, out.stderr


def test_a_normal_discovery_is_unaffected(s3: Service, slow: Slow) -> None:
    out, _ = discover(f"s3://{slow.bucket}/p/day=2024-01-01/?endpoint_url={s3.address}&timeout=3")
    assert out.returncode == 0, out.stderr
    assert "parquet, 20 records sampled" in out.stdout


def test_an_endpoint_that_goes_away_while_read_is_a_clear_error(slow: Slow) -> None:
    slow.link.delay = 3  # no answer comes before the drop
    uri = f"s3://{slow.bucket}/p/day=2024-01-01/?endpoint_url={slow.endpoint}&timeout=30"
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "catalog", "discover", uri],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while not slow.link.busy:  # connected, and listing
        assert time.monotonic() - started < 20 and process.poll() is None
        time.sleep(0.05)
    slow.link.drop()
    stdout, stderr = process.communicate(timeout=60)
    took = time.monotonic() - started
    out = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    assert_clear(out)
    assert f"S3 at {slow.endpoint}" in stderr and stated(stderr) <= took < 10, stderr


def test_footers_fetched_together_share_the_one_deadline(slow: Slow) -> None:
    """Footers fetched several at a time: the discovery still stops at the timeout, and
    says which object it was reading."""
    client = boto3.client("s3", endpoint_url=slow.endpoint)
    for i in range(40):
        client.put_object(Bucket=slow.bucket, Key=f"m/p-{i:02d}.parquet", Body=samples.parquet())
    slow.link.delay = 0.4  # the listing, 0.8 s; then 16 GETs at once, 0.8 s each
    uri = f"s3://{slow.bucket}/m/?endpoint_url={slow.endpoint}&timeout=2"
    out, took = discover(uri)
    assert_clear(out)
    assert "sent no answer within the timeout (after 2." in out.stderr
    assert f"while reading s3://{slow.bucket}/m/p-" in out.stderr
    assert took < 4.5 and 2 <= stated(out.stderr) <= took
