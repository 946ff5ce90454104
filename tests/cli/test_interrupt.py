"""Ctrl-C at any moment: a statement either completes (and is reported) before the
interrupt is seen, or changes nothing.  ``schemacat run`` is interrupted at many points
of a script of discoveries and ALTERs on both catalog backends; the Python API's task is
cancelled at many points of one statement."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from catalog import Catalog
from tests.cli.process import schemacat

CARS = Path(__file__).parents[2] / "sql_examples" / "data" / "cars.ndjson"
REPORTED = re.compile(r"^stream (\w+): version (\d+)")
STREAMS = 40  # each a discovery and an ALTER: two commits
TRIALS = 8


def statements(prefix: str) -> str:
    return "".join(
        f"CREATE STREAM {prefix}{i} WITH (datasource = '{CARS}');\n"
        f"ALTER STREAM {prefix}{i} ADD COLUMN extra INT;\n"
        for i in range(STREAMS)
    )


def start(url: str, script: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "catalog", "--catalog", url, "run", str(script), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def first_line(proc: subprocess.Popen[str]) -> str:
    """The first line the run prints, read a byte at a time: a buffered read would take
    lines that ``communicate`` (which reads the pipe itself) then never sees."""
    assert proc.stdout is not None
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(proc.stdout.fileno(), 1)
        assert byte, "the run printed nothing"
        line += byte
    return line.decode()


def reported(stdout: str) -> dict[str, int]:
    """The latest version each stream was reported at."""
    versions: dict[str, int] = {}
    for line in stdout.splitlines():
        match = REPORTED.match(json.loads(line)["message"] or "")
        if match:
            versions[match[1]] = max(versions.get(match[1], 0), int(match[2]))
    return versions


def registered(url: str, prefix: str) -> dict[str, int]:
    out = schemacat("--catalog", url, "run", "-c", "SHOW STREAMS", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    return {r["name"]: r["version"] for r in rows if r["name"].startswith(prefix)}


def test_ctrl_c_at_any_moment_of_a_run(catalog_url: str, tmp_path: Path) -> None:
    whole = tmp_path / "whole.sql"
    whole.write_text(statements("w"))
    proc = start(catalog_url, whole)
    first_line(proc)
    began = time.monotonic()
    out, err = proc.communicate(timeout=120)
    duration = time.monotonic() - began
    assert proc.returncode == 0, err
    assert registered(catalog_url, "w") == {f"w{i}": 2 for i in range(STREAMS)}

    outcomes = []
    for trial in range(TRIALS):
        prefix = f"t{trial}_"
        script = tmp_path / f"{prefix}.sql"
        script.write_text(statements(prefix))
        proc = start(catalog_url, script)
        first = first_line(proc)
        time.sleep(duration * trial / TRIALS)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        out = first + out
        assert "internal error" not in err and "Traceback" not in err, err
        if "interrupted" in err:
            assert proc.returncode == 130
            assert "the statement running then changed nothing" in err
        else:  # the interrupt came after the last statement began its commit, or at exit
            assert proc.returncode in (0, 130, -signal.SIGINT), err
            assert len(reported(out)) == STREAMS
        assert registered(catalog_url, prefix) == reported(out), (trial, err)
        outcomes.append(len(reported(out)))
    assert min(outcomes) < STREAMS, "no trial interrupted the run: the script is too short"


async def test_cancel_at_any_moment_of_a_statement(catalog_url: str) -> None:
    """The task running ``execute`` is cancelled after n turns of the event loop, for n
    from 0 until a statement completes uncancelled; each time, the stream exists if and
    only if ``execute`` returned."""
    async with await Catalog.open(catalog_url) as catalog:
        turns = 0
        while True:
            name = f"c{turns}"
            task = asyncio.create_task(
                catalog.execute(f"CREATE STREAM {name} WITH (datasource = '{CARS}')")
            )
            for _ in range(turns):
                await asyncio.sleep(0)
            cancelled = task.cancel()
            try:
                await task
                returned = True
            except asyncio.CancelledError:
                returned = False
            assert (name in {s.name for s in await catalog.streams()}) == returned, turns
            if returned and not cancelled:
                break
            turns += 1
        assert turns > 5  # the statement had many points to be interrupted at


def test_an_interrupted_run_leaves_a_catalog_that_works(tmp_path: Path) -> None:
    url = str(tmp_path / "c.db")
    script = tmp_path / "s.sql"
    script.write_text(statements("s"))
    proc = start(url, script)
    first_line(proc)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    again = schemacat("--catalog", url, "run", str(script), "--continue-on-error")
    assert again.returncode == 1  # the streams created before the interrupt exist
    assert "already exists" in again.stderr
    assert len(registered(url, "s")) == STREAMS
