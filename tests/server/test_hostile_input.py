"""Input a hostile client sends on purpose: each gets a clear 4xx in Confluent's shape, at
once, never a 500 or a traceback, and never ties up the worker.

Long names once cost the square of their length (the secret-hiding patterns every error
message goes through scanned each run of letters from each of its letters): a 100 KB
type name took 39 s while ``/health`` waited.  With a request timeout of 20 s here, a
relapse answers 504 instead of 422.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.registry import serving

LONG = 300_000


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    tmp = tmp_path_factory.mktemp("hostile")
    log = tmp / "serve.log"
    url = f"sqlite:///{tmp / 'catalog.db'}"
    with (
        serving(url, "--request-timeout", "20", log=log) as base,
        httpx.Client(base_url=base, timeout=60) as http,
    ):
        yield http, log


def nested(levels: int) -> str:
    return "[" * levels + "null" + "]" * levels


def test_a_long_type_name_is_refused_at_once_with_a_bounded_message(
    served: tuple[httpx.Client, Path],
) -> None:
    http, _ = served
    schema = json.dumps("a" * LONG)  # an unknown type's name
    for path in ("/subjects/t-value/versions", "/compatibility/subjects/t-value/versions"):
        answer = http.post(path, json={"schema": schema})
        assert answer.status_code == 422, answer.text[:300]
        found = answer.json()
        assert found["error_code"] == 42201
        assert "unknown type" in found["message"] and "characters left out" in found["message"]
        assert len(found["message"]) < 10_000


def test_a_long_subject_name_is_answered_at_once(served: tuple[httpx.Client, Path]) -> None:
    http, _ = served
    subject = "b" * 60_000
    missing = http.get(f"/subjects/{subject}/versions")
    assert missing.status_code == 404 and missing.json()["error_code"] == 40401
    assert len(missing.json()["message"]) < 10_000
    assert (
        http.post(f"/subjects/{subject}/versions", json={"schema": '"string"'}).status_code == 200
    )


def test_deep_nesting_is_a_clear_error(served: tuple[httpx.Client, Path]) -> None:
    http, _ = served
    body = '{"schema": "\\"string\\"", "a": ' + nested(1000) + "}"
    deep_body = http.post(
        "/subjects/d-value/versions", content=body, headers={"Content-Type": "application/json"}
    )
    assert deep_body.status_code == 400, deep_body.text
    assert "too deeply" in deep_body.json()["message"]

    array = {"type": "array", "items": "string"}
    default = {"type": "record", "name": "R", "fields": [
        {"name": "f", "type": array, "default": json.loads(nested(900))}]}  # fmt: skip
    prop = {"type": "record", "name": "R", "x": json.loads(nested(900)), "fields": []}
    for schema in (default, prop):
        answer = http.post("/subjects/n-value/versions", json={"schema": json.dumps(schema)})
        assert answer.status_code == 422, answer.text[:300]
        assert answer.json()["error_code"] == 42201
        assert "nested too deeply" in answer.json()["message"]


def test_a_decimal_avro_cannot_read_is_its_underlying_bytes(
    served: tuple[httpx.Client, Path],
) -> None:
    """Avro ignores a logical type it cannot read (a precision beyond an int, or beyond
    what Arrow holds for SQL's view), so the schema is registered, its column BYTES."""
    http, _ = served
    for n, precision in enumerate(["1e20", "99999999999999999999999", "1e400", "77"]):
        schema = f'{{"type": "bytes", "logicalType": "decimal", "precision": {precision}}}'
        answer = http.post(f"/subjects/dec{n}-value/versions", json={"schema": schema})
        assert answer.status_code == 200, answer.text[:300]


def test_no_traceback_reached_the_log(served: tuple[httpx.Client, Path]) -> None:
    http, log = served
    assert http.get("/health").status_code == 200
    assert "Traceback" not in log.read_text()
