"""Listing a folder of files: µs of Python per file, against pyarrow's listing of the same folder.

A folder of 10,000 small Parquet files (one file's bytes written 10,000 times, in
100 ``key=value`` sub-folders, with a hidden file and a ``_SUCCESS`` marker beside
them).  Measured: ``providers.files.local.files`` (the walk: hidden files left out,
each file once, its size) and ``providers.files.groups.choose`` (which files are
data, of one format), the listing a discovery does before it reads a single file;
the partition folders read from each name (``hive_partitions``) are shown beside it.
The reference, measured in the same run on the same folder, is
``pyarrow.fs.LocalFileSystem().get_file_info(FileSelector(folder, recursive=True))``.
Each is the best of several interleaved runs (the folder stays in the OS cache).  Target: under
10 µs a file.

Run:  python bench/file_listing.py [--files N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parents[1]))
from providers.files.groups import choose
from providers.files.hive import hive_partitions
from providers.files.local import files

RUNS = 9
FOLDERS = 100


def make_folder(root: Path, count: int) -> None:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]}), buffer)
    body = buffer.getvalue()
    for f in range(FOLDERS):
        (root / f"day={f:03d}").mkdir()
    for i in range(count):
        (root / f"day={i % FOLDERS:03d}" / f"part-{i:05d}.parquet").write_bytes(body)
    (root / "_SUCCESS").write_bytes(b"")
    (root / ".hidden.parquet").write_bytes(body)


def best(runs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """The shortest of ``RUNS`` timings of each, the runs interleaved (a slower moment of
    the machine falls on all of them)."""
    times = {name: float("inf") for name in runs}
    for _ in range(RUNS):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name] = min(times[name], time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=10_000, help="files in the folder")
    parser.add_argument("--profile", action="store_true", help="print the top 25 functions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_folder(root, args.files)
        uri = str(root)
        blobs, base = files(uri)
        assert len(blobs) == args.files, len(blobs)
        assert len(choose(blobs, "auto", base, uri).read) == args.files
        local = pafs.LocalFileSystem()
        selector = pafs.FileSelector(uri, recursive=True)

        def walk() -> object:
            return files(uri)

        def listing() -> object:
            found, where = files(uri)
            return choose(found, "auto", where, uri)

        names = [blob.name for blob in blobs]
        timed = best(
            {
                "reference": lambda: local.get_file_info(selector),
                "walk": walk,
                "listing": listing,
                "hive": lambda: [hive_partitions(name, base) for name in names],
            }
        )
        reference, walked, ours = timed["reference"], timed["walk"], timed["listing"]
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(listing)
    n = args.files
    print(f"files listed:                         {n} ({FOLDERS} folders, Parquet)")
    print(f"pyarrow get_file_info (reference):    {reference / n * 1e6:7.2f} µs a file")
    print(f"schemacat files() + choose():         {ours / n * 1e6:7.2f} µs a file")
    print(f"  of which the walk, files():         {walked / n * 1e6:7.2f} µs a file")
    print(f"  of which grouping, choose():        {max(ours - walked, 0) / n * 1e6:7.2f} µs a file")
    print(f"partition folders, hive_partitions(): {timed['hive'] / n * 1e6:7.2f} µs a file")
    print(f"ratio (schemacat / pyarrow):          {ours / reference:7.1f}x")
    if args.profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
