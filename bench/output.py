"""Printing a large result: ``schemacat run -c "SHOW STREAMS"`` over 10,000 streams, into a
file, against a bare Python script printing the same rows as the same table.

The catalog holds 10,000 streams (made through the Python API, ``Catalog.create_stream``,
half of them with a datasource and a format).  Measured, each as a fresh process with
its output to a file, median of several interleaved runs:

- ``schemacat --catalog DB run -c "SHOW STREAMS"``;
- the reference: a bare script that gets the same rows through the Python API
  (``catalog.connect(DB).sql("SHOW STREAMS")``) and prints them with str methods as
  the same ``+---+`` table and ``(10000 rows)`` footer, so that the ratio is what the
  output costs (target: within 4x);
- the same bare script given the rows as JSON, without importing schemacat: what
  Python alone needs to print the table.

Both bare scripts' output is checked to be byte-identical to schemacat's.  The
breakdown shows schemacat starting and printing an empty ``SHOW STREAMS``, the statement
itself in-process, and the table drawn in-process by ``print_table`` against the bare
formatting and against rich (how every table was drawn before).

Run:  python bench/output.py [--streams N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parents[1]))
import catalog
from catalog.cli.render import _rich_table, cell, print_table
from catalog.result import Result

BARE = r"""
import json, sys


def draw(columns, rows):
    texts = [list(columns)] + [["NULL" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(t) for t in column) for column in zip(*texts)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    line = "| " + " | ".join("%-" + str(w) + "s" for w in widths) + " |"
    out = [rule, line % tuple(texts[0]), rule]
    out.extend(line % tuple(row) for row in texts[1:])
    out.append(rule)
    out.append("(%d rows)" % len(rows))
    return "\n".join(out) + "\n"


def main(how, path):
    if how == "--json":
        with open(path) as f:
            doc = json.load(f)
        columns, rows = doc["columns"], doc["rows"]
    else:
        import catalog

        result = catalog.connect(path).sql("SHOW STREAMS")[0]
        columns = result.columns
        rows = [[v.isoformat() if hasattr(v, "isoformat") else v for v in row]
                for row in result.rows]
    sys.stdout.write(draw(columns, rows))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
"""


async def make_catalog(path: Path, streams: int) -> None:
    schema = catalog.Schema.from_arrow(
        pa.schema(
            [
                pa.field("id", pa.int64(), nullable=False),
                pa.field("customer", pa.string()),
                pa.field("amount", pa.decimal128(12, 2)),
                pa.field("placed_at", pa.timestamp("us", "UTC")),
            ]
        )
    )
    async with await catalog.Catalog.open(str(path)) as cat:
        for i in range(streams):
            located = i % 2 == 1
            await cat.create_stream(
                f"orders_{i:05d}",
                schema,
                datasource=f"file:///data/orders/region_{i % 7}/*.parquet" if located else None,
                format="parquet" if located else None,
                compatibility="BACKWARD",
                validate=False,
            )


async def show_streams(path: Path) -> tuple[Result, float]:
    async with await catalog.Catalog.open(str(path)) as cat:
        start = time.perf_counter()
        result = (await cat.execute("SHOW STREAMS"))[0]
        return result, time.perf_counter() - start


def timed_process(command: list[str], output: Path) -> float:
    with output.open("w") as out:
        start = time.perf_counter()
        subprocess.run(command, stdout=out, check=True)
        return time.perf_counter() - start


def median_of(runs: int, commands: dict[str, tuple[list[str], Path]]) -> dict[str, float]:
    """The median wall time of each command, the runs interleaved."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, output) in commands.items():
            samples[name].append(timed_process(command, output))
    return {name: statistics.median(times) for name, times in samples.items()}


def best_in_process(runs: int, draw: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        draw()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--streams", type=int, default=10_000, help="streams in the catalog")
    parser.add_argument("--runs", type=int, default=7, help="runs of each process")
    args = parser.parse_args()
    script = shutil.which("schemacat") or str(Path(sys.executable).with_name("schemacat"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db, empty, rows_file = folder / "big.db", folder / "empty.db", folder / "rows.json"
        start = time.perf_counter()
        asyncio.run(make_catalog(db, args.streams))
        asyncio.run(make_catalog(empty, 0))
        made = time.perf_counter() - start
        result, statement = asyncio.run(show_streams(db))
        rows = [[None if v is None else cell(v) for v in row] for row in result.rows]
        rows_file.write_text(json.dumps({"columns": result.columns, "rows": rows}))
        bare = folder / "bare.py"
        bare.write_text(BARE)
        show = ["run", "-c", "SHOW STREAMS"]
        commands = {
            "schemacat": ([script, "--catalog", str(db), *show], folder / "ours.txt"),
            "api": ([sys.executable, str(bare), "--catalog", str(db)], folder / "api.txt"),
            "json": ([sys.executable, str(bare), "--json", str(rows_file)], folder / "json.txt"),
            "empty": ([script, "--catalog", str(empty), *show], folder / "empty.txt"),
        }
        times = median_of(args.runs, commands)
        printed = {name: output.read_bytes() for name, (_, output) in commands.items()}
        same = printed["schemacat"] == printed["api"] == printed["json"]
        drawn = best_in_process(args.runs, lambda: print_table(result, io.StringIO()))
        namespace: dict[str, Callable[..., str]] = {}
        exec(BARE, namespace)  # the bare formatting alone, in this process
        formatted = best_in_process(args.runs, lambda: namespace["draw"](result.columns, rows))
        width = 200

        def rich() -> None:
            _rich_table(result.columns, result.rows, io.StringIO(), color=False, width=width)

        before = best_in_process(1, rich)
    ours, api, bare_json = times["schemacat"], times["api"], times["json"]
    print(f"streams:                                 {len(result.rows)} (made in {made:.1f} s)")
    print(f"output byte-identical in all three:      {'yes' if same else 'NO'}")
    print(f"schemacat run -c 'SHOW STREAMS' > file:  {ours * 1000:8.1f} ms")
    print(f"bare script, rows from the Python API:   {api * 1000:8.1f} ms")
    print(f"bare script, rows from JSON (no import): {bare_json * 1000:8.1f} ms")
    print(f"ratio (schemacat / bare, Python API):    {ours / api:8.1f}x   target < 4x")
    print(f"ratio (schemacat / bare, JSON):          {ours / bare_json:8.1f}x")
    print("breakdown:")
    print(f"  schemacat, an empty SHOW STREAMS:      {times['empty'] * 1000:8.1f} ms")
    print(f"  SHOW STREAMS in-process, no output:    {statement * 1000:8.1f} ms")
    print(f"  print_table in-process:                {drawn * 1000:8.1f} ms")
    print(f"  bare formatting in-process:            {formatted * 1000:8.1f} ms")
    print(f"  rich, as tables were drawn before:     {before * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
