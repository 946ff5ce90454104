"""Migrating into schemacat: ``schemacat import REGISTRY_URL`` copies another registry (here a
second ``schemacat serve``) id by id, and IMPORT mode registers a schema with its id and
version over REST, as Confluent's registry does."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.process import schemacat
from tests.server.registry import serving
from tests.server.snapshot import max_id, registry_snapshot

ADDRESS = json.dumps({"type": "record", "name": "Address", "namespace": "acme",
                      "fields": [{"name": "street", "type": "string"}]})  # fmt: skip
ORDER = json.dumps({"type": "record", "name": "Order", "namespace": "acme",
                    "fields": [{"name": "id", "type": "long"},
                               {"name": "ship_to", "type": "acme.Address"}]})  # fmt: skip
ORDER_2 = json.dumps({"type": "record", "name": "Order", "namespace": "acme",
                      "fields": [{"name": "id", "type": "long"},
                                 {"name": "ship_to", "type": "acme.Address"},
                                 {"name": "note", "type": ["null", "string"], "default": None}]})  # fmt: skip
EVENT = json.dumps({"type": "object", "properties": {"kind": {"type": "string"}}})
EVENT_2 = json.dumps({"type": "object", "properties": {"kind": {"type": "integer"}}})


def post(api: httpx.Client, path: str, body: dict[str, Any], **params: str) -> Any:
    answer = api.post(path, json=body, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def put(api: httpx.Client, path: str, body: dict[str, Any]) -> None:
    answer = api.put(path, json=body)
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A registry on a SQLite catalog holding Avro with references, JSON Schema, softly
    deleted versions and subjects, per-subject config and mode, and a stream made in SQL."""
    folder = tmp_path_factory.mktemp("source")
    catalog = f"sqlite:///{folder / 'source.db'}"
    made = schemacat("--catalog", catalog, "run", "-c",
                     "CREATE STREAM clicks (id BIGINT NOT NULL, url VARCHAR); "
                     "ALTER STREAM clicks ADD COLUMN referrer VARCHAR")  # fmt: skip
    assert made.returncode == 0, made.stderr
    with serving(catalog, log=folder / "serve.log") as url, httpx.Client(base_url=url) as api:
        post(api, "/subjects/address/versions", {"schema": ADDRESS})
        ref = [{"name": "acme.Address", "subject": "address", "version": 1}]
        post(api, "/subjects/orders-value/versions", {"schema": ORDER, "references": ref})
        post(api, "/subjects/orders-value/versions", {"schema": ORDER_2, "references": ref})
        post(api, "/subjects/events-value/versions", {"schema": EVENT, "schemaType": "JSON"})
        put(api, "/config/events-value", {"compatibility": "NONE"})
        post(api, "/subjects/events-value/versions", {"schema": EVENT_2, "schemaType": "JSON"})
        assert api.delete("/subjects/events-value/versions/1").status_code == 200
        post(api, "/subjects/gone-value/versions", {"schema": '"string"'})
        assert api.delete("/subjects/gone-value").status_code == 200
        put(api, "/mode/address", {"mode": "READONLY"})
        put(api, "/config", {"compatibility": "FULL"})
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty catalog to import into."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'target.db'}"
    url: str = request.getfixturevalue("pg_catalog_url")
    return url


def test_import_copies_every_subject_version_and_id(source: str, target: str) -> None:
    before = registry_snapshot(source)
    subjects = before["all subjects"][1]
    assert set(subjects) == {"address", "orders-value", "events-value", "gone-value", "clicks"}
    versions = sum(len(before[s]["all versions"]) for s in subjects)
    ids = sum(key.startswith("id ") for key in before)
    assert (versions, ids) == (8, 8)

    dry = schemacat("--catalog", target, "import", source, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would copy 8 versions and 8 schema ids" in dry.stdout
    assert "events-value\tversion 1\tid" in dry.stdout and "(deleted)" in dry.stdout
    shown = schemacat("--catalog", target, "run", "-c", "SHOW STREAMS", "--format", "json")
    assert json.loads(shown.stdout)["rows"] == []  # the dry run changed nothing

    done = schemacat("--catalog", target, "import", source)
    assert done.returncode == 0, done.stderr
    assert "copied 8 versions and 8 schema ids" in done.stdout
    assert done.stdout.count("\n") == 1

    again = schemacat("--catalog", target, "import", source)
    assert again.returncode == 0, again.stderr
    assert "copied 0 versions and 0 schema ids" in again.stdout
    assert "8 versions were there already" in again.stdout

    with serving(target) as url, httpx.Client(base_url=url) as api:
        after = registry_snapshot(url, global_mode=False)  # the global mode is not copied
        assert after == {k: v for k, v in before.items() if k != "mode"}
        newer = post(api, "/subjects/fresh-value/versions", {"schema": '"bytes"'})["id"]
        assert newer > max_id(before)


def test_import_stops_before_writing_when_an_id_is_another_schema(
    source: str, tmp_path: Path
) -> None:
    target = f"sqlite:///{tmp_path / 'busy.db'}"
    made = schemacat("--catalog", target, "run", "-c", "CREATE STREAM mine (x DOUBLE)")
    assert made.returncode == 0, made.stderr  # takes the id 1, which the source gives another
    failed = schemacat("--catalog", target, "import", source)
    assert failed.returncode == 1
    assert "the id 1 is another schema here" in failed.stderr
    assert "nothing was written" in failed.stderr
    shown = schemacat("--catalog", target, "run", "-c", "SHOW STREAMS", "--format", "json")
    assert [r["name"] for r in json.loads(shown.stdout)["rows"]] == ["mine"]


def test_import_names_the_url_when_the_registry_is_unreachable(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    failed = schemacat("--catalog", target, "import", "http://127.0.0.1:9/registry",
                       "--user", "admin", env={"SCHEMACAT_REGISTRY_PASSWORD": "s3cret-pw"})  # fmt: skip
    assert failed.returncode == 1
    assert "http://127.0.0.1:9/registry/subjects" in failed.stderr
    assert " s" in failed.stderr and "after" in failed.stderr  # the time it took
    assert "s3cret-pw" not in failed.stderr + failed.stdout
    refused = schemacat("--catalog", target, "import", "http://admin:s3cret-pw@127.0.0.1:9")
    assert refused.returncode == 1
    assert "s3cret-pw" not in refused.stderr and "--user" in refused.stderr


def test_import_mode_keeps_the_given_id_and_version(tmp_path: Path) -> None:
    """Confluent's migration path: IMPORT mode on an empty registry, then each schema
    registered with its id and version (the route passes them to register_schema)."""
    catalog = f"sqlite:///{tmp_path / 'imported.db'}"
    with serving(catalog) as url, httpx.Client(base_url=url) as api:
        put(api, "/mode", {"mode": "IMPORT"})
        subject = f"imp-{uuid.uuid4().hex[:6]}-value"
        body = {"schema": ADDRESS, "id": 100, "version": 3}
        assert post(api, f"/subjects/{subject}/versions", body) == {"id": 100}
        found = api.get(f"/subjects/{subject}/versions/3").json()
        assert (found["id"], found["version"]) == (100, 3)
        assert post(api, f"/subjects/{subject}/versions", body) == {"id": 100}  # the same again
        other = api.post(f"/subjects/{subject}/versions",
                         json={"schema": '"string"', "id": 100, "version": 4})  # fmt: skip
        assert (other.status_code, other.json()["error_code"]) == (422, 42205)
        assert "Overwrite new schema with id 100" in other.json()["message"]
        plain = api.post(f"/subjects/{subject}/versions", json={"schema": '"string"'})
        assert (plain.status_code, plain.json()["error_code"]) == (422, 42205)
        put(api, "/mode", {"mode": "READWRITE"})
        assert post(api, "/subjects/later-value/versions", {"schema": '"int"'})["id"] == 101
        given = api.post("/subjects/later-value/versions",
                         json={"schema": '"long"', "id": 500})  # fmt: skip
        assert (given.status_code, given.json()["error_code"]) == (422, 42205)
        busy = api.put("/mode", json={"mode": "IMPORT"})  # subjects exist now
        assert (busy.status_code, busy.json()["error_code"]) == (422, 42205)
