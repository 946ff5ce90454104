"""Printing results: tables for people, JSON lines and CSV for programs."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TextIO

from catalog.result import Result
from catalog.secrets import redact_text
from catalog.words import counted

FORMATS = ("table", "json", "csv")


def use_color(out: TextIO) -> bool:
    """Color only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return out.isatty() and not os.environ.get("NO_COLOR")


def cell(value: Any) -> str:
    """A value as text in a table or CSV cell."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


_CELLS: dict[type, Any] = {  # ``cell`` of the common types, looked up by type
    str: str,
    int: str,
    float: repr,
    bool: lambda value: "true" if value else "false",
    type(None): lambda _: "NULL",
    datetime: datetime.isoformat,
    date: date.isoformat,
    time: time.isoformat,
}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def to_json_line(result: Result) -> str:
    """One JSON object: statement, columns, rows (as objects) and message."""
    rows = [{k: _json_value(v) for k, v in row.items()} for row in result.to_dicts()]
    doc = {
        "statement": result.statement,
        "columns": list(result.columns),
        "rows": rows,
        "message": redact_text(result.message) if result.message else None,
    }
    return json.dumps(doc, ensure_ascii=False, default=str)


def to_csv(result: Result) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([["" if v is None else cell(v) for v in row] for row in result.rows])
    return out.getvalue()


def print_result(result: Result, fmt: str, out: TextIO, *, color: bool = False) -> None:
    if fmt == "json":
        out.write(to_json_line(result) + "\n")
    elif fmt == "csv":
        if result.columns:
            out.write(to_csv(result))
        elif result.message:
            out.write(redact_text(result.message) + "\n")
    else:
        print_table(result, out, color=color)


def print_table(
    result: Result,
    out: TextIO,
    *,
    color: bool = False,
    limit: int | None = None,
    width: int | None = None,
) -> None:
    """A table (or the message of a statement without rows), cut after ``limit`` rows,
    ``width`` characters wide at most (the terminal's, else 200).

    Without color (a file, a pipe) the table is drawn with plain string methods, the
    very characters rich draws, when rich would not fold a cell: every cell on one line,
    the table no wider than ``width``.  rich measures every cell several times (10,000
    rows took seconds); this takes a few ms.  Otherwise rich draws it."""
    if not result.columns:
        if result.message:
            out.write(redact_text(result.message) + "\n")
        return
    width = width or _width(out)
    shown = result.rows if limit is None else result.rows[:limit]
    plain = None if color or width is None else plain_table(result.columns, shown, width)
    if plain is None:
        _rich_table(result.columns, shown, out, color=color, width=width)
    else:
        out.write(plain)
    _footer(result, len(shown), out)


def plain_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int) -> str | None:
    """The table rich draws with ``box.ASCII2`` (``+---+`` borders, one space of padding),
    each line ending in a newline; None when rich would lay it out otherwise: a cell of
    several lines or control characters, a header rich reads as markup or emoji, or a
    table wider than ``width`` (rich folds cells then)."""
    header = [str(c) for c in columns]
    if any("[" in name or ":" in name for name in header):
        return None
    if any(len(row) != len(header) for row in rows):
        return None
    convert = _CELLS.get
    texts = [header, *([convert(type(v), cell)(v) for v in row] for row in rows)]
    everything = "".join(["".join(line) for line in texts])
    if not everything.isprintable():
        return None
    if everything.isascii():
        widths = [max(map(len, column)) for column in zip(*texts, strict=True)]
        if sum(widths) + 3 * len(widths) + 1 > width:
            return None
        line = "| " + " | ".join(f"%-{w}s" for w in widths) + " |\n"
        lines = [line % tuple(texts_row) for texts_row in texts]
    else:
        from rich.cells import cell_len

        cells = [[cell_len(text) for text in row] for row in texts]
        widths = [max(column) for column in zip(*cells, strict=True)]
        if sum(widths) + 3 * len(widths) + 1 > width:
            return None
        lines = [
            "| "
            + " | ".join(
                text + " " * (w - n) for text, n, w in zip(row, sizes, widths, strict=True)
            )
            + " |\n"
            for row, sizes in zip(texts, cells, strict=True)
        ]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+\n"
    return "".join([rule, lines[0], rule, *lines[1:], rule])


def _rich_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    out: TextIO,
    *,
    color: bool,
    width: int | None,
) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(
        file=out,
        color_system="auto" if color else None,
        force_terminal=True if color else None,  # into a pager's buffer, bound for a terminal
        width=width,
    )
    table = Table(box=box.SIMPLE_HEAD if color else box.ASCII2, show_edge=not color)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_styled(v, color) for v in row))
    console.print(table)


def print_expanded(result: Result, out: TextIO, *, limit: int | None = None) -> None:
    """Each row as a record of ``column | value`` lines, as psql's ``\\x`` shows rows too
    wide for the screen; a value's own lines stay under its column."""
    if not result.columns:
        if result.message:
            out.write(redact_text(result.message) + "\n")
        return
    shown = result.rows if limit is None else result.rows[:limit]
    name_width = max(len(c) for c in result.columns)
    for number, row in enumerate(shown, 1):
        out.write(f"-[ RECORD {number} ]" + "-" * max(3, name_width - 8) + "\n")
        for column, value in zip(result.columns, row, strict=True):
            lines = cell(value).split("\n")
            out.write(f"{column.ljust(name_width)} | {lines[0]}\n")
            for line in lines[1:]:
                out.write(f"{' ' * name_width} | {line}\n")
    _footer(result, len(shown), out)


def _footer(result: Result, shown: int, out: TextIO) -> None:
    hidden = len(result.rows) - shown
    more = f", {counted(hidden, 'more row')} not shown" if hidden else ""
    out.write(f"({counted(len(result.rows), 'row')}{more})\n")
    if result.message:
        out.write(redact_text(result.message) + "\n")


def _styled(value: Any, color: bool) -> Any:
    from rich.text import Text

    text = cell(value)
    return Text(text, style="dim") if value is None and color else Text(text)


def _width(out: TextIO) -> int | None:
    return None if out.isatty() else 200
