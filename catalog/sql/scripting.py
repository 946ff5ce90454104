"""The statements of scripts themselves: DEFINE var = 'value' and RUN SCRIPT 'path.sql'.

They change the session (its variables, the files it runs), not the catalog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import TokenType, exp

from catalog.result import Result
from catalog.sql.columns import option_text
from catalog.sql.parser import StreamParser
from catalog.sql.statement import Statement

if TYPE_CHECKING:
    from catalog.sql.session import Session


class Define(exp.Expression):
    arg_types = {"this": True, "value": True}


class RunScript(exp.Expression):
    arg_types = {"this": True}


def parse_define(p: StreamParser) -> Define:
    key = p.name("a variable name")
    if not p._match(TokenType.EQ):
        p.fail(f"expected = after {key.name}")
    return Define(this=key, value=p.literal())


async def run_define(session: Session, node: Define) -> list[Result]:
    session.define(node.name, option_text(node.args["value"]) or "")
    return [Result("DEFINE", message=f"{node.name} defined")]


def parse_run(p: StreamParser) -> RunScript:
    p.expect("SCRIPT", choices=("SCRIPT",))
    if not (p._curr and p._curr.token_type == TokenType.STRING):
        p.fail("expected a quoted script path after RUN SCRIPT")
    return RunScript(this=p.literal())


async def run_script(session: Session, node: RunScript) -> list[Result]:
    return await session.run_file(str(option_text(node.this)), node)


DEFINE = Statement(
    words=("DEFINE",),
    nodes=(Define,),
    parse=parse_define,
    generate=lambda g, e: f"DEFINE {g.sql(e, 'this')} = {g.sql(e, 'value')}",
    run=run_define,
    help=("DEFINE name = 'value'            -- then ${name} in later statements",),
)
RUN = Statement(
    words=("RUN",),
    nodes=(RunScript,),
    parse=parse_run,
    generate=lambda g, e: f"RUN SCRIPT {g.sql(e, 'this')}",
    run=run_script,
    help=("RUN SCRIPT 'file.sql'",),
)
