"""Statistics stay small whatever the values: min, max and example cut to MAX_TEXT characters."""

from __future__ import annotations

import time

import pyarrow as pa

from catalog.infer.stats import CUT, MAX_TEXT, ColumnStats, column_stats


def test_long_strings_are_cut_and_marked() -> None:
    stats = column_stats(pa.array(["b" * 10_000_000, "a" * 300, None]))
    assert stats.min == "a" * MAX_TEXT + CUT
    assert stats.max == "b" * MAX_TEXT + CUT
    assert stats.example == "b" * MAX_TEXT + CUT
    assert (stats.distinct_count, stats.null_fraction) == (2, round(1 / 3, 6))


def test_short_values_are_kept_as_they_are() -> None:
    stats = column_stats(pa.array([{"a": 1, "b": [1, 2]}]))
    assert stats.example == {"a": 1, "b": [1, 2]}
    assert column_stats(pa.array(["x" * MAX_TEXT])).max == "x" * MAX_TEXT


def test_huge_nested_values_cost_what_their_first_items_do() -> None:
    values = pa.array(range(12_000_000), pa.int64())
    column = pa.ListArray.from_arrays(pa.array([0, 12_000_000], pa.int32()), values)
    start = time.perf_counter()
    stats = column_stats(column)
    assert time.perf_counter() - start < 1
    assert isinstance(stats.example, str) and stats.example.startswith("[0, 1, 2, ")
    assert len(stats.example) == MAX_TEXT + 1 and stats.example.endswith(CUT)
    nested = pa.array([[[["x" * 1000] * 100] * 100]])  # 10,000 strings of 1,000 characters
    assert column_stats(nested).example.endswith(CUT)
    mapped = pa.array([[(f"k{i}", i) for i in range(100_000)]], pa.map_(pa.string(), pa.int64()))
    assert column_stats(mapped).example.startswith('[["k0", 0], ["k1", 1]')
    json_text = pa.array(['{"v": "' + "y" * 5000 + '"}'], pa.json_())
    assert column_stats(json_text).example == ('{"v": "' + "y" * 5000)[:MAX_TEXT] + CUT
    binary = column_stats(pa.array([b"\x00" * 1000]))
    assert len(binary.example) == MAX_TEXT + 1


def test_every_provider_s_statistics_are_capped_and_stay_so() -> None:
    """A provider's own values (pg_stats, a Parquet footer) are cut too; reading back cuts
    nothing more."""
    stats = ColumnStats(0.0, 1, "a" * 1000, "b" * 1000, list(range(1000)))
    assert stats.min == "a" * MAX_TEXT + CUT
    assert isinstance(stats.example, str) and stats.example.endswith(CUT)
    assert ColumnStats.from_json(stats.to_json()) == stats
