"""Four processes open a new catalog and register 50 versions each of one stream at once.

The result must be versions 1..200: no error, no gap, no duplicate.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
from typing import Any

import pyarrow as pa
import pytest

from catalog.errors import StreamExists
from catalog.schema import Field, Schema
from catalog.store import NewVersion, StreamSpec, open_store

WRITERS, VERSIONS_EACH = 4, 50


async def _register_many(url: str, writer: int, start: Any) -> list[int]:
    store = await open_store(url)
    got = []
    try:
        start.wait()
        for step in range(VERSIONS_EACH):
            schema = Schema([Field("id", pa.int64(), comment=f"writer {writer} step {step}")])
            version = NewVersion(schema, "altered")
            try:
                registered = await store.create_stream(StreamSpec("hot"), version)
            except StreamExists:
                registered, created = await store.add_version("hot", version)
                assert created
            got.append(registered.version)
    finally:
        await store.close()
    return got


def _writer(url: str, writer: int, start: Any, results: Any) -> None:
    try:
        results.put((writer, asyncio.run(_register_many(url, writer, start))))
    except BaseException as exc:
        results.put((writer, repr(exc)))


@pytest.mark.slow
async def test_four_processes_register_200_versions(catalog_url: str) -> None:
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(catalog_url, w, start, results)) for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    start.set()
    outcomes = dict(await asyncio.to_thread(lambda: [results.get(timeout=240) for _ in procs]))
    for p in procs:
        p.join(timeout=30)
    errors = {w: out for w, out in outcomes.items() if isinstance(out, str)}
    assert not errors, errors
    numbers = sorted(n for out in outcomes.values() for n in out)
    assert numbers == list(range(1, WRITERS * VERSIONS_EACH + 1))
    store = await open_store(catalog_url)
    try:
        versions = await store.list_versions("hot")
        assert [v.version for v in versions] == list(range(1, 201))
        assert len({v.fingerprint for v in versions}) == 200
        assert (await store.get_stream("hot")).latest_version == 200
    finally:
        await store.close()


OPENERS, NEW_FILES = 8, 10


def _open_new_catalogs(paths: list[str], barrier: Any, results: Any) -> None:
    async def open_each() -> None:
        for path in paths:
            barrier.wait(timeout=60)  # every process opens the same new file at once
            store = await open_store(f"sqlite:///{path}")
            await store.close()

    try:
        asyncio.run(open_each())
        results.put(None)
    except BaseException as exc:
        barrier.abort()  # the others stop waiting for this process
        results.put(repr(exc))


@pytest.mark.slow
async def test_processes_open_a_new_sqlite_catalog_at_once(tmp_path: Any) -> None:
    """Switching a new file to WAL is not covered by SQLite's busy timeout; the
    store must wait, not fail with 'database is locked'."""
    paths = [str(tmp_path / f"new{i}.db") for i in range(NEW_FILES)]
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(OPENERS), ctx.Queue()
    procs = [
        ctx.Process(target=_open_new_catalogs, args=(paths, barrier, results), daemon=True)
        for _ in range(OPENERS)
    ]
    for p in procs:
        p.start()
    outcomes = await asyncio.to_thread(lambda: [results.get(timeout=120) for _ in procs])
    for p in procs:
        p.join(timeout=30)
    assert [o for o in outcomes if o is not None] == []
