"""Hostile files through ``schemacat``: each ends in a right discovery, or in a clear error that
names the file and says what is wrong and what to do; never an internal error, and never a cost
that grows with the file rather than with the sample."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from catalog.cli.main import main
from catalog.discover import clear_cache

MB = 1 << 20


def _huge(path: Path, unit: bytes, start: bytes = b"", size: int = 500 * MB) -> Path:
    """A file of ``size`` bytes: ``start``, ``unit`` repeated to 8 MB, then a sparse rest
    (zeros, written in no time)."""
    with path.open("wb") as f:
        f.write(start + unit * (8 * MB // len(unit)))
        f.truncate(size)
    return path


def _ndjson(records: list[Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _csv_gz() -> bytes:
    return gzip.compress(b"a,b\n" + b"1,2\n" * 5000)


def _zst() -> bytes:
    return zstandard.ZstdCompressor().compress(b'{"a": 1}\n' * 5000)


def _loop(path: Path) -> Path:
    os.symlink(path.name, path)
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _parquet_with_bad_statistics(path: Path) -> Path:
    """A Parquet file whose footer gives a string column a minimum that is no UTF-8."""
    buffer = io.BytesIO()
    pq.write_table(pa.table({"s": ["aaaa", "zzzz"]}), buffer, compression="none")
    return _write(path, buffer.getvalue().replace(b"aaaa", b"\xff\xfe\xfd\xfc"))


def _dangling(path: Path) -> Path:
    os.symlink(path.parent / "gone.csv", path)
    return path


DEEP = b"[" * 100_000 + b"]" * 100_000
GOOD = [{"a": i} for i in range(999)]

# (what, the file, the error's words, or the discovery's columns with its sampled and malformed)
Make = Callable[[Path], Path]
ERRORS: list[tuple[str, Make, list[str]]] = [
    ("a 500 MB line of text, no extension", lambda d: _huge(d / "blob", b"abcdefgh"), ["the first line of", "longer than the 4194304 bytes read", "format=text"]),
    ("a 500 MB JSON string, no extension", lambda d: _huge(d / "blob", b"x", b'{"a": "'), ["the first JSON value in", "format=json"]),
    ("random bytes, no extension", lambda d: _write(d / "blob", os.urandom(MB)), ["is binary data", "NUL bytes"]),
    ("zeros, no extension", lambda d: _huge(d / "blob", b"\x00"), ["is binary data"]),
    ("gzip without .gz", lambda d: _write(d / "blob", _csv_gz()), ["is compressed, but its name does not say so", "blob.gz"]),
    ("a FIFO", lambda d: _fifo(d / "fifo.csv"), ["fifo.csv is a FIFO, not a regular file"]),
    ("a symbolic link loop", lambda d: _loop(d / "loop.csv"), ["loop.csv is a symbolic link loop"]),
    ("a link to nothing", lambda d: _dangling(d / "dangling.csv"), ["dangling.csv is a symbolic link to", "which does not exist"]),
    ("a device", lambda d: Path("/dev/zero"), ["/dev/zero is a character device, not a regular file"]),
    ("a 3 MB CSV line", lambda d: _write(d / "long.csv", b"a,b\n1," + b"x" * (3 * MB) + b"\n2,3\n"), ["long.csv could not be read as CSV", "Maximum line size of 2000000 bytes exceeded", "Actual Size:3145731", "max_line_size = 3145733"]),
    ("a corrupt .csv.gz", lambda d: _write(d / "c.csv.gz", _csv_gz()[:20] + b"\xff" * 64 + _csv_gz()[84:]), ["c.csv.gz is not readable gzip data", "corrupt or truncated", "gzip -t"]),
    ("a truncated .csv.gz", lambda d: _write(d / "t.csv.gz", _csv_gz()[:-40]), ["t.csv.gz is not readable gzip data", "ended before the end-of-stream"]),
    ("a .csv.gz that is not gzip", lambda d: _write(d / "p.csv.gz", b"a,b\n1,2\n"), ["p.csv.gz is not readable gzip data", "rename it"]),
    ("a corrupt .ndjson.zst", lambda d: _write(d / "c.ndjson.zst", _zst()[:12] + b"\xff" * 32 + _zst()[44:]), ["c.ndjson.zst is not readable zstd data", "zstd -t"]),
    ("a truncated .ndjson.zst", lambda d: _write(d / "t.ndjson.zst", _zst()[:-4]), ["t.ndjson.zst is not readable zstd data", "ends inside a frame"]),
    ("a .ndjson.zst with junk after its frame", lambda d: _write(d / "j.ndjson.zst", _zst() + b"junk"), ["j.ndjson.zst is not readable zstd data"]),
    ("100,000 nested arrays", lambda d: _write(d / "deep.json", DEEP), ["every record sampled from", "deep.json", "nested too deeply"]),
    ("100,000 nested arrays a line", lambda d: _write(d / "deep.ndjson", (b'{"a": ' + DEEP + b"}\n") * 3), ["deep.ndjson", "nested too deeply"]),
    ("every line malformed", lambda d: _write(d / "bad.ndjson", b"{nope\n" * 1000), ["every record sampled from", "bad.ndjson", "line 1"]),
]  # fmt: skip

FOUND: list[tuple[str, Make, dict[str, str], int, int]] = [
    ("the first line malformed", lambda d: _write(d / "f.ndjson", b'{"a": 1,\n' + _ndjson(GOOD)), {"a": "BIGINT"}, 999, 1),
    ("every other line malformed", lambda d: _write(d / "o.ndjson", b"".join(b"garbage\n" + json.dumps(r).encode() + b"\n" for r in GOOD[:500])), {"a": "BIGINT"}, 500, 500),
    ("a deep line among good ones", lambda d: _write(d / "d.ndjson", _ndjson(GOOD[:10]) + b'{"a": ' + DEEP + b"}\n"), {"a": "BIGINT"}, 10, 1),
    ("100,000 distinct keys", lambda d: _write(d / "k.ndjson", _ndjson([{f"k{j}_{i}": i for i in range(100)} for j in range(1000)])), {"json": "MAP(VARCHAR, BIGINT)"}, 1000, 0),
    ("100,000 keys in one record", lambda d: _write(d / "w.ndjson", _ndjson([{f"k{i}": i for i in range(100_000)}])), {"json": "MAP(VARCHAR, BIGINT)"}, 1, 0),
    ("5,000 keys of mixed types", lambda d: _write(d / "m.ndjson", _ndjson([{"m": {f"k{i}": i if i % 2 else "s" for i in range(5000)}}])), {"m": "MAP(VARCHAR, JSON)"}, 1, 0),
    ("narrow lines, then wide ones", lambda d: _write(d / "n.ndjson", _ndjson([{"id": i, "pad": "x" * 300} for i in range(100)] + [{f"k{j}_{i}": i for i in range(100)} for j in range(900)])), {"json": "MAP(VARCHAR, JSON)"}, 1000, 0),
    ("a Parquet footer with a minimum that is no UTF-8", lambda d: _parquet_with_bad_statistics(d / "s.parquet"), {"s": "VARCHAR"}, 2, 0),
    ("a truncated .zst whose sample ends before the cut", lambda d: _write(d / "big.ndjson.zst", zstandard.ZstdCompressor().compress(b'{"a": 1}\n' * 100_000)[:-8]), {"a": "BIGINT"}, 1000, 0),
]  # fmt: skip


@pytest.mark.parametrize(("what", "make", "words"), ERRORS, ids=[c[0] for c in ERRORS])
def test_a_hostile_file_is_a_clear_error(
    what: str, make: Make, words: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(make(tmp_path))
    clear_cache()
    assert main(["discover", path]) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    assert path in err or Path(path).name in err
    for word in words:
        assert word in err, err
    db = str(tmp_path / "c.db")
    statement = f"CREATE STREAM s WITH (datasource = '{path}')"
    assert main(["--catalog", db, "run", "-c", statement]) == 1
    again = capsys.readouterr().err
    assert "internal error" not in again and words[0] in again


@pytest.mark.parametrize(
    ("what", "make", "columns", "sampled", "malformed"), FOUND, ids=[c[0] for c in FOUND]
)
def test_a_hostile_file_is_discovered_right(
    what: str,
    make: Make,
    columns: dict[str, str],
    sampled: int,
    malformed: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(make(tmp_path))
    clear_cache()
    assert main(["discover", path, "--format", "json"]) == 0, capsys.readouterr().err
    found = json.loads(capsys.readouterr().out)
    assert {c["name"]: c["type"] for c in found["columns"]} == columns
    assert (found["sampled"], found["malformed"]) == (sampled, malformed)


def test_a_long_csv_line_reads_with_max_line_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "long.csv", b"a,b\n1," + b"x" * (3 * MB) + b"\n2,3\n")
    db = str(tmp_path / "c.db")
    statement = f"CREATE STREAM s WITH (datasource = '{path}', max_line_size = 4000000)"
    assert main(["--catalog", db, "run", "-c", statement]) == 0, capsys.readouterr().err
    assert main(["--catalog", db, "run", "-c", "DESCRIBE s", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out.splitlines()[-1])["rows"]
    assert [(r["column"], r["type"]) for r in rows] == [("a", "BIGINT"), ("b", "VARCHAR")]


def test_globs_and_folders_do_not_follow_link_loops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two links to the folder itself would make 2**40 paths for glob.glob's ``**``."""
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "one.csv").write_bytes(b"a,b\n1,2\n")
    for name in ("self", "again"):
        os.symlink(".", folder / name)
    os.symlink("one.csv", folder / "alias.csv")  # the same file by a second name
    for uri in (f"{folder}/**/*.csv", f"{folder}/*.csv", str(folder), f"{folder}/**"):
        clear_cache()
        assert main(["discover", uri, "--format", "json"]) == 0, capsys.readouterr().err
        assert json.loads(capsys.readouterr().out)["sampled"] == 1, uri


def test_statistics_of_huge_values_stay_small(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 20 MB string and a 2,000,000-item array grow the catalog by kilobytes."""
    records = [{"s": "x" * (20 * MB), "a": list(range(2_000_000)), "m": {"k": "y" * MB}}]
    path = _write(tmp_path / "big.ndjson", _ndjson([*records, {"s": "z", "a": [], "m": {}}]))
    db = tmp_path / "c.db"
    assert main(["--catalog", str(db), "run", "-c", "CREATE STREAM x (id BIGINT)"]) == 0
    before = db.stat().st_size
    statement = f"CREATE STREAM s WITH (datasource = '{path}')"
    assert main(["--catalog", str(db), "run", "-c", statement]) == 0, capsys.readouterr().err
    assert db.stat().st_size - before < 64 << 10
    capsys.readouterr()
    assert main(["--catalog", str(db), "run", "-c", "DESCRIBE EXTENDED s", "--format", "json"]) == 0
    rows = {r["column"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert rows["s"]["min"] == "x" * 200 + "…" and rows["s"]["max"] == "z"
    assert rows["a"]["example"].startswith("[0, 1, 2") and rows["a"]["example"].endswith("…")
    assert len(rows["m"]["example"]) == 201


def _measured(*argv: str) -> dict[str, Any]:
    """``schemacat *argv`` run as a user runs it, with its peak RSS in MB and its seconds."""
    script = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run([sys.executable, '-m', 'catalog', *sys.argv[1:]],"
        " capture_output=True, text=True)\n"
        "print(json.dumps({'code': done.returncode, 'err': done.stderr,"
        " 'seconds': time.perf_counter() - start,"
        " 'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout))


@pytest.mark.parametrize(
    ("what", "make", "code"),
    [
        ("500 MB of one line", lambda d: _huge(d / "blob", b"abcdefgh"), 1),
        ("500 MB of CSV", lambda d: _huge(d / "blob", b"1,2\n"), 0),
        ("100,000 distinct keys", FOUND[3][1], 0),
        ("100,000 keys in one record", FOUND[4][1], 0),
        ("narrow lines, then wide ones", FOUND[6][1], 0),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_memory_and_time_follow_the_sample(
    what: str, make: Make, code: int, tmp_path: Path
) -> None:
    path = str(make(tmp_path))
    statement = f"CREATE STREAM s WITH (datasource = '{path}')"
    run = _measured("--catalog", str(tmp_path / "c.db"), "run", "-c", statement)
    assert run["code"] == code, run["err"]
    assert "internal error" not in run["err"]
    assert run["rss"] < 300, run  # MB: Python, pyarrow and DuckDB take ~100 of them
    assert run["seconds"] < 5, run
