"""DROP STREAM [IF EXISTS] name: the stream and all its versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from catalog.result import Result
from catalog.sql.generator import StreamGenerator
from catalog.sql.parser import StreamParser
from catalog.sql.statement import Statement

if TYPE_CHECKING:
    from catalog.sql.session import Session


class DropStream(exp.Expression):
    arg_types = {"this": True, "exists": False}


def parse(p: StreamParser) -> DropStream:
    p.expect("STREAM", what="STREAM after DROP", choices=("STREAM",))
    exists = p._match_text_seq("IF", "EXISTS")
    return DropStream(this=p.name(), exists=exists or None)


def generate(g: StreamGenerator, e: DropStream) -> str:
    return "DROP STREAM " + ("IF EXISTS " if e.args.get("exists") else "") + g.sql(e, "this")


async def run(session: Session, node: DropStream) -> list[Result]:
    if await session.catalog.drop(node.name, if_exists=bool(node.args.get("exists"))):
        return [Result("DROP STREAM", message=f"stream {node.name} dropped")]
    return [Result("DROP STREAM", message=f"stream {node.name} does not exist; nothing dropped")]


DROP = Statement(
    words=("DROP",),
    nodes=(DropStream,),
    parse=parse,
    generate=generate,
    run=run,
    help=("DROP STREAM [IF EXISTS] name",),
)
