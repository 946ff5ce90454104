"""The REST API of §6 through raw HTTP, against ``schemacat serve`` on both catalogs:
every endpoint and every error code, with Confluent's shapes, and SQL seeing REST.

One server per backend serves the whole module; each test works on subjects of its own.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.process import schemacat
from tests.conftest import drop_schema, with_query
from tests.server.registry import CONTENT, error, serving
from tests.services import Service


def record(name: str, *fields: tuple[str, Any], **extra: Any) -> str:
    """An Avro record schema's text, each field (name, type) with a null default when
    its type is a union."""
    out = []
    for field, kind in fields:
        entry: dict[str, Any] = {"name": field, "type": kind}
        if isinstance(kind, list):
            entry["default"] = None
        out.append(entry)
    return json.dumps({"type": "record", "name": name, "fields": out, **extra})


V1 = record("Order", ("id", "long"))
V2 = record("Order", ("id", "long"), ("note", ["null", "string"]))
BROKEN = record("Order", ("id", "string"))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A catalog URL for the module's server: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('rest') / 'catalog.db'}"
        return
    postgres: Service = request.getfixturevalue("postgres")
    schema = f"schemacat_rest_{uuid.uuid4().hex[:10]}"
    yield with_query(postgres.address, schema=schema)
    asyncio.run(drop_schema(postgres.address, schema))


@pytest.fixture(scope="module")
def api(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with serving(backend, log=log) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture
def subject() -> str:
    return f"orders-{uuid.uuid4().hex[:8]}-value"


def register(api: httpx.Client, subject: str, schema: str, **body: Any) -> int:
    answer = api.post(f"/subjects/{subject}/versions", json={"schema": schema, **body})
    assert answer.status_code == 200, answer.text
    found: int = answer.json()["id"]
    return found


# -- schemas and ids -----------------------------------------------------------------


def test_ids_are_global_and_shared_across_subjects(api: httpx.Client, subject: str) -> None:
    other = subject.replace("-value", "-key")
    first = register(api, subject, V1)
    assert register(api, subject, V1) == first  # the same schema again: its version
    assert register(api, other, json.dumps(json.loads(V1), indent=4)) == first  # same canonical
    second = register(api, subject, V2)
    assert second != first

    assert api.get(f"/subjects/{subject}/versions").json() == [1, 2]
    assert api.get(f"/schemas/ids/{first}").json() == {"schema": V1}
    assert api.get(f"/schemas/ids/{first}/schema").json() == json.loads(V1)
    assert sorted(api.get(f"/schemas/ids/{first}/subjects").json()) == sorted([subject, other])
    pairs = api.get(f"/schemas/ids/{first}/versions").json()
    assert sorted(pairs, key=str) == sorted(
        [{"subject": subject, "version": 1}, {"subject": other, "version": 1}], key=str
    )
    only = api.get(f"/schemas/ids/{first}/subjects", params={"subject": other}).json()
    assert only == [other]
    assert api.get("/schemas/types").json() == ["AVRO", "JSON"]

    message = error(api.get("/schemas/ids/999999"), 404, 40403)
    assert "999999" in message
    error(api.get("/schemas/ids/abc"), 404, 40403)


def test_versions_read_by_number_latest_and_minus_one(api: httpx.Client, subject: str) -> None:
    first, second = register(api, subject, V1), register(api, subject, V2)
    assert api.get(f"/subjects/{subject}/versions/1").json() == {
        "subject": subject, "version": 1, "id": first, "schema": V1,
    }  # fmt: skip
    for latest in ("latest", "-1"):
        found = api.get(f"/subjects/{subject}/versions/{latest}").json()
        assert (found["version"], found["id"]) == (2, second)
    assert api.get(f"/subjects/{subject}/versions/2/schema").json() == json.loads(V2)

    error(api.get(f"/subjects/{subject}/versions/3"), 404, 40402)
    for bad in ("0", "-2", "abc", "2147483648"):
        assert "not a valid version" in error(
            api.get(f"/subjects/{subject}/versions/{bad}"), 422, 42202
        )
    error(api.get("/subjects/no-such-subject/versions"), 404, 40401)
    error(api.get("/subjects/no-such-subject/versions/latest"), 404, 40401)


def test_lookup_finds_the_version_holding_a_schema(api: httpx.Client, subject: str) -> None:
    first = register(api, subject, V1)
    register(api, subject, V2)
    spaced = json.dumps(json.loads(V1), indent=2)
    found = api.post(f"/subjects/{subject}", json={"schema": spaced}).json()
    assert (found["subject"], found["version"], found["id"]) == (subject, 1, first)

    error(api.post(f"/subjects/{subject}", json={"schema": BROKEN}), 404, 40403)
    error(api.post("/subjects/no-such-subject", json={"schema": V1}), 404, 40401)


def test_invalid_schemas_are_42201_with_the_reason(api: httpx.Client, subject: str) -> None:
    cases = {
        '{"type": "record", "name": "R"}': "fields",
        '{"type": "recrod", "name": "R", "fields": []}': "record",
        "not json": "JSON",
    }
    for text, said in cases.items():
        message = error(
            api.post(f"/subjects/{subject}/versions", json={"schema": text}), 422, 42201
        )
        assert said in message, message
    protobuf = {"schema": 'syntax = "proto3"; message M {}', "schemaType": "PROTOBUF"}
    assert "PROTOBUF" in error(api.post(f"/subjects/{subject}/versions", json=protobuf), 422, 42201)
    error(api.post(f"/subjects/{subject}/versions", json={"schema": ""}), 422, 42201)
    assert api.post(f"/subjects/{subject}/versions", content=b"{").status_code == 400
    # nothing of it was registered
    error(api.get(f"/subjects/{subject}/versions"), 404, 40401)


# -- compatibility -------------------------------------------------------------------


def test_incompatible_schema_is_409_with_each_problem(api: httpx.Client, subject: str) -> None:
    register(api, subject, V1)
    message = error(api.post(f"/subjects/{subject}/versions", json={"schema": BROKEN}), 409, 409)
    assert "BACKWARD" in message and "id" in message and "version 1" in message
    assert api.get(f"/subjects/{subject}/versions").json() == [1]

    checked = api.post(
        f"/compatibility/subjects/{subject}/versions/latest",
        params={"verbose": "true"},
        json={"schema": BROKEN},
    ).json()
    assert checked["is_compatible"] is False
    assert checked["messages"] and any("id" in m for m in checked["messages"])
    fine = api.post(f"/compatibility/subjects/{subject}/versions", json={"schema": V2}).json()
    assert fine == {"is_compatible": True}
    error(
        api.post(f"/compatibility/subjects/{subject}/versions/7", json={"schema": V2}), 404, 40402
    )


def test_config_per_subject_and_global(api: httpx.Client, subject: str) -> None:
    register(api, subject, V1)
    assert api.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    assert "compatibility" in error(api.get(f"/config/{subject}"), 404, 40408)
    assert api.get(f"/config/{subject}", params={"defaultToGlobal": "true"}).json() == {
        "compatibilityLevel": "BACKWARD"
    }
    put = api.put(f"/config/{subject}", json={"compatibility": "none"})
    assert put.json() == {"compatibility": "NONE"}
    assert api.get(f"/config/{subject}").json() == {"compatibilityLevel": "NONE"}
    assert register(api, subject, BROKEN)  # NONE lets anything follow

    message = error(api.put(f"/config/{subject}", json={"compatibility": "SIDEWAYS"}), 422, 42203)
    assert "SIDEWAYS" in message
    assert api.delete(f"/config/{subject}").json() == {"compatibilityLevel": "NONE"}
    error(api.get(f"/config/{subject}"), 404, 40408)


def test_a_subject_takes_the_config_set_before_it_existed(
    api: httpx.Client, subject: str, backend: str
) -> None:
    """As Confluent's registry allows (clients set a subject's compatibility, then register
    its first schema): kept until the subject is made, by REST or in SQL, which takes it."""
    error(api.get(f"/config/{subject}"), 404, 40408)
    assert api.get(f"/config/{subject}", params={"defaultToGlobal": "true"}).json() == {
        "compatibilityLevel": "BACKWARD"
    }
    put = api.put(f"/config/{subject}", json={"compatibility": "none"})
    assert put.json() == {"compatibility": "NONE"}
    assert api.get(f"/config/{subject}").json() == {"compatibilityLevel": "NONE"}
    assert subject not in api.get("/subjects").json()  # a setting does not make a subject
    error(api.get(f"/subjects/{subject}/versions"), 404, 40401)
    register(api, subject, V1)
    register(api, subject, BROKEN)  # under NONE, taken from the setting
    assert api.get(f"/config/{subject}").json() == {"compatibilityLevel": "NONE"}

    dropped = f"{subject}-dropped"
    api.put(f"/config/{dropped}", json={"compatibility": "FULL"})
    assert api.delete(f"/config/{dropped}").json() == {"compatibilityLevel": "FULL"}
    error(api.get(f"/config/{dropped}"), 404, 40408)
    register(api, dropped, V1)
    error(api.get(f"/config/{dropped}"), 404, 40408)  # it follows the catalog's
    message = error(api.put(f"/config/{subject}-x", json={"compatibility": "up"}), 422, 42203)
    assert "up" in message

    stream = f"set_before_sql_{uuid.uuid4().hex[:6]}"
    api.put(f"/config/{stream}", json={"compatibility": "FULL_TRANSITIVE"})
    made = schemacat("--catalog", backend, "run", "-c", f"CREATE STREAM {stream} (id BIGINT)")
    assert made.returncode == 0, made.stderr
    assert api.get(f"/config/{stream}").json() == {"compatibilityLevel": "FULL_TRANSITIVE"}
    shown = schemacat("--catalog", backend, "run", "-c", "SHOW STREAMS", "--format", "json")
    row = next(r for r in json.loads(shown.stdout)["rows"] if r["name"] == stream)
    assert row["compatibility"] == "FULL_TRANSITIVE"


def test_global_config_set_and_deleted(api: httpx.Client) -> None:
    assert api.put("/config", json={"compatibility": "FULL"}).json() == {"compatibility": "FULL"}
    assert api.get("/config").json() == {"compatibilityLevel": "FULL"}
    assert api.delete("/config").json() == {"compatibilityLevel": "FULL"}
    assert api.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    error(api.put("/config", json={"compatibility": "fuller"}), 422, 42203)


def test_modes_refuse_writes(api: httpx.Client, subject: str) -> None:
    register(api, subject, V1)
    assert api.get("/mode").json() == {"mode": "READWRITE"}
    assert api.put(f"/mode/{subject}", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
    assert api.get(f"/mode/{subject}").json() == {"mode": "READONLY"}
    message = error(api.post(f"/subjects/{subject}/versions", json={"schema": V2}), 422, 42205)
    assert "READONLY" in message
    error(api.delete(f"/subjects/{subject}/versions/1"), 422, 42205)
    # reads go on
    assert api.get(f"/subjects/{subject}/versions").json() == [1]
    assert api.delete(f"/mode/{subject}").json() == {"mode": "READONLY"}
    assert register(api, subject, V2)

    error(api.put("/mode", json={"mode": "SLEEPY"}), 422, 42204)
    assert api.put("/mode", json={"mode": "readonly"}).json() == {"mode": "READONLY"}
    try:
        error(api.post(f"/subjects/{subject}/versions", json={"schema": V1 + " "}), 422, 42205)
    finally:
        assert api.put("/mode", json={"mode": "READWRITE"}).status_code == 200


# -- deletes -------------------------------------------------------------------------


def test_version_deletes_soft_then_permanent(api: httpx.Client, subject: str) -> None:
    first, second = register(api, subject, V1), register(api, subject, V2)
    error(api.delete(f"/subjects/{subject}/versions/1", params={"permanent": "true"}), 404, 40407)
    assert api.delete(f"/subjects/{subject}/versions/1").json() == 1
    error(api.delete(f"/subjects/{subject}/versions/1"), 404, 40406)
    assert api.get(f"/subjects/{subject}/versions").json() == [2]
    assert api.get(f"/subjects/{subject}/versions", params={"deleted": "true"}).json() == [1, 2]
    error(api.get(f"/subjects/{subject}/versions/1"), 404, 40402)
    found = api.get(f"/subjects/{subject}/versions/1", params={"deleted": "true"}).json()
    assert found["id"] == first
    assert api.get(f"/schemas/ids/{first}").json() == {"schema": V1}  # still readable

    assert api.delete(f"/subjects/{subject}/versions/1", params={"permanent": "true"}).json() == 1
    assert api.get(f"/subjects/{subject}/versions", params={"deleted": "true"}).json() == [2]
    # numbers and ids are not reused
    third = register(api, subject, record("Order", ("id", "long"), ("x", ["null", "int"])))
    assert api.get(f"/subjects/{subject}/versions").json() == [2, 3]
    assert third not in (first, second)


def test_subject_deletes_soft_then_permanent(api: httpx.Client, subject: str) -> None:
    first = register(api, subject, V1)
    register(api, subject, V2)
    error(api.delete(f"/subjects/{subject}", params={"permanent": "true"}), 404, 40405)
    assert api.delete(f"/subjects/{subject}").json() == [1, 2]
    error(api.delete(f"/subjects/{subject}"), 404, 40404)
    assert subject not in api.get("/subjects").json()
    assert subject in api.get("/subjects", params={"deleted": "true"}).json()
    assert subject in api.get("/subjects", params={"deletedOnly": "true"}).json()
    error(api.get(f"/subjects/{subject}/versions"), 404, 40401)
    assert api.get(f"/schemas/ids/{first}").status_code == 200

    assert api.delete(f"/subjects/{subject}", params={"permanent": "true"}).json() == [1, 2]
    assert subject not in api.get("/subjects", params={"deleted": "true"}).json()
    error(api.delete(f"/subjects/{subject}"), 404, 40401)


def test_query_booleans_ignore_case(api: httpx.Client, subject: str) -> None:
    register(api, subject, V1)
    assert api.delete(f"/subjects/{subject}/versions/1", params={"permanent": "False"}).json() == 1
    assert api.get(f"/subjects/{subject}/versions", params={"deleted": "TRUE"}).json() == [1]
    assert register(api, subject, V1) != 0  # normalize=False is read as false
    post = api.post(
        f"/subjects/{subject}/versions", params={"normalize": "False"}, json={"schema": V2}
    )
    assert post.status_code == 200


# -- references ----------------------------------------------------------------------


def test_references_across_subjects(api: httpx.Client, backend: str, subject: str) -> None:
    customer = subject.replace("orders", "customer")
    address = json.dumps({
        "type": "record", "name": "Address", "namespace": "com.acme",
        "fields": [{"name": "city", "type": "string"}],
    })  # fmt: skip
    register(api, customer, address)
    order = record("Order", ("id", "long"), ("ship_to", "com.acme.Address"))
    refs = [{"name": "com.acme.Address", "subject": customer, "version": 1}]
    order_id = register(api, subject, order, references=refs)

    found = api.get(f"/schemas/ids/{order_id}").json()
    assert found == {"schema": order, "references": refs}
    assert api.get(f"/subjects/{customer}/versions/1/referencedby").json() == [order_id]
    message = error(api.delete(f"/subjects/{customer}/versions/1"), 422, 42206)
    assert str(order_id) in message
    error(api.delete(f"/subjects/{customer}"), 422, 42206)

    # the view SQL shows resolves the referenced type
    described = schemacat("--catalog", backend, "run", "-c", f'DESCRIBE "{subject}"',
                          "--format", "json")  # fmt: skip
    rows = json.loads(described.stdout)["rows"]
    assert [(row["column"], row["type"]) for row in rows] == [
        ("id", "BIGINT"),
        ("ship_to", "STRUCT(city VARCHAR)"),
    ]

    missing = [{"name": "com.acme.Gone", "subject": "no-such-subject", "version": 1}]
    error(api.post(f"/subjects/{subject}/versions",
                   json={"schema": order, "references": missing}), 404, 40401)  # fmt: skip
    unresolved = record("Order", ("id", "long"), ("ship_to", "com.acme.Address"))
    assert "Address" in error(
        api.post(f"/subjects/{subject}-2/versions", json={"schema": unresolved}), 422, 42201
    )


# -- the HTTP surface ----------------------------------------------------------------


def test_encoded_slashes_in_subject_names(api: httpx.Client) -> None:
    name = f"team/orders-{uuid.uuid4().hex[:6]}"
    encoded = name.replace("/", "%2F")
    answer = api.post(f"/subjects/{encoded}/versions", json={"schema": V1})
    assert answer.status_code == 200, answer.text
    assert name in api.get("/subjects").json()
    assert api.get(f"/subjects/{encoded}/versions/latest").json()["subject"] == name


def test_subject_names_that_cannot_be(api: httpx.Client) -> None:
    for name in ("%00", "a%0Ab", "tab%09"):
        message = error(api.post(f"/subjects/{name}/versions", json={"schema": V1}), 422, 42208)
        assert "not a valid subject name" in message
    assert register(api, f"spaced name {uuid.uuid4().hex[:6]}", V1)


def test_content_types_the_clients_send(api: httpx.Client, subject: str) -> None:
    for content_type in (
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/octet-stream",
    ):
        answer = api.post(
            f"/subjects/{subject}/versions",
            content=json.dumps({"schema": V1}),
            headers={"Content-Type": content_type},
        )
        assert answer.status_code == 200, (content_type, answer.text)
        assert answer.headers["content-type"].startswith(CONTENT)


def test_listing_with_prefix_offset_and_limit(api: httpx.Client) -> None:
    prefix = f"page-{uuid.uuid4().hex[:6]}-"
    for i in range(5):
        register(api, f"{prefix}{i}", V1)
    listed = api.get("/subjects", params={"subjectPrefix": prefix}).json()
    assert listed == [f"{prefix}{i}" for i in range(5)]
    paged = api.get("/subjects", params={"subjectPrefix": prefix, "offset": 1, "limit": 2})
    assert paged.json() == [f"{prefix}1", f"{prefix}2"]
    schemas = api.get("/schemas", params={"subjectPrefix": prefix}).json()
    assert [s["subject"] for s in schemas] == listed


def test_unknown_routes_and_probes_answer_in_the_error_shape(api: httpx.Client) -> None:
    probe = "/associations/resources/-/orders?resourceType=topic&associationType=value"
    error(api.get(probe), 404, 404)
    error(api.get("/no/such/route"), 404, 404)
    error(api.patch("/config"), 405, 405)
    assert api.get("/").json() == {}
    assert api.get("/contexts").json() == ["."]
    assert api.get("/health").json() == {"status": "UP"}
    paths = api.get("/openapi.json").json()["paths"]
    assert "/subjects/{subject}/versions" in paths and "/schemas/ids/{schema_id}" in paths


# -- SQL and REST see each other -----------------------------------------------------


def test_sql_sees_rest_and_rest_sees_sql(api: httpx.Client, backend: str, subject: str) -> None:
    register(api, subject, V1)
    described = schemacat("--catalog", backend, "run", "-c", f'DESCRIBE "{subject}"',
                          "--format", "json")  # fmt: skip
    assert [row["column"] for row in json.loads(described.stdout)["rows"]] == ["id"]

    stream = f"made_in_sql_{uuid.uuid4().hex[:6]}"
    schemacat("--catalog", backend, "run", "-c",
              f"CREATE STREAM {stream} (id BIGINT NOT NULL, name VARCHAR)")  # fmt: skip
    found = api.get(f"/subjects/{stream}/versions/latest").json()
    avro = json.loads(found["schema"])
    assert avro["type"] == "record"
    assert [f["name"] for f in avro["fields"]] == ["id", "name"]
    assert api.get(f"/schemas/ids/{found['id']}").json()["schema"] == found["schema"]


def test_store_failure_is_50001(postgres: Service) -> None:
    """A catalog that breaks under the server (its tables dropped) is a store error, not
    a bug."""
    schema = f"schemacat_broken_{uuid.uuid4().hex[:10]}"
    url = with_query(postgres.address, schema=schema)
    with serving(url) as served, httpx.Client(base_url=served) as client:
        register(client, "s", V1)
        asyncio.run(drop_schema(postgres.address, schema))
        message = error(client.get("/subjects/s/versions"), 500, 50001)
        assert "bug" not in message and 'relation "streams" does not exist' in message


def test_read_only_server_refuses_writes(backend: str, subject: str) -> None:
    with serving(backend, "--read-only") as served, httpx.Client(base_url=served) as client:
        message = error(
            client.post(f"/subjects/{subject}/versions", json={"schema": V1}), 422, 42205
        )
        assert "--read-only" in message
        error(client.put("/config", json={"compatibility": "NONE"}), 422, 42205)
        assert client.get("/subjects").status_code == 200


def test_a_server_started_before_its_catalog_file_sees_it(tmp_path: Path) -> None:
    """The catalog file appears with its first write, made by another process."""
    url = f"sqlite:///{tmp_path / 'later.db'}"
    with serving(url) as served, httpx.Client(base_url=served) as client:
        assert client.get("/subjects").json() == []
        made = schemacat("--catalog", url, "run", "-c", "CREATE STREAM later (id BIGINT)")
        assert made.returncode == 0, made.stderr
        assert client.get("/subjects").json() == ["later"]
        latest = client.get("/subjects/later/versions/latest").json()
        assert json.loads(latest["schema"])["name"] == "later"


def test_json_schema_references_across_subjects(api: httpx.Client, subject: str) -> None:
    customer = subject.replace("orders", "customer-json")
    person = {"type": "object", "properties": {"name": {"type": "string"}}}
    register(api, customer, json.dumps(person), schemaType="JSON")
    order = {"type": "object", "properties": {"buyer": {"$ref": "customer.json"}}}
    refs = [{"name": "customer.json", "subject": customer, "version": 1}]
    order_id = register(api, subject, json.dumps(order), schemaType="JSON", references=refs)
    assert api.get(f"/subjects/{customer}/versions/1/referencedby").json() == [order_id]
    error(api.delete(f"/subjects/{customer}/versions/1"), 422, 42206)

    # the referenced document is compared too: a buyer's name may not turn into a number
    api.put(f"/config/{customer}", json={"compatibility": "NONE"})
    register(api, customer, json.dumps({**person, "properties": {"name": {"type": "integer"}}}),
             schemaType="JSON")  # fmt: skip
    moved = [{"name": "customer.json", "subject": customer, "version": 2}]
    message = error(
        api.post(f"/subjects/{subject}/versions",
                 json={"schema": json.dumps(order), "schemaType": "JSON", "references": moved}),
        409, 409,
    )  # fmt: skip
    assert "name" in message


def test_access_log_and_graceful_shutdown(tmp_path: Path) -> None:
    """Each request is logged (method, path, status); SIGTERM lets the server finish."""
    log = tmp_path / "serve.log"
    with serving(f"sqlite:///{tmp_path / 'c.db'}", log=log) as served:
        httpx.get(f"{served}/subjects?subjectPrefix=x")
    text = log.read_text()
    logged = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any((x["method"], x["path"], x["query"], x["status"]) == ("GET", "/subjects",
               "subjectPrefix=x", 200) for x in logged)  # fmt: skip
    assert "Finished server process" in text and "Traceback" not in text
