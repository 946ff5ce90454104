"""schemacat's SQL dialect: DuckDB's, with the statements of a streaming catalog.

The parser and the generator are DuckDB's, given the statement table
(``catalog.sql.table``): ``parse_statement`` reads one statement into its node,
``to_sql`` writes a node back as SQL that parses into an equal node.
"""

from __future__ import annotations

import re
from functools import cache
from typing import ClassVar

from sqlglot import TokenType, exp
from sqlglot.errors import ParseError

from catalog._type_dialect import TypeDialect
from catalog.errors import SchemacatError, SqlSyntaxError
from catalog.sql.generator import StreamGenerator
from catalog.sql.parser import StreamParser
from catalog.sql.table import STATEMENTS


class Schemacat(TypeDialect):
    """The dialect; ``sqlglot`` finds it by the name ``schemacat``."""

    class Tokenizer(TypeDialect.Tokenizer):
        COMMANDS: ClassVar[set[TokenType]] = set()  # no statement is swallowed whole as a Command

    class Parser(StreamParser):
        STATEMENTS = STATEMENTS

    class Generator(StreamGenerator):
        TRANSFORMS = {
            **StreamGenerator.TRANSFORMS,
            **{node: s.generate for s in STATEMENTS for node in s.nodes},
        }


def parse_statement(text: str) -> exp.Expression:
    """One statement (without its ``;``) as a node; ``SqlSyntaxError`` with ``offset`` if not."""
    from sqlglot.errors import TokenError

    _require_interpreted_sqlglot()
    _check_nesting(text)
    dialect = Schemacat()
    try:
        tokens = dialect.tokenize(text)
        parser = dialect.parser()
        node, *more = parser.parse(tokens, text) or [None]
    except TokenError as exc:
        error = SqlSyntaxError(f"cannot read the statement: {exc}")
        error.offset = 0
        raise error from None
    except RecursionError:
        error = SqlSyntaxError("the statement nests too deeply to read")
        error.offset = 0
        raise error from None
    except (LookupError, TypeError, ValueError, AttributeError) as exc:
        # sqlglot's own reading of some garbage ends in these; --debug shows where
        error = SqlSyntaxError("cannot read the statement", hint="check its syntax near its end")
        error.offset = 0
        raise error from exc
    except ParseError as exc:
        detail = exc.errors[0] if exc.errors else {}
        description = str(detail.get("description") or exc).split(". Line")[0]
        error = SqlSyntaxError(_TOKEN_REPR.sub(lambda m: repr(m.group(1)), description))
        error.offset = _offset(
            text, detail.get("line"), detail.get("col"), detail.get("highlight") or ""
        )
        raise error from None
    if not isinstance(node, exp.Expression) or more:
        error = SqlSyntaxError(
            "expected one statement" if more else "expected a statement",
            hint="statements end with ; and begin with CREATE, ALTER, SHOW, DESCRIBE ...",
        )
        error.offset = 0
        raise error
    return node


MAX_BRACKETS = 100  # parentheses in parentheses: a type nests at most 64 deep


def _check_nesting(text: str) -> None:
    """Parentheses nested past reason are an error here, where the reading is flat; deep
    in sqlglot's recursive parser they would be a RecursionError, or not, by the stack."""
    level, quote = 0, ""
    for offset, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([":
            level += 1
            if level > MAX_BRACKETS:
                error = SqlSyntaxError(
                    f"parentheses nest more than {MAX_BRACKETS} deep here",
                    hint="a type nests at most 64 levels; flatten it, or keep the deep part JSON",
                )
                error.offset = offset
                raise error
        elif char in ")]":
            level -= 1


@cache
def _require_interpreted_sqlglot() -> None:
    """The dialect subclasses sqlglot's parser and nodes, which sqlglot's mypyc-compiled
    build (``sqlglotc``, the ``sqlglot[c]`` extra) refuses to instantiate."""
    import sqlglot.parser

    if not str(sqlglot.parser.__file__).endswith(".py"):
        raise SchemacatError(
            "schemacat's SQL dialect needs the pure-Python build of sqlglot, and the compiled "
            "one (sqlglotc) is installed in this environment",
            hint="pip uninstall sqlglotc, or install schemacat in an environment of its own",
            code="SQLGLOT_COMPILED",
        )


# sqlglot's messages show tokens as <Token token_type: ..., text: WHERE, line: ...>
_TOKEN_REPR = re.compile(r"<Token token_type: [^,]+, text: (.*?), line: \d+.*?>")


def _offset(text: str, line: int | None, col: int | None, highlight: str) -> int:
    """sqlglot reports where a token ends; the offset of where it starts."""
    if not line or not col:
        return 0
    lines = text.split("\n")
    start_of_line = sum(len(lines[i]) + 1 for i in range(min(line - 1, len(lines))))
    return max(start_of_line + col - len(highlight), 0)


def to_sql(node: exp.Expression) -> str:
    return str(Schemacat().generate(node))
