"""``schemacat serve --users FILE`` end to end: HTTP Basic and bearer secrets, the three
roles, Confluent-shaped 401 / 403 answers, failed logins limited per client address,
/health open, confluent-kafka's client with basic auth and a static bearer token, and
no credential in the server's log.

One server on a SQLite catalog serves the module (each test keeps to subjects of its
own; the rate-limit test to client addresses of its own); one test runs on PostgreSQL.
Most users are hashed with cheap argon2 parameters to keep the suite fast; the admin's
line is made by ``schemacat passwd`` with its real ones.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError

from tests.cli.process import schemacat
from tests.server.registry import serving

SCHEMA = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]})
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORDS = {
    "admin": "admin-" + secrets.token_hex(8),
    "reader": "reader-pw-1",
    "writer": "w:pw-2",
}  # a ":" in it
TOKEN = secrets.token_urlsafe(32)  # the bearer secret of the line "ci"
UNICODE = "pässwörd-€-" + secrets.token_hex(4)  # the password of "émile": not even latin-1


@dataclass
class Registry:
    url: str
    log: Path

    def client(self, *auth: str, address: str | None = None) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=address) if address else None
        return httpx.Client(
            base_url=self.url,
            auth=httpx.BasicAuth(*auth) if auth else None,
            transport=transport,
            timeout=30,
        )


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("users")
    stdin = folder / "password"
    stdin.write_text(PASSWORDS["admin"] + "\n")
    made = schemacat("passwd", "admin", "--role", "admin", stdin=stdin)
    assert made.returncode == 0, made.stderr
    path = folder / "users.txt"
    path.write_text(
        "# schemacat serve --users: name:hash:role\n\n"
        + made.stdout
        + f"reader:{CHEAP.hash(PASSWORDS['reader'])}:read\n"
        + f"writer:{CHEAP.hash(PASSWORDS['writer'])}:write\n"
        + f"ci:{CHEAP.hash(TOKEN)}:write\n"
        + f"émile:{CHEAP.hash(UNICODE)}:read\n"
    )
    return path


@pytest.fixture(scope="module")
def registry(users: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    folder = tmp_path_factory.mktemp("auth")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONUNBUFFERED", "1")  # the log can be read while it serves
        catalog = f"sqlite:///{folder / 'catalog.db'}"
        with serving(catalog, "--users", str(users), log=folder / "serve.log") as url:
            yield Registry(url, folder / "serve.log")


@pytest.fixture
def subject() -> str:
    return f"auth-{uuid.uuid4().hex[:8]}-value"


#: a salt (16 bytes) and a hash (32 bytes) as argon2's strings spell them
SALT, HASH = "c2FsdHNhbHRzYWx0c2FsdA", "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"


def refused(answer: httpx.Response, status: int, code: int) -> str:
    assert (answer.status_code, answer.json()["error_code"]) == (status, code), answer.text
    assert set(answer.json()) == {"error_code", "message"}
    assert answer.headers["content-type"].startswith("application/vnd.schemaregistry.v1+json")
    message: str = answer.json()["message"]
    return message


def test_the_passwd_line_logs_in_and_the_admin_may_do_everything(
    registry: Registry, subject: str
) -> None:
    with registry.client("admin", PASSWORDS["admin"]) as admin:
        assert admin.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA}).is_success
        assert admin.put(f"/config/{subject}", json={"compatibility": "FULL"}).is_success
        assert admin.put(f"/mode/{subject}", json={"mode": "READONLY"}).is_success
        assert admin.delete(f"/mode/{subject}").is_success
        assert admin.delete(f"/subjects/{subject}").json() == [1]
        assert admin.delete(f"/subjects/{subject}", params={"permanent": "true"}).json() == [1]


def test_read_reads_and_looks_up_but_may_not_register(registry: Registry, subject: str) -> None:
    encoded = subject.replace("-value", "%2Fvalue")
    with registry.client("writer", PASSWORDS["writer"]) as writer:
        assert writer.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA}).is_success
    with registry.client("reader", PASSWORDS["reader"]) as reader:
        assert reader.get("/subjects").is_success
        assert reader.get(f"/subjects/{subject}/versions/latest").json()["version"] == 1
        assert reader.post(f"/subjects/{subject}", json={"schema": SCHEMA}).is_success  # lookup
        compatible = reader.post(f"/compatibility/subjects/{subject}/versions/latest",
                                 json={"schema": SCHEMA})  # fmt: skip
        assert compatible.json() == {"is_compatible": True}
        for change in (
            reader.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA}),
            reader.post(f"/subjects/{encoded}/versions", json={"schema": SCHEMA}),
            reader.delete(f"/subjects/{subject}/versions/1"),
            reader.put("/config", json={"compatibility": "NONE"}),
        ):
            message = refused(change, 403, 40301)
            assert "'reader'" in message and "'read'" in message
        assert reader.get(f"/subjects/{subject}/versions").json() == [1]  # nothing changed


def test_write_registers_and_deletes_but_may_not_configure(
    registry: Registry, subject: str
) -> None:
    with registry.client("writer", PASSWORDS["writer"]) as writer:
        assert writer.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA}).is_success
        for change in (
            writer.put("/config", json={"compatibility": "NONE"}),
            writer.put(f"/config/{subject}", json={"compatibility": "NONE"}),
            writer.delete("/config"),
            writer.put("/mode", json={"mode": "IMPORT"}),
            writer.delete(f"/subjects/{subject}", params={"permanent": "TRUE"}),
        ):
            assert "needs 'admin'" in refused(change, 403, 40301)
        assert writer.delete(f"/subjects/{subject}").json() == [1]  # a soft delete
        assert writer.get("/config").json() == {"compatibilityLevel": "BACKWARD"}


def test_a_wrong_password_and_an_unknown_user_get_the_same_401(registry: Registry) -> None:
    answers = []
    for auth in (("reader", "not-the-password"), ("nobody", "not-the-password")):
        with registry.client(*auth) as client:
            answers.append(client.get("/subjects"))
    wrong, unknown = answers
    assert refused(wrong, 401, 401) == refused(unknown, 401, 401)
    assert wrong.content == unknown.content
    assert wrong.headers["www-authenticate"] == 'Basic realm="schemacat"'
    assert unknown.headers["www-authenticate"] == 'Basic realm="schemacat"'
    with registry.client() as anonymous:
        refused(anonymous.get("/subjects"), 401, 401)
        garbled = anonymous.get("/subjects", headers={"Authorization": "Basic %%%"})
        refused(garbled, 401, 401)
        refused(anonymous.get("/subjects", headers={"Authorization": "Digest x"}), 401, 401)


def test_a_bearer_secret_is_checked_against_every_line(registry: Registry, subject: str) -> None:
    with registry.client() as client:
        ci = {"Authorization": f"Bearer {TOKEN}"}
        registered = client.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA},
                                 headers=ci)  # fmt: skip
        assert registered.is_success, registered.text
        assert refused(client.put("/config", json={"compatibility": "NONE"}, headers=ci),
                       403, 40301).count("'ci'") == 1  # fmt: skip
        as_reader = {"Authorization": f"Bearer {PASSWORDS['reader']}"}  # any line's secret
        assert client.get(f"/subjects/{subject}/versions", headers=as_reader).json() == [1]
        refused(client.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA},
                            headers=as_reader), 403, 40301)  # fmt: skip
        refused(client.get("/subjects", headers={"Authorization": "Bearer wrong"}), 401, 401)


def test_health_stays_open(registry: Registry) -> None:
    with registry.client() as anonymous:
        health = anonymous.get("/health")
        assert (health.status_code, health.json()) == (200, {"status": "UP"})
        assert anonymous.get("/health/ready").status_code in (200, 503)
        metrics = anonymous.get("/metrics")
        assert metrics.status_code == 200 and "schemacat_http_requests_total" in metrics.text
        refused(anonymous.get("/"), 401, 401)


def test_failed_logins_are_limited_per_client_address(registry: Registry) -> None:
    with registry.client("reader", "guess", address="127.0.0.3") as guesser:
        statuses = [guesser.get("/subjects").status_code for _ in range(30)]
        assert statuses[:10] == [401] * 10 and 429 in statuses
        limited = guesser.get("/subjects")
        assert "too many failed logins" in refused(limited, 429, 429)
        assert 0 < int(limited.headers["retry-after"]) <= 3
    with registry.client("reader", PASSWORDS["reader"], address="127.0.0.3") as same_address:
        refused(same_address.get("/subjects"), 429, 429)  # not even checked: no oracle
    with registry.client("reader", PASSWORDS["reader"], address="127.0.0.4") as other:
        assert other.get("/subjects").is_success
        for _ in range(30):  # a successful client is never limited
            assert other.get("/subjects/no-such/versions").status_code == 404
    with registry.client("reader", "guess", address="127.0.0.4") as other:
        refused(other.get("/subjects"), 401, 401)


def test_a_verified_credential_passes_a_locked_out_address(registry: Registry) -> None:
    """Guesses lock an address out; a client that logged in from it goes on (its
    credential is in the cache), one not yet verified from it gets 429 unchecked."""
    with registry.client("reader", PASSWORDS["reader"], address="127.0.0.7") as client:
        assert client.get("/subjects").is_success
    with registry.client("reader", "guess", address="127.0.0.7") as guesser:
        statuses = [guesser.get("/subjects").status_code for _ in range(12)]
        assert statuses[-1] == 429, statuses
    with registry.client("reader", PASSWORDS["reader"], address="127.0.0.7") as client:
        for _ in range(5):
            assert client.get("/subjects").status_code == 200
    with registry.client("writer", PASSWORDS["writer"], address="127.0.0.7") as other:
        refused(other.get("/subjects"), 429, 429)  # verified elsewhere, not from here


def test_a_wrong_bearer_costs_a_token_per_line(registry: Registry) -> None:
    """The users file has five lines: a wrong bearer secret is five argon2 checks, so the
    bucket of ten is empty after two."""
    with registry.client(address="127.0.0.9") as client:
        statuses = [
            client.get("/subjects", headers={"Authorization": f"Bearer wrong-{i}"}).status_code
            for i in range(3)
        ]
    assert statuses == [401, 401, 429]


def test_a_non_ascii_secret_works_as_basic_and_as_bearer(registry: Registry) -> None:
    with registry.client("émile", UNICODE) as basic:
        assert basic.get("/subjects").status_code == 200
    with registry.client(address="127.0.0.10") as client:
        bearer = {"Authorization": b"Bearer " + UNICODE.encode()}
        assert client.get("/subjects", headers=bearer).status_code == 200
        latin = {"Authorization": b"Bearer " + "pässwörd".encode("latin-1")}  # not UTF-8
        refused(client.get("/subjects", headers=latin), 401, 401)


def test_forwarded_for_is_not_trusted_by_default(registry: Registry) -> None:
    """Without --forwarded-allow-ips, X-Forwarded-For changes neither the address the
    failed logins count against nor the one logged."""
    with registry.client("reader", "guess", address="127.0.0.8") as guesser:
        statuses = [
            guesser.get("/subjects", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
            for i in range(12)
        ]
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429, statuses
    logged = [json.loads(x) for x in registry.log.read_text().splitlines() if x.startswith("{")]
    assert not any("198.51.100." in str(x["client"]) for x in logged)
    assert any(str(x["client"]).startswith("127.0.0.8:") for x in logged)


def test_concurrent_guesses_cannot_outrun_the_limit(registry: Registry) -> None:
    """Thirty different guesses at once from one address: no more than the bucket's ten
    are checked; thirty requests at once with one good credential not yet seen from
    another address share one check and all pass."""

    async def burst(address: str, headers: list[dict[str, str]]) -> list[int]:
        transport = httpx.AsyncHTTPTransport(local_address=address)
        async with httpx.AsyncClient(base_url=registry.url, transport=transport,
                                     timeout=30) as client:  # fmt: skip
            answers = await asyncio.gather(*(client.get("/subjects", headers=h) for h in headers))
        return [a.status_code for a in answers]

    guesses = [{"Authorization": f"Bearer guess-{i}"} for i in range(30)]
    statuses = asyncio.run(burst("127.0.0.5", guesses))
    assert statuses.count(401) <= 10 and statuses.count(429) >= 20, statuses
    admin_as_bearer = {"Authorization": f"Bearer {PASSWORDS['admin']}"}  # never sent before
    assert asyncio.run(burst("127.0.0.6", [admin_as_bearer] * 30)) == [200] * 30


def test_confluent_kafka_with_basic_auth_user_info(registry: Registry, subject: str) -> None:
    writer = SchemaRegistryClient(
        {"url": registry.url, "basic.auth.user.info": f"writer:{PASSWORDS['writer']}"}
    )
    schema_id = writer.register_schema(subject, Schema(SCHEMA, "AVRO"))
    assert json.loads(writer.get_schema(schema_id).schema_str) == json.loads(SCHEMA)
    assert writer.get_latest_version(subject).schema_id == schema_id
    reader = SchemaRegistryClient(
        {"url": registry.url, "basic.auth.user.info": f"reader:{PASSWORDS['reader']}"}
    )
    assert reader.lookup_schema(subject, Schema(SCHEMA, "AVRO")).schema_id == schema_id
    other = json.dumps({**json.loads(SCHEMA), "name": "Other"})
    with pytest.raises(SchemaRegistryError) as denied:
        reader.register_schema(f"{subject}-2", Schema(other, "AVRO"))
    assert (denied.value.http_status_code, denied.value.error_code) == (403, 40301)
    wrong = SchemaRegistryClient({"url": registry.url, "basic.auth.user.info": "writer:nope"})
    with pytest.raises(SchemaRegistryError) as unauthorized:
        wrong.get_subjects()
    assert (unauthorized.value.http_status_code, unauthorized.value.error_code) == (401, 401)


def test_confluent_kafka_with_a_static_bearer_token(registry: Registry, subject: str) -> None:
    client = SchemaRegistryClient(
        {
            "url": registry.url,
            "bearer.auth.credentials.source": "STATIC_TOKEN",
            "bearer.auth.token": TOKEN,
            "bearer.auth.logical.cluster": "lsrc-schemacat",  # the client requires them;
            "bearer.auth.identity.pool.id": "pool-schemacat",  # schemacat ignores them
        }
    )
    schema_id = client.register_schema(subject, Schema(SCHEMA, "AVRO"))
    assert client.get_latest_version(subject).schema_id == schema_id
    assert subject in client.get_subjects()


def test_the_log_holds_no_credential(registry: Registry, subject: str) -> None:
    headers = []
    for name, password in PASSWORDS.items():
        with registry.client(name, password) as client:
            client.get("/subjects", params={"subjectPrefix": subject})
            headers.append(base64.b64encode(f"{name}:{password}".encode()).decode())
    with registry.client() as client:
        client.get("/subjects", headers={"Authorization": f"Bearer {TOKEN}"})
    log = registry.log.read_text()
    assert f"subjectPrefix={subject}" in log  # the requests are in the log
    for secret in [*PASSWORDS.values(), TOKEN, *headers]:
        assert secret not in log
    assert "authorization" not in log.lower()


def test_roles_on_a_postgresql_catalog(
    pg_catalog_url: str, users: Path, tmp_path: Path, subject: str
) -> None:
    with serving(pg_catalog_url, "--users", str(users), log=tmp_path / "serve.log") as url:
        with SchemaRegistryClient(
            {"url": url, "basic.auth.user.info": f"writer:{PASSWORDS['writer']}"}
        ) as writer:  # closed: an open connection would hold the server's shutdown
            schema_id = writer.register_schema(subject, Schema(SCHEMA, "AVRO"))
        auth = httpx.BasicAuth("reader", PASSWORDS["reader"])
        with httpx.Client(base_url=url, auth=auth, timeout=30) as reader:
            assert reader.get(f"/schemas/ids/{schema_id}").json() == {"schema": SCHEMA}
            refused(reader.post(f"/subjects/{subject}/versions", json={"schema": SCHEMA}),
                    403, 40301)  # fmt: skip
            refused(reader.get("/subjects", auth=httpx.BasicAuth("reader", "x")), 401, 401)


# -- behind a proxy, and inside the limits --------------------------------------------


@dataclass
class Proxied:
    url: str
    log: Path


SLOW_SECONDS, TIMEOUT = 3.0, 1.5  # --request-timeout; its queue wait is 1 s


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    """A server trusting X-Forwarded-For from 127.0.0.1, one request at a time, requests
    stopped after 1.5 s, and a user "slow" whose hash takes about 3 s to check: its time
    cost scaled from one measured here (the hash itself is made up: every password is
    wrong, after a check that takes that long)."""
    folder = tmp_path_factory.mktemp("proxied")
    started = time.perf_counter()
    PasswordHasher(time_cost=4, memory_cost=65536, parallelism=1).hash("x")
    time_cost = min(100, math.ceil(SLOW_SECONDS * 4 / (time.perf_counter() - started)))
    users = folder / "users.txt"
    users.write_text(
        f"slow:$argon2id$v=19$m=65536,t={time_cost},p=1${SALT}${HASH}:read\n"
        f"reader:{CHEAP.hash(PASSWORDS['reader'])}:read\n"
        f"writer:{CHEAP.hash(PASSWORDS['writer'])}:write\n"
    )
    log = folder / "serve.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONUNBUFFERED", "1")
        with serving(f"sqlite:///{folder / 'catalog.db'}", "--users", str(users),
                     "--forwarded-allow-ips", "127.0.0.1", "--max-concurrency", "1",
                     "--request-timeout", str(TIMEOUT), log=log) as url:  # fmt: skip
            yield Proxied(url, log)


def test_forwarded_for_is_trusted_from_the_named_proxy(proxied: Proxied) -> None:
    """With --forwarded-allow-ips 127.0.0.1, failed logins count against the address the
    proxy forwards, and the log shows it."""

    def guess(address: str) -> int:
        headers = {"X-Forwarded-For": address}
        with httpx.Client(auth=httpx.BasicAuth("reader", "guess"), timeout=30) as client:
            return client.get(f"{proxied.url}/subjects", headers=headers).status_code

    statuses = [guess("203.0.113.1") for _ in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429, statuses
    assert guess("203.0.113.2") == 401  # another client behind the proxy: its own bucket
    logged = [json.loads(x) for x in proxied.log.read_text().splitlines() if x.startswith("{")]
    clients = {str(x["client"]).split(":")[0] for x in logged if x["route"] == "/subjects"}
    assert clients == {"203.0.113.1", "203.0.113.2"}


def test_authentication_counts_toward_the_limits(proxied: Proxied) -> None:
    """A request waiting for its argon2 check holds the one turn (--max-concurrency 1) and
    is stopped at --request-timeout."""

    async def at_once(*guesses: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=proxied.url, timeout=30) as client:
            return await asyncio.gather(*(
                client.get("/subjects", auth=("slow", guess),
                           headers={"X-Forwarded-For": f"203.0.113.{20 + i}"})
                for i, guess in enumerate(guesses)
            ))  # fmt: skip

    started = time.monotonic()
    (alone,) = asyncio.run(at_once("wrong-0"))
    assert (alone.status_code, alone.json()["error_code"]) == (504, 50002), alone.text
    assert time.monotonic() - started < SLOW_SECONDS
    first, second = sorted(asyncio.run(at_once("wrong-1", "wrong-2")), key=lambda a: a.status_code)
    assert (first.status_code, second.status_code) == (503, 504), (first.text, second.text)


# -- start-up checks ----------------------------------------------------------------


def test_a_bad_users_file_stops_the_start_with_one_line(tmp_path: Path) -> None:
    catalog = f"sqlite:///{tmp_path / 'catalog.db'}"
    missing = schemacat("--catalog", catalog, "serve", "--users", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert (
        missing.stderr.startswith("error: cannot read the users file") and "nope" in missing.stderr
    )
    assert "Traceback" not in missing.stderr and len(missing.stderr.splitlines()) == 1

    hashed = CHEAP.hash("pw")
    bad = tmp_path / "users.txt"
    for line, why in (
        (f"alice:{hashed}:owner", "the role of 'alice' is 'owner'"),
        (f"alice:{hashed}", "expected name:hash:role"),
        ("alice:plain-text-password:read", "not an argon2 hash"),
        ("x:$argon2id$v=19$m=65536,t=3,p=4$AAAA$BBBB:read", "a salt of 3 bytes, under 8"),
        (f"x:$argon2id$v=19$m=65536,t=3,p=4${SALT}$BBBB:read", "a hash of 3 bytes, under 16"),
        (
            f"x:$argon2id$v=19$m=4294967295,t=4294967295,p=255${SALT}${HASH}:read",
            "a parallelism of 255, not 1 to 64",
        ),
        (
            f"x:$argon2id$v=19$m=4294967295,t=3,p=4${SALT}${HASH}:read",
            "a memory cost of 4294967295 KiB",
        ),
        (
            f"x:$argon2id$v=19$m=65536,t=1000,p=4${SALT}${HASH}:read",
            "a time cost of 1000, not 1 to 100",
        ),
        (f"alice:{hashed}:read\nalice:{hashed}:write", "'alice' is on an earlier line too"),
    ):
        bad.write_text(f"# users\n\n{line}\n")
        refused_start = schemacat("--catalog", catalog, "serve", "--users", str(bad))
        assert refused_start.returncode == 2, refused_start.stderr
        assert f"{bad}:3: " in refused_start.stderr or f"{bad}:4: " in refused_start.stderr
        assert why in refused_start.stderr and "Traceback" not in refused_start.stderr
        assert hashed not in refused_start.stderr and "plain-text" not in refused_start.stderr
        assert len(refused_start.stderr.splitlines()) == 1
    bad.write_text("# nobody yet\n")
    empty = schemacat("--catalog", catalog, "serve", "--users", str(bad))
    assert empty.returncode == 2 and "has no users" in empty.stderr


def test_serving_beyond_loopback_without_users_warns(tmp_path: Path, users: Path) -> None:
    """192.0.2.1 (TEST-NET-1) is no address of this machine: the server warns, then
    fails to listen and stops."""
    catalog = f"sqlite:///{tmp_path / 'catalog.db'}"
    bare = schemacat("--catalog", catalog, "serve", "--host", "192.0.2.1", "--port", "9")
    assert "warning: serving on 192.0.2.1 without --users" in bare.stderr
    guarded = schemacat("--catalog", catalog, "serve", "--host", "192.0.2.1", "--port", "9",
                        "--users", str(users))  # fmt: skip
    assert "warning" not in guarded.stderr
