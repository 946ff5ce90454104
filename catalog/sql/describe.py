"""DESCRIBE: a stream at a version (EXTENDED: with the statistics of its last discovery), or
any source by its URI, registering nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlglot import TokenType, exp

from catalog.infer.stats import ColumnStats
from catalog.result import Result
from catalog.schema import Schema
from catalog.secrets import redact
from catalog.sql.columns import default_text, described_type, option_values, value
from catalog.sql.generator import StreamGenerator
from catalog.sql.parser import StreamParser
from catalog.sql.statement import Statement

if TYPE_CHECKING:
    from catalog.sql.session import Session

DESCRIBE = ("column", "type", "nullable", "default", "comment")
EXTENDED = (*DESCRIBE, "null_fraction", "distinct_count", "min", "max", "example")


class DescribeStream(exp.Expression):
    arg_types = {"this": True, "version": False, "extended": False}


class DescribeSource(exp.Expression):
    arg_types = {"this": True, "options": False}


def parse(p: StreamParser) -> exp.Expression:
    extended = p._match_text_seq("EXTENDED")
    p._match_text_seq("STREAM")
    if p._curr and p._curr.token_type == TokenType.STRING:
        uri = p.literal()
        options = p.options() if p._match(TokenType.WITH) else None
        return DescribeSource(this=uri, options=options)
    name = p.name("a stream name or a quoted URI")
    version = None
    if p._match_text_seq("VERSION"):
        version = p.literal()
        if not version.is_int or int(version.this) < 1:
            p.fail("VERSION takes a whole number from 1", p._prev)
    extended = p._match_text_seq("EXTENDED") or extended
    return DescribeStream(this=name, version=version, extended=extended or None)


def generate(g: StreamGenerator, e: DescribeStream | DescribeSource) -> str:
    if isinstance(e, DescribeSource):
        options = e.args.get("options")
        return f"DESCRIBE {g.sql(e, 'this')}" + (
            f" WITH {g.stream_options(options)}" if options else ""
        )
    sql = "DESCRIBE " + ("EXTENDED " if e.args.get("extended") else "") + g.sql(e, "this")
    return sql + (f" VERSION {g.sql(e, 'version')}" if e.args.get("version") else "")


async def run(session: Session, node: DescribeStream | DescribeSource) -> list[Result]:
    if isinstance(node, DescribeSource):
        options = option_values(node.args.get("options"))
        found = await session.catalog.discover(str(value(node.this)), **options)
        rows = _rows(found, found.stats, extended=False)
        return [Result("DESCRIBE", DESCRIBE, rows, found.summary(redact(found.uri)))]
    extended = bool(node.args.get("extended"))
    described = await session.catalog.describe(
        node.name, value(node.args.get("version")), extended=extended
    )
    rows = _rows(described.version.schema, described.stats, extended)
    if extended:
        return [Result("DESCRIBE EXTENDED", EXTENDED, rows, described.basis)]
    return [Result("DESCRIBE", DESCRIBE, rows)]


def _rows(
    schema: Schema, stats: Mapping[str, ColumnStats], extended: bool
) -> list[tuple[Any, ...]]:
    rows = []
    for f in schema:
        row: tuple[Any, ...] = (f.name, described_type(f), f.nullable, default_text(f), f.comment)
        if extended:
            s = stats.get(f.name, ColumnStats())
            row += (s.null_fraction, s.distinct_count, _text(s.min), _text(s.max), _text(s.example))
        rows.append(row)
    return rows


def _text(raw: Any) -> str | None:
    """A statistic as text: one column holds values of every column's type."""
    if raw is None:
        return None
    return json.dumps(raw, ensure_ascii=False) if isinstance(raw, dict | list) else str(raw)


DESCRIBE_STATEMENT = Statement(
    words=("DESCRIBE",),
    also=(("DESC",),),
    nodes=(DescribeStream, DescribeSource),
    parse=parse,
    generate=generate,
    run=run,
    help=(
        "DESCRIBE [EXTENDED] [STREAM] name [VERSION n]",
        "DESCRIBE 'uri' [WITH (sample_size = n, ...)]",
    ),
)
