"""One more ALTER on a long history under FULL_TRANSITIVE, against the same ALTER on a
short one: what counts is how the check's cost grows with the history, not its
absolute time.

Two streams of 20 columns, one with 10 versions and one with 1,000, each then given
one more version through ``Catalog.alter``, timed over several runs on copies of the
catalog; and SHOW SCHEMA COMPATIBILITY of the long one (every version against every
earlier one).  Prints the medians and the ratio (target: 5x at most), and the ratio
of the same ALTER with no check (compatibility NONE): the floor the check adds to.
Two histories: ``defaults`` (each version changes a column's default: what the rules
read stays alike) and ``columns`` (each version adds a nullable column: every version
differs, and the schemas grow with the history, 20 to 1,019 columns; a third stream
of 10 versions as wide as the long one then tells the history's length from its width).

Run:  python bench/history.py [--versions 1000] [--history defaults|columns] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import pstats
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa

import catalog
from catalog import Field, Schema
from catalog.evolve import AddColumn, SetColumnDefault

COLUMNS = 20
#: each timed ALTER sets a default no other has set, so none finds its schema's texts
#: made by another run (the registration's canonical text is cached by text)
_DEFAULTS = itertools.count(1)


def schema(wider: int = 0) -> Schema:
    """COLUMNS columns, and ``wider`` nullable ones such as ``columns`` histories add."""
    return Schema(
        [Field(f"c{i}", pa.int64(), default=0) for i in range(COLUMNS)]
        + [Field(f"wide{i}", pa.int64(), default=None) for i in range(wider)]
    )


async def build(path: Path, versions: int, history: str, wider: int = 0) -> None:
    async with await catalog.Catalog.open(f"sqlite:///{path}") as cat:
        await cat.create_stream("s", schema(wider), compatibility="NONE")
        for i in range(1, versions):
            if history == "defaults":
                await cat.alter("s", [SetColumnDefault(f"c{i % COLUMNS}", i)])
            else:
                await cat.alter("s", [AddColumn(Field(f"added{i}", pa.int64(), default=None))])
        await cat.set_options("s", {"compatibility": "FULL_TRANSITIVE"})


async def show_compatibility(path: Path) -> float:
    async with await catalog.Catalog.open(f"sqlite:///{path}") as cat:
        start = time.perf_counter()
        await cat.compatibility_history("s")
        return time.perf_counter() - start


async def one_more(path: Path, runs: int, profile: bool, mode: str | None = None) -> float:
    """The median time of one more version, each run on a copy of the catalog; under
    ``mode`` if given (set before the clock starts)."""
    samples = []
    for run in range(runs):
        copy = path.with_name(f"run{run}-{mode or 'kept'}-{path.name}")
        shutil.copy(path, copy)
        async with await catalog.Catalog.open(f"sqlite:///{copy}") as cat:
            if mode is not None:
                await cat.set_options("s", {"compatibility": mode})
            await cat.get_schema("s")  # the catalog open and warm, as in a session
            profiler = cProfile.Profile() if profile else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            await cat.alter("s", [SetColumnDefault("c0", -next(_DEFAULTS))])
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--history", choices=("defaults", "columns"), default="defaults")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        short, long = Path(folder, "short.db"), Path(folder, "long.db")
        await build(short, 10, args.history)
        await build(long, args.versions, args.history)
        few = await one_more(short, args.runs, False)
        many = await one_more(long, args.runs, args.profile)
        bare_few = await one_more(short, args.runs, False, "NONE")
        bare_many = await one_more(long, args.runs, False, "NONE")
        shown = await show_compatibility(long)
        as_wide = 0.0
        if args.history == "columns":
            wide = Path(folder, "wide.db")
            await build(wide, 10, args.history, wider=args.versions - 10)
            as_wide = await one_more(wide, args.runs, False)
    print(f"history of changed {args.history}, FULL_TRANSITIVE")
    print(f"one more version after 10 versions: {few * 1e3:8.1f} ms")
    print(f"one more version after {args.versions:,} versions: {many * 1e3:8.1f} ms")
    print(f"ratio: {many / few:.1f}x (target: 5x at most)")
    print(
        f"the same under NONE (no check, the floor): {bare_few * 1e3:.1f} ms and "
        f"{bare_many * 1e3:.1f} ms, ratio {bare_many / bare_few:.1f}x"
    )
    if as_wide:
        print(
            f"one more version after 10 versions as wide as the long one: {as_wide * 1e3:.1f} "
            f"ms; ratio of the long one to it: {many / as_wide:.1f}x"
        )
    print(f"SHOW SCHEMA COMPATIBILITY of {args.versions:,} versions: {shown * 1e3:8.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
