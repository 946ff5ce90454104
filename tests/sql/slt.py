"""A small sqllogictest-style runner: statement -> ok, error (code and place), or rows.

    statement ok
    CREATE STREAM s (id BIGINT)

    statement error UNKNOWN_COLUMN 1:32
    ALTER STREAM s DROP COLUMN nope

    query
    DESCRIBE s
    ----
    column | type | nullable | default | comment
    id | BIGINT | true | NULL | NULL

A case ends at a blank line; ``*`` matches any value; ``${DATA}`` is the folder
of sample files and ``${TMP}`` a scratch folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from catalog.cli.render import cell
from catalog.result import Result


@dataclass
class Case:
    kind: str  # "ok", "error" or "query"
    sql: str
    line: int  # where the case starts in its file
    code: str | None = None
    where: tuple[int, int] | None = None
    expected: list[list[str]] | None = None


def parse_cases(text: str) -> list[Case]:
    cases: list[Case] = []
    blocks = text.split("\n\n")
    line = 1
    for block in blocks:
        start = line
        line += block.count("\n") + 2
        lines = [ln for ln in block.strip("\n").split("\n") if not ln.startswith("#")]
        if not lines:
            continue
        head, *body = lines
        words = head.split()
        if words[0] == "query":
            sql, _, rows = "\n".join(body).partition("\n----\n")
            expected = [[v.strip() for v in row.split("|")] for row in rows.split("\n") if row]
            cases.append(Case("query", sql, start, expected=expected))
        elif words[:2] == ["statement", "ok"]:
            cases.append(Case("ok", "\n".join(body), start))
        elif words[:2] == ["statement", "error"]:
            place = tuple(int(x) for x in words[3].split(":")) if len(words) > 3 else None
            cases.append(Case("error", "\n".join(body), start, words[2], place))  # type: ignore[arg-type]
        else:
            raise ValueError(f"line {start}: unknown case {head!r}")
    return cases


def rendered(results: list[Result]) -> list[list[str]]:
    """Header and rows of the last result, as text."""
    last = results[-1]
    return [list(last.columns)] + [[cell(v) for v in row] for row in last.rows]


def matches(expected: list[list[str]], actual: list[list[str]]) -> bool:
    if len(expected) != len(actual):
        return False
    return all(
        len(e) == len(a) and all(x in ("*", y) for x, y in zip(e, a, strict=True))
        for e, a in zip(expected, actual, strict=True)
    )


def case_files() -> list[Path]:
    return sorted((Path(__file__).parent / "cases").glob("*.slt"))
