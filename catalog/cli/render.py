"""Printing results: tables for people, JSON lines and CSV for programs."""

from __future__ import annotations

import csv
import io
import json
import os
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
    ``width`` characters wide at most (the terminal's, else 200)."""
    if not result.columns:
        if result.message:
            out.write(redact_text(result.message) + "\n")
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    width = width or _width(out)
    console = Console(
        file=out,
        color_system="auto" if color else None,
        force_terminal=True if color else None,  # into a pager's buffer, bound for a terminal
        width=width,
    )
    table = Table(box=box.SIMPLE_HEAD if color else box.ASCII2, show_edge=not color)
    for column in result.columns:
        table.add_column(column, overflow="fold")
    shown = result.rows if limit is None else result.rows[:limit]
    for row in shown:
        table.add_row(*(_styled(v, color) for v in row))
    console.print(table)
    _footer(result, len(shown), out)


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
