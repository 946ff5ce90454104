"""Migrating into schemacat: ``schemacat import REGISTRY_URL`` copies another registry (here a
second ``schemacat serve``) id by id, and IMPORT mode registers a schema with its id and
version over REST, as Confluent's registry does."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from catalog.core import Catalog
from catalog.registration import Registration
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


@pytest.fixture
def target(catalog_url: str) -> str:
    """An empty catalog to import into: a SQLite file, then a PostgreSQL schema."""
    return catalog_url


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


class _Fake(BaseHTTPRequestHandler):
    """A registry that answers what the test gives it, by path (``answers``)."""

    answers: ClassVar[dict[str, tuple[int, Any, dict[str, str]]]] = {}

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        status, body, headers = self.answers.get(path, (404, {"error_code": 40401}, {}))
        if body == "ECHO":
            body = {"error_code": 50001, "message": f"bad: {self.headers['Authorization']}"}
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake() -> Iterator[tuple[str, dict[str, tuple[int, Any, dict[str, str]]]]]:
    """A fake source registry's URL, and the answers it gives (path -> status, body)."""
    answers: ClassVar[dict[str, tuple[int, Any, dict[str, str]]]] = {}
    handler = type("Handler", (_Fake,), {"answers": answers})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", answers
    server.shutdown()
    server.server_close()


def one_version(schema_id: int, number: int = 1) -> dict[str, tuple[int, Any, dict[str, str]]]:
    version = {"subject": "s", "version": number, "id": schema_id, "schema": '"string"'}
    return {
        "/subjects": (200, ["s"], {}),
        "/subjects/s/versions": (200, [number], {}),
        f"/subjects/s/versions/{number}": (200, version, {}),
    }


@pytest.mark.parametrize(
    ("answers", "said"),
    [
        (one_version(-7), "has the id -7, which is not between 1 and 2147483647"),
        (one_version(2**40), f"has the id {2**40}, which is not between 1 and 2147483647"),
        (one_version(3, 0), "has the version number 0, which is not between 1"),
        ({"/subjects": (200, None, {})}, "/subjects failed: its answer is no list of subject"),
        ({"/subjects": (200, "hello", {})}, "its answer is no list of subject names: hello"),
        ({"/subjects": (302, {}, {"Location": "https://bob:loc-s3cret@elsewhere:8081/x"})},
         "HTTP 302: it redirects to https://elsewhere:8081/x"),
        ({"/subjects": (500, "ECHO", {})}, "HTTP 500: bad: Basic ***"),
    ],
)  # fmt: skip
def test_import_refuses_what_a_source_cannot_mean(
    fake: tuple[str, dict[str, Any]], tmp_path: Path, answers: dict[str, Any], said: str
) -> None:
    url, given = fake
    given.update(answers)
    target = f"sqlite:///{tmp_path / 'target.db'}"
    out = schemacat("--catalog", target, "import", url, "--user", "bob",
                    env={"SCHEMACAT_REGISTRY_PASSWORD": "imp-s3cretpass"})  # fmt: skip
    assert (out.returncode, out.stdout) == (1, ""), out.stderr
    assert said in out.stderr and out.stderr.count("\n") <= 2, out.stderr
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr
    for secret in ("imp-s3cretpass", "loc-s3cret", "Ym9iOmltcC1zM2NyZXRwYXNz"):  # base64 too
        assert secret not in out.stderr
    assert not (tmp_path / "target.db").exists()


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("bob:s3cretpass@host:8081", "host:8081 is not a registry URL"),
        ("http://bob%3As3cretpass@127.0.0.1:9", "the registry URL holds a password"),
        ("http://bob:s3cretpass@[::1", "is not a registry URL: Invalid IPv6 URL"),
        ("http://localhost:99999", "is not a registry URL: Port out of range"),
    ],
)
def test_a_bad_registry_url_is_a_clear_error_without_its_password(
    tmp_path: Path, url: str, said: str
) -> None:
    out = schemacat("--catalog", f"sqlite:///{tmp_path / 't.db'}", "import", url)
    assert (out.returncode, out.stdout) == (1, "")
    assert said in out.stderr and "s3cretpass" not in out.stderr
    assert "internal error" not in out.stderr and out.stderr.count("\n") == 2


def test_import_mode_ids_stay_within_java_ints_and_a_pending_mode_is_taken_whole(
    tmp_path: Path,
) -> None:
    catalog = f"sqlite:///{tmp_path / 'imported.db'}"
    with serving(catalog) as url, httpx.Client(base_url=url) as api:
        put(api, "/mode/late-value", {"mode": "IMPORT"})  # the subject does not exist yet
        top = {"schema": ADDRESS, "id": 2**31 - 1, "version": 1}
        assert post(api, "/subjects/late-value/versions", top) == {"id": 2**31 - 1}
        assert api.get("/mode/late-value").json() == {"mode": "IMPORT"}
        for schema_id in (0, 2**31):
            out = api.post("/subjects/x-value/versions", json={"schema": ORDER, "id": schema_id})
            assert out.status_code == 422 and out.json()["error_code"] == 42201, out.text
        put(api, "/mode/late-value", {"mode": "READWRITE"})
        full = api.post("/subjects/next-value/versions", json={"schema": '"bytes"'})
        assert (full.status_code, full.json()["error_code"]) == (422, 42201)
        assert "every schema id up to 2147483647" in full.json()["message"]
    backup = tmp_path / "b.jsonl"
    assert schemacat("--catalog", catalog, "backup", str(backup)).returncode == 0
    assert '"mode:' not in backup.read_text()  # the pending mode went with the subject made


def record(name: str, fields: int = 0) -> str:
    extra = [{"name": f"f{n}", "type": ["null", "long"], "default": None} for n in range(fields)]
    return json.dumps({"type": "record", "name": name,
                       "fields": [{"name": "x", "type": "long"}, *extra]})  # fmt: skip


LOADED = 25  # subjects a restore, and as many an import, write


def loaded_sources(tmp_path: Path) -> tuple[str, Path, Path]:
    """A SQLite catalog holding ``LOADED`` subjects made in IMPORT mode (ids from 1000) and
    as many more (ids from 2000); a backup of the first ones, and one after their
    compatibility changed to NONE."""
    source = f"sqlite:///{tmp_path / 'source.db'}"

    async def fill(first: int, compatibility: str | None = None) -> None:
        async with await Catalog.open(source) as catalog:
            await catalog.set_mode("IMPORT", force=True)
            for i in range(first, first + LOADED):
                reg = Registration("AVRO", record(f"Loaded{i}"))
                await catalog.register_schema(f"loaded-{i}", reg, schema_id=i, version=1)
                if compatibility:
                    await catalog.set_subject_compatibility(f"loaded-{i}", compatibility)
            await catalog.set_mode(None)

    asyncio.run(fill(1000))
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert schemacat("--catalog", source, "backup", str(first)).returncode == 0

    async def loosen() -> None:
        async with await Catalog.open(source) as catalog:
            for i in range(1000, 1000 + LOADED):
                await catalog.set_subject_compatibility(f"loaded-{i}", "NONE")

    asyncio.run(loosen())
    assert schemacat("--catalog", source, "backup", str(second)).returncode == 0
    asyncio.run(fill(2000, "FULL"))  # what the import adds
    return source, first, second


def test_a_restore_and_an_import_wait_for_registrations_on_postgresql(
    pg_catalog_url: str, tmp_path: Path
) -> None:
    """A restore --force and an import on a PostgreSQL catalog while a replica registers
    new versions of the subjects they write: no deadlock, no raw database error; each
    registration goes before the load or waits for it, and all of it is there after."""
    source, first, second = loaded_sources(tmp_path)

    async def restore() -> None:
        async with await Catalog.open(pg_catalog_url) as catalog:
            await catalog.restore(first)

    asyncio.run(restore())

    stop, answers = threading.Event(), []

    def register(worker: int) -> None:  # new versions of the subjects the loads change
        with httpx.Client(base_url=url, timeout=60) as api:
            n = 1
            while not stop.is_set():
                i = 1000 + (worker + 4 * n) % LOADED
                body = {"schema": record(f"Loaded{i}", n)}
                answer = api.post(f"/subjects/loaded-{i}/versions", json=body)
                answers.append((i, answer.status_code, answer.text))
                n += 1

    with serving(source) as source_url, serving(pg_catalog_url) as url:
        workers = [threading.Thread(target=register, args=(w,)) for w in range(4)]
        for w in workers:
            w.start()
        try:
            restored = schemacat("--catalog", pg_catalog_url, "restore", str(second), "--force")
            imported = schemacat("--catalog", pg_catalog_url, "import", source_url)
        finally:
            stop.set()
            for w in workers:
                w.join(timeout=60)
        assert restored.returncode == 0, restored.stderr
        assert f"{LOADED} settings set from the file" in restored.stdout
        assert imported.returncode == 0, imported.stderr
        assert f"copied {LOADED} versions and {LOADED} schema ids" in imported.stdout
        bad = [a for a in answers if a[1] != 200]
        assert answers and not bad, bad[:3]
        with httpx.Client(base_url=url) as api:
            for i, _, text in answers:
                held = api.get(f"/schemas/ids/{json.loads(text)['id']}/versions").json()
                assert {"subject": f"loaded-{i}"}.items() <= held[0].items()
            assert api.get("/config/loaded-1000").json()["compatibilityLevel"] == "NONE"
            assert api.get(f"/schemas/ids/{2000 + LOADED - 1}").status_code == 200
