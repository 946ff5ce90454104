"""Several ``schemacat serve`` processes on one catalog behave as one registry: a
PostgreSQL schema shared by replicas, or one SQLite file shared by processes of one
machine.  Writes through one are read through the other at once, the same schema sent
through both at once gets one id, and killing a replica mid-write loses nothing that
was acknowledged and leaves no half-registered schema."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import httpx

from tests.server.registry import CONTENT, served, serving


def avro(name: str, *optional: str) -> str:
    fields = [{"name": "id", "type": "long"}] + [
        {"name": f, "type": ["null", "string"], "default": None} for f in optional
    ]
    return json.dumps({"type": "record", "name": name, "fields": fields})


def client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Content-Type": CONTENT}, timeout=30)


def register(http: httpx.Client, subject: str, text: str) -> int:
    answer = http.post(f"/subjects/{subject}/versions", json={"schema": text})
    assert answer.status_code == 200, answer.text
    schema_id: int = answer.json()["id"]
    return schema_id


def test_a_write_through_one_replica_is_read_through_the_other_at_once(catalog_url: str) -> None:
    with serving(catalog_url) as one, serving(catalog_url) as two:
        a, b = client(one), client(two)
        first = register(a, "orders-value", avro("Order"))
        assert b.get("/subjects/orders-value/versions/latest").json()["id"] == first
        assert b.get(f"/schemas/ids/{first}").status_code == 200

        second = register(b, "orders-value", avro("Order", "note"))
        assert a.get("/subjects/orders-value/versions").json() == [1, 2]
        assert a.get("/subjects/orders-value/versions/2").json()["id"] == second

        assert a.put("/config/orders-value", json={"compatibility": "FULL"}).status_code == 200
        assert b.get("/config/orders-value").json() == {"compatibilityLevel": "FULL"}
        refused = b.post("/subjects/orders-value/versions", json={"schema": avro("Order", "x")})
        assert refused.status_code == 200  # an optional field is FULL-compatible
        broken = json.dumps({"type": "record", "name": "Order", "fields": [
            {"name": "id", "type": "string"}]})  # fmt: skip
        assert a.post("/subjects/orders-value/versions", json={"schema": broken}).status_code == 409

        assert a.delete("/subjects/orders-value").json() == [1, 2, 3]
        assert b.get("/subjects").json() == []
        assert b.get("/subjects?deleted=true").json() == ["orders-value"]


def test_the_same_schema_sent_through_both_replicas_at_once_gets_one_id(
    catalog_url: str,
) -> None:
    """Each of 12 schemas goes, at the same moment, through both replicas into one
    subject and through both into a subject of each replica's own."""
    with serving(catalog_url) as one, serving(catalog_url) as two:
        a, b = client(one), client(two)
        start = threading.Barrier(4)

        def send(http: httpx.Client, subject: str, text: str) -> int:
            start.wait(timeout=30)
            return register(http, subject, text)

        ids: dict[int, set[int]] = {}
        with ThreadPoolExecutor(4) as pool:
            for n in range(12):
                text = avro(f"Same{n}", *(f"f{i}" for i in range(n)))
                sent = [
                    pool.submit(send, a, f"shared{n}-value", text),
                    pool.submit(send, b, f"shared{n}-value", text),
                    pool.submit(send, a, f"one{n}-value", text),
                    pool.submit(send, b, f"two{n}-value", text),
                ]
                ids[n] = {f.result() for f in sent}
        assert all(len(got) == 1 for got in ids.values()), ids
        assert len({got.pop() for got in ids.values()}) == 12  # distinct schemas, distinct ids
        for n in range(12):
            assert a.get(f"/subjects/shared{n}-value/versions").json() == [1]


def test_a_config_set_as_its_subject_is_made_elsewhere_is_kept(catalog_url: str) -> None:
    """A subject's compatibility, set through one replica at the moment its first schema
    is registered through the other: the answered setting holds afterwards, whichever
    came first (kept for the subject to take, or set on it)."""
    with serving(catalog_url) as one, serving(catalog_url) as two:
        a, b = client(one), client(two)
        start = threading.Barrier(2)

        def at_once(call: Callable[[], httpx.Response]) -> int:
            start.wait(timeout=30)
            return call().status_code

        subjects = [f"raced{n}-value" for n in range(32)]
        with ThreadPoolExecutor(2) as pool:
            for n, subject in enumerate(subjects):
                put = partial(a.put, f"/config/{subject}", json={"compatibility": "FULL"})
                post = partial(
                    b.post, f"/subjects/{subject}/versions", json={"schema": avro(f"R{n}")}
                )
                assert list(pool.map(at_once, (put, post))) == [200, 200]
        for subject in subjects:
            assert a.get(f"/config/{subject}").json() == {"compatibilityLevel": "FULL"}, subject
        assert sorted(a.get("/subjects").json()) == sorted(subjects)


def test_workers_on_one_catalog_lose_no_concurrent_registration(catalog_url: str) -> None:
    """Two worker processes; eight clients add versions to one subject and to subjects
    of their own at once: every acknowledged version is there, under its own number."""
    with serving(catalog_url, "--workers", "2") as url:
        http = client(url)
        http.put("/config", json={"compatibility": "NONE"}).raise_for_status()

        def work(c: int) -> list[tuple[str, int]]:
            with client(url) as mine:
                done = []
                for n in range(8):
                    for kind, subject in (("Busy", "busy-value"), ("Own", f"own{c}-value")):
                        done.append((subject, register(mine, subject, avro(f"{kind}{c}x{n}"))))
                return done

        with ThreadPoolExecutor(8) as pool:
            acknowledged = [pair for got in pool.map(work, range(8)) for pair in got]
        ids = [schema_id for _, schema_id in acknowledged]
        assert len(set(ids)) == len(ids) == 128
        assert http.get("/subjects/busy-value/versions").json() == list(range(1, 65))
        held = {http.get(f"/subjects/busy-value/versions/{v}").json()["id"] for v in range(1, 65)}
        assert held == {i for s, i in acknowledged if s == "busy-value"}


def test_killing_a_replica_mid_write_loses_nothing_acknowledged(
    catalog_url: str, tmp_path: Path
) -> None:
    """Six clients register through replica one until it is killed (SIGKILL) mid-flight.
    Through replica two afterwards: every acknowledged schema is there with its id; every
    version listed is whole; the registry takes new schemas at once, with new ids."""
    with serving(catalog_url) as two:
        b = client(two)
        acknowledged: list[tuple[str, str, int]] = []
        unanswered: list[tuple[str, str]] = []
        with served(catalog_url, log=tmp_path / "one.log") as (one, process):

            def work(c: int) -> None:
                with client(one) as a:
                    for n in range(10_000):
                        subject, text = f"k{c}-value", avro(f"K{c}", *(f"f{i}" for i in range(n)))
                        try:
                            acknowledged.append((subject, text, register(a, subject, text)))
                        except httpx.TransportError:
                            unanswered.append((subject, text))
                            return

            with ThreadPoolExecutor(6) as pool:
                running = [pool.submit(work, c) for c in range(6)]
                while len(acknowledged) < 60:
                    time.sleep(0.01)
                process.kill()
                killed = time.monotonic()
                for f in running:
                    f.result(timeout=30)
        assert len(unanswered) == 6, "each client saw the kill as a dropped connection"

        new = register(b, "after-value", avro("After"))
        recovered = time.monotonic() - killed
        assert recovered < 5
        for subject, text, schema_id in acknowledged:
            found = b.post(f"/subjects/{subject}", json={"schema": text})
            assert found.status_code == 200 and found.json()["id"] == schema_id, found.text
        for subject, text in unanswered:  # all of it or none of it
            found = b.post(f"/subjects/{subject}", json={"schema": text})
            assert found.status_code in (200, 404), found.text
        every_id = set()
        for subject in b.get("/subjects").json():
            versions = b.get(f"/subjects/{subject}/versions").json()
            assert versions == list(range(1, len(versions) + 1))
            for v in versions:
                held = b.get(f"/subjects/{subject}/versions/{v}")
                assert held.status_code == 200, held.text
                every_id.add(held.json()["id"])
                assert b.get(f"/schemas/ids/{held.json()['id']}").status_code == 200
        assert new == max(every_id), "a new schema takes an id above every one given before"
