"""Tables without color are drawn with string methods: the very characters rich draws."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from catalog.cli.render import _rich_table, plain_table, print_table
from catalog.result import Result

PIECES = ["a", "b", " ", "x y", "-", "|", "+", "%s", "{}", "\\", "[b]", ":smile:", "é", "Ω",
          "日本", "e\u0301", "😀", "ｱ", "longer-word"]  # fmt: skip


def _value(rnd: random.Random) -> Any:
    roll = rnd.random()
    if roll < 0.1:
        return None
    if roll < 0.15:
        return rnd.random() < 0.5
    if roll < 0.25:
        return rnd.randint(-(10**6), 10**12)
    if roll < 0.3:
        return rnd.random() * 1e5
    if roll < 0.33:
        return datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    if roll < 0.35:
        return date(2024, 1, 2)
    if roll < 0.37:
        return {"a": [1, 2]}
    if roll < 0.39:
        return Decimal("12.30")
    return "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 6)))


def _rich(columns: tuple[str, ...], rows: list[tuple[Any, ...]], width: int) -> str:
    out = io.StringIO()
    _rich_table(columns, rows, out, color=False, width=width)
    return out.getvalue()


@pytest.mark.parametrize("seed", range(5))
def test_plain_tables_are_richs_to_the_byte(seed: int) -> None:
    rnd = random.Random(seed)
    drawn = 0
    for _ in range(400):
        columns = tuple(rnd.choice(["name", "type", "c", "Ωmega", "x y"]) + str(i)
                        for i in range(rnd.randint(1, 6)))  # fmt: skip
        rows = [tuple(_value(rnd) for _ in columns) for _ in range(rnd.randint(0, 6))]
        width = rnd.choice([200, 80, 40, 20])
        plain = plain_table(columns, rows, width)
        if plain is not None:
            drawn += 1
            assert plain == _rich(columns, rows, width), (columns, rows, width)
    assert drawn > 100


@pytest.mark.parametrize(
    ("columns", "rows", "width"),
    [
        (("a", "b"), [("two\nlines", 1)], 200),  # several lines in a cell
        (("a", "b"), [("tab\there", 1)], 200),  # a control character
        (("a", "b"), [("x" * 60, "y" * 60)], 100),  # too wide: rich folds the cells
        (("a[b]", "c"), [(1, 2)], 200),  # rich reads the header as markup
        (("a:smile:", "c"), [(1, 2)], 200),  # and this one as an emoji
        (("a", "b"), [("zero\u200bwidth", 1)], 200),
    ],
)
def test_what_rich_lays_out_otherwise_is_left_to_rich(
    columns: tuple[str, ...], rows: list[tuple[Any, ...]], width: int
) -> None:
    assert plain_table(columns, rows, width) is None
    out = io.StringIO()
    print_table(Result("X", columns, rows), out, width=width)
    assert (
        out.getvalue()
        == _rich(columns, rows, width) + f"({len(rows)} row{'s' * (len(rows) != 1)})\n"
    )


def test_a_table_exactly_as_wide_as_the_width_is_plain() -> None:
    columns, rows = ("a", "b"), [("x" * 10, "y" * 10)]
    assert plain_table(columns, rows, 27) == _rich(columns, rows, 27)
    assert plain_table(columns, rows, 26) is None


def test_ten_thousand_rows_in_the_same_format() -> None:
    columns = ("name", "datasource", "version", "updated_at")
    when = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    rows = [(f"s{i:05d}", None if i % 2 else f"file:///d/{i}.parquet", i % 3 + 1, when)
            for i in range(10_000)]  # fmt: skip
    out = io.StringIO()
    print_table(Result("SHOW STREAMS", columns, rows), out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 10_000 + 5 and lines[-1] == "(10000 rows)"
    assert (
        lines[0] == lines[2] == lines[-2] == "+" + "+".join("-" * n for n in (8, 24, 9, 34)) + "+"
    )
    assert (
        lines[1]
        == "| name   | datasource             | version | updated_at                       |"
    )
    assert (
        lines[3]
        == "| s00000 | file:///d/0.parquet    | 1       | 2024-05-06T07:08:09.123456+00:00 |"
    )
    assert (
        lines[4]
        == "| s00001 | NULL                   | 2       | 2024-05-06T07:08:09.123456+00:00 |"
    )
    head = io.StringIO()
    print_table(Result("SHOW STREAMS", columns, rows[:50]), head)
    assert head.getvalue() == _rich(columns, rows[:50], 200) + "(50 rows)\n"


def test_colored_tables_are_still_drawn_by_rich() -> None:
    out = io.StringIO()
    print_table(Result("X", ("a",), [(None,)]), out, color=True, width=40)
    assert "\x1b[" in out.getvalue() and "+" not in out.getvalue()
