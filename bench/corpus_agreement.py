"""Discovery quality on DuckDB's own inference test files: how many columns agree with DuckDB.

Reads ``../shared/corpus/duckdb/manifest.json`` (or $SCHEMACAT_CORPUS), discovers
every file with the sample size DuckDB used (20480), and prints per file the
columns whose name or type differ from DuckDB's, then the totals.  A crash is
reported as such; the script exits 1 if any file crashed.

Run:  python bench/corpus_agreement.py
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import catalog
from catalog.errors import SchemacatError

CORPUS = Path(
    os.environ.get("SCHEMACAT_CORPUS", Path(__file__).parents[2] / "shared/corpus/duckdb")
)
DUCKDB_SAMPLE_SIZE = 20480


async def main() -> int:
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    agree = total = crashed = refused = 0
    for entry in manifest["files"]:
        path = CORPUS / entry["path"]
        expected = [(c["name"], c["type"]) for c in entry["duckdb_columns"]]
        total += len(expected)
        try:
            found = await catalog.discover_schema(str(path), sample_size=DUCKDB_SAMPLE_SIZE)
        except SchemacatError as exc:
            refused += 1
            print(f"REFUSED {entry['path']}: {exc.code}: {exc.message}")
            continue
        except Exception as exc:  # the point of this script is to catch these
            crashed += 1
            print(f"CRASH   {entry['path']}: {type(exc).__name__}: {exc}")
            continue
        ours = [(f.name, f.sql_type) for f in found]
        same = sum(1 for a, b in zip(ours, expected, strict=False) if a == b)
        agree += same if len(ours) == len(expected) else 0
        if ours != expected:
            print(f"DIFFER  {entry['path']} ({entry['properties']})")
            for (name, dtype), (ename, etype) in zip(ours, expected, strict=False):
                if (name, dtype) != (ename, etype):
                    print(f"          ours {name} {dtype}  duckdb {ename} {etype}")
            if len(ours) != len(expected):
                print(f"          ours {len(ours)} columns, duckdb {len(expected)}")
    print(
        f"\n{len(manifest['files'])} files, {total} columns: {agree} agree with DuckDB "
        f"({agree / total:.1%}); {refused} files refused with an error, {crashed} crashed"
    )
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
