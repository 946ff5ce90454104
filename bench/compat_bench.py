"""Compatibility check speed: a 200-column schema nested three levels, one change at the bottom.

Prints the median time of a FULL check, of a FULL_TRANSITIVE check against 100
versions, and their ratio to a reference measured in the same run: one walk of
the new schema in Python (``Schema.to_json()``, which visits every field once).
Target: the FULL check under 1 ms.

Run:  python bench/compat_bench.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pyarrow as pa

from catalog import Field, Schema, check_compatibility

LEAVES_PER_STRUCT, STRUCTS_PER_GROUP, GROUPS = 5, 4, 10  # 5 * 4 * 10 = 200 leaf columns
LEAF_TYPES = [pa.int32(), pa.string(), pa.float64(), pa.timestamp("us", "UTC"), pa.bool_()]


def build(extra_leaves: int = 0) -> Schema:
    """The schema; ``extra_leaves`` adds columns with defaults to the very last struct."""
    groups = []
    for g in range(GROUPS):
        structs = []
        for s in range(STRUCTS_PER_GROUP):
            leaves = [pa.field(f"leaf{i}", LEAF_TYPES[i]) for i in range(LEAVES_PER_STRUCT)]
            if g == GROUPS - 1 and s == STRUCTS_PER_GROUP - 1:
                leaves += [
                    Field(f"added{i}", pa.int64(), default=0).to_arrow()
                    for i in range(extra_leaves)
                ]
            structs.append(pa.field(f"struct{s}", pa.struct(leaves)))
        groups.append(Field(f"group{g}", pa.struct(structs)))
    return Schema(groups)


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    old, new = build(0), build(1)
    history = [build(i) for i in range(100)]
    newest = build(100)
    assert check_compatibility(new, old, "FULL").compatible
    assert check_compatibility(newest, history, "FULL_TRANSITIVE").compatible

    reference = median_seconds(new.to_json, 200)
    full = median_seconds(lambda: check_compatibility(new, old, "FULL"), 500)
    transitive = median_seconds(lambda: check_compatibility(newest, history, "FULL_TRANSITIVE"), 20)

    print(f"schema: {GROUPS * STRUCTS_PER_GROUP * LEAVES_PER_STRUCT} leaf columns, 3 levels deep")
    met = "met" if full < 1e-3 else "MISSED"
    print(f"reference, one walk of the schema:    {reference * 1e6:9.1f} us")
    print(
        f"FULL check, one change at the bottom: {full * 1e6:9.1f} us  "
        f"({full / reference:.2f}x reference; target < 1000 us: {met})"
    )
    print(
        f"FULL_TRANSITIVE against 100 versions: {transitive * 1e3:9.2f} ms  "
        f"({transitive / reference:.1f}x reference)"
    )


if __name__ == "__main__":
    main()
