"""SET compatibility = 'MODE': a setting of the catalog (the mode of new streams)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import TokenType, exp

from catalog.result import Result
from catalog.sql.columns import option_text
from catalog.sql.parser import StreamParser
from catalog.sql.statement import Statement

if TYPE_CHECKING:
    from catalog.sql.session import Session


class SetSetting(exp.Expression):
    arg_types = {"this": True, "value": True}


def parse(p: StreamParser) -> SetSetting:
    key = p.name("a setting name")
    if not p._match(TokenType.EQ):
        p.fail(f"expected = after {key.name}")
    return SetSetting(this=key, value=p.literal(bare_words=True))


async def run(session: Session, node: SetSetting) -> list[Result]:
    mode = await session.catalog.set_setting(node.name, option_text(node.args["value"]) or "")
    return [Result("SET", message=f"compatibility of new streams: {mode}")]


SET = Statement(
    words=("SET",),
    nodes=(SetSetting,),
    parse=parse,
    generate=lambda g, e: f"SET {g.sql(e, 'this')} = {g.sql(e, 'value')}",
    run=run,
    help=("SET compatibility = 'BACKWARD'",),
)
