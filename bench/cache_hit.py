"""A cached ``discover_schema`` call: median time per hit (target under 20 us).

The reference, measured in the same run, is awaiting a coroutine that returns
a value from a dict: the least any async lookup costs.

Run:  python bench/cache_hit.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import catalog

CALLS = 20_000


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.ndjson"
        path.write_text("".join(f'{{"id": {i}, "name": "n{i}"}}\n' for i in range(100)))
        uri = str(path)
        await catalog.discover_schema(uri, sample_size=100)  # the one miss
        table = {uri: 1}

        async def reference() -> int:
            return table[uri]

        async def timed(call: object) -> float:
            samples = []
            for _ in range(CALLS):
                start = time.perf_counter()
                await call()  # type: ignore[operator]
                samples.append(time.perf_counter() - start)
            return statistics.median(samples)

        hit = await timed(lambda: catalog.discover_schema(uri, sample_size=100))
        floor = await timed(reference)
        info = catalog.cache_info()
    print(f"reference (await a dict lookup): {floor * 1e6:6.2f} us")
    print(
        f"cached discover_schema hit:      {hit * 1e6:6.2f} us   "
        f"({hit / floor:.1f}x reference; target < 20 us: {'met' if hit < 20e-6 else 'MISSED'})"
    )
    print(f"cache: {info['hits']} hits, {info['misses']} misses")


if __name__ == "__main__":
    asyncio.run(main())
