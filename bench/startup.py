"""How fast the command line starts: ``schemacat --version`` against ``python -c pass``.

Target: ``schemacat --version`` in under 0.3 s.  The reference, measured in the
same run, is the interpreter starting and doing nothing; the difference is what
schemacat itself costs.  ``import catalog`` and ``schemacat --help`` (which
loads every command's parser) are shown too.

Run:  python bench/startup.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15


def median_seconds(command: list[str]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    script = shutil.which("schemacat") or str(Path(sys.executable).with_name("schemacat"))
    reference = median_seconds([sys.executable, "-c", "pass"])
    version = median_seconds([script, "--version"])
    imported = median_seconds([sys.executable, "-c", "import catalog"])
    helped = median_seconds([script, "--help"])
    print(f"python -c pass (reference):  {reference * 1000:7.1f} ms")
    print(
        f"schemacat --version:         {version * 1000:7.1f} ms  "
        f"({version / reference:.2f}x reference; target < 300 ms: "
        f"{'met' if version < 0.3 else 'MISSED'})"
    )
    print(f"python -c 'import catalog':  {imported * 1000:7.1f} ms  ({imported / reference:.2f}x)")
    print(f"schemacat --help:            {helped * 1000:7.1f} ms  ({helped / reference:.2f}x)")


if __name__ == "__main__":
    main()
