"""``schemacat serve`` as a team runs it: replicas on one PostgreSQL, one on SQLite.

Setups: one replica on a SQLite file; one replica on a PostgreSQL schema; two replicas on
that same schema, each client keeping to one replica (client i to replica i mod 2, as a
load balancer spreads connections).  The load generator is this process; the servers
are child processes on loopback.  For each number of clients (``--concurrency``,
default 8 and 64), each phase bounded in time:

* ``GET /health``, the reference: a route of the same app that does no catalog work;
* ``GET /schemas/ids/{id}`` over random seeded ids;
* a 90/10 mix: 9 reads in 10 (an id, or a subject's latest version) and 1 registration
  of a new version in the client's own subject.

ratio = the reference's req/s over the phase's.  After each mix, nothing is lost: every
acknowledged registration is looked up through another replica (the other one when
there are two) and must answer the id it was acknowledged with; ids are unique.

``--kill`` adds a last phase to the two-replica setup: the mix, with replica one killed
(SIGKILL) halfway through.  A client whose connection dies counts an error and
reconnects to the next live replica, as a client behind a load balancer retries; the
figures are the errors clients saw and the time from the kill until every client of the
dead replica had an answer again.

Run:  python bench/serve_load.py [--seconds 5] [--concurrency 8 64] [--kill]
      [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).parents[1]))
from bench.serve import MEDIA, Phase, RawClient, avro, cpu_seconds, seed
from tests.conftest import drop_schema
from tests.server.registry import served
from tests.services import start_postgres

#: a phase's next request for client i: method, path, body, and whether it registers
Make = Callable[[int, random.Random], tuple[str, str, bytes, bool]]


@dataclass
class Servers:
    bases: list[str]
    pids: list[int]
    kill: Callable[[int], None]  # replica index -> killed


@dataclass
class Run:
    """What one phase saw besides its latencies."""

    acknowledged: list[tuple[int, str, str, int]] = field(default_factory=list)
    # (replica, subject, schema, id) of every registration answered 200
    errors: list[str] = field(default_factory=list)
    killed_at: float | None = None
    back_at: dict[int, float] = field(default_factory=dict)  # client -> first answer after


async def run_phase(
    name: str, servers: Servers, make: Make, concurrency: int, seconds: float, *,
    kill_halfway: bool = False,
) -> tuple[Phase, Run]:  # fmt: skip
    latencies: list[float] = []
    run = Run()
    alive = list(range(len(servers.bases)))

    async def client(index: int) -> None:
        rng = random.Random(index)
        replica = index % len(servers.bases)
        http = await RawClient.open(servers.bases[replica])
        lost = False
        try:
            while time.perf_counter() < deadline:
                method, path, body, registers = make(index, rng)
                start = time.perf_counter()
                try:
                    status, answer = await http.request(method, path, body)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    run.errors.append(f"replica {replica}: {type(exc).__name__}")
                    lost = True
                    replica = next((r for r in alive if r != replica), alive[0])
                    http = await RawClient.open(servers.bases[replica])
                    continue
                latencies.append(time.perf_counter() - start)
                if lost and index not in run.back_at:
                    run.back_at[index] = time.perf_counter()
                if not 200 <= status < 300:
                    run.errors.append(f"{status} {answer[:200].decode(errors='replace')}")
                elif registers:
                    text = json.loads(body)["schema"]
                    subject = path.split("/")[2]
                    run.acknowledged.append((replica, subject, text, json.loads(answer)["id"]))
        finally:
            await http.close()

    async def killer() -> None:
        await asyncio.sleep(seconds / 2)
        alive.remove(0)
        servers.kill(0)
        run.killed_at = time.perf_counter()

    pids = list(servers.pids)
    cpu, own = sum(map(cpu_seconds, pids)), time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *(client(i) for i in range(concurrency)), *([killer()] if kill_halfway else [])
    )
    elapsed = time.perf_counter() - start
    used = (sum(map(cpu_seconds, pids)) - cpu) / elapsed
    mine = (time.process_time() - own) / elapsed
    phase = Phase(name, len(latencies), len(run.errors), elapsed, latencies, used, mine)
    return phase, run


def nothing_lost(bases: Sequence[str], run: Run) -> str:
    """Every acknowledged registration looked up through another replica than the one
    that acknowledged it: the same id, and ids unique.  A line that says so."""
    ids: dict[int, str] = {}
    clients = [httpx.Client(base_url=b, headers=MEDIA, timeout=30) for b in bases]
    try:
        for replica, subject, text, schema_id in run.acknowledged:
            other = clients[(replica + 1) % len(clients)]
            found = other.post(f"/subjects/{subject}", json={"schema": text})
            if found.status_code != 200 or found.json()["id"] != schema_id:
                return f"LOST: {subject} id {schema_id}: {found.status_code} {found.text[:200]}"
            if ids.setdefault(schema_id, text) != text:
                return f"DUPLICATE id {schema_id}"
    finally:
        for c in clients:
            c.close()
    how = "through the other replica" if len(bases) > 1 else "through the replica"
    return f"all {len(run.acknowledged)} acknowledged registrations read back {how}, ids unique"


async def measure(
    setup: str, servers: Servers, ids: list[int], subjects: list[str], args: argparse.Namespace
) -> None:
    for concurrency in args.concurrency:
        await measure_with(
            setup, servers, ids, subjects, concurrency=concurrency, seconds=args.seconds
        )


async def measure_with(
    setup: str, servers: Servers, ids: list[int], subjects: list[str], *, concurrency: int,
    seconds: float,
) -> None:  # fmt: skip
    made = [0] * concurrency
    tag = uuid.uuid4().hex[:6]

    def health(i: int, rng: random.Random) -> tuple[str, str, bytes, bool]:
        return "GET", "/health", b"", False

    def by_id(i: int, rng: random.Random) -> tuple[str, str, bytes, bool]:
        return "GET", f"/schemas/ids/{rng.choice(ids)}", b"", False

    def mix(i: int, rng: random.Random) -> tuple[str, str, bytes, bool]:
        draw = rng.random()
        if draw < 0.1:
            made[i] += 1
            body = json.dumps({"schema": avro(f"Load{i}", made[i])}).encode()
            return "POST", f"/subjects/load-{tag}-{i}-value/versions", body, True
        if draw < 0.55:
            return by_id(i, rng)
        return "GET", f"/subjects/{rng.choice(subjects)}/versions/latest", b"", False

    await run_phase("warm-up", servers, health, concurrency, 1.0)
    print(f"{setup}, {concurrency} clients:")
    rows, run = [], Run()
    for name, make in [
        ("GET /health (reference)", health),
        ("GET /schemas/ids/{id}", by_id),
        ("90/10 read/write mix", mix),
    ]:
        phase, run = await run_phase(name, servers, make, concurrency, seconds)
        rows.append(phase)
        for message in sorted(set(run.errors))[:5]:
            print(f"  {name}: error {message}")
    report(rows)
    print(f"  {await asyncio.to_thread(nothing_lost, servers.bases, run)}")


async def measure_kill(servers: Servers, ids: list[int], args: argparse.Namespace) -> None:
    concurrency = max(args.concurrency)
    made = [0] * concurrency

    def mix(i: int, rng: random.Random) -> tuple[str, str, bytes, bool]:
        if rng.random() < 0.1:
            made[i] += 1
            body = json.dumps({"schema": avro(f"Kill{i}", made[i])}).encode()
            return "POST", f"/subjects/kill-{i}-value/versions", body, True
        return "GET", f"/schemas/ids/{rng.choice(ids)}", b"", False

    phase, run = await run_phase(
        "mix, replica one killed halfway", servers, mix, concurrency, 2 * args.seconds,
        kill_halfway=True,
    )  # fmt: skip
    print(f"two replicas on PostgreSQL, {concurrency} clients, replica one SIGKILLed halfway:")
    report([phase], reference=None)
    assert run.killed_at is not None
    moved = sum(1 for i in range(concurrency) if i % 2 == 0)
    worst = max((t - run.killed_at for t in run.back_at.values()), default=float("nan"))
    print(
        f"  errors seen by clients: {len(run.errors)} ({sorted(set(run.errors))[:3]}); "
        f"{len(run.back_at)} of the {moved} clients of replica one answered again by "
        f"replica two, the last {worst * 1000:.0f} ms after the kill"
    )
    print(f"  {await asyncio.to_thread(nothing_lost, servers.bases[1:], run)}")


def report(phases: list[Phase], reference: float | None = 0) -> None:
    base = phases[0].rate if reference == 0 else reference
    print(f"  {'':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'server cpu':>10} {'client cpu':>10} {'ratio':>6}")  # fmt: skip
    for p in phases:
        ratio = f"{base / p.rate:6.2f}" if base else f"{'':>6}"
        print(
            f"  {p.name:32} {p.rate:8.0f} {p.percentile(0.5):8.2f} {p.percentile(0.99):8.2f} "
            f"{p.errors:7d} {p.server_cpu:10.0%} {p.client_cpu:10.0%} {ratio}"
        )


def subjects_of(base: str) -> list[str]:
    return list(httpx.get(f"{base}/subjects", timeout=30).json())


def run_setup(setup: str, url: str, replicas: int, args: argparse.Namespace, tmp: Path) -> None:
    with ExitStack() as stack:
        started = [
            stack.enter_context(served(url, log=tmp / f"{setup}-{n}.log")) for n in range(replicas)
        ]
        servers = Servers(
            [base for base, _ in started],
            [process.pid for _, process in started],
            lambda n: started[n][1].kill(),
        )
        ids, _ = seed(servers.bases[0])
        asyncio.run(measure(setup, servers, ids, subjects_of(servers.bases[0]), args))
        if args.kill and replicas == 2:
            asyncio.run(measure_kill(servers, ids, args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 64])
    parser.add_argument("--kill", action="store_true", help="kill a replica mid-load")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if args.backend in ("sqlite", "both"):
            run_setup("one replica on SQLite", f"sqlite:///{tmp / 'c.db'}", 1, args, tmp)
        if args.backend in ("postgres", "both"):
            service = start_postgres(tmp / "pgdata")
            try:
                for replicas in (1, 2):
                    schema = f"bench_load_{uuid.uuid4().hex[:8]}"
                    parts = urlsplit(service.address)
                    query = "&".join(q for q in (parts.query, urlencode({"schema": schema})) if q)
                    url = urlunsplit(parts._replace(query=query))
                    setup = f"{replicas} replica{'s' * (replicas > 1)} on PostgreSQL"
                    try:
                        run_setup(setup, url, replicas, args, tmp)
                    finally:
                        asyncio.run(drop_schema(service.address, schema))
            finally:
                service.stop()


if __name__ == "__main__":
    main()
