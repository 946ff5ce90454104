"""The parser of schemacat's statements: DuckDB's, with a catalog's statements in front.

Which statement a text is comes from its leading words, looked up in the
statement table (``catalog.sql.table``), and the statement's own ``parse`` reads
the rest with the helpers here.  Every statement parses into a node of its own
(never sqlglot's ``Command`` fallback); ``AS SELECT`` queries are DuckDB
queries, parsed by DuckDB's own rules.  Errors carry the offset of the
offending token in the statement, and a hint naming the closest word that would
have fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, NoReturn, TypeVar

from sqlglot import Token, TokenType, exp
from sqlglot.parsers.duckdb import DuckDBParser

from catalog.errors import SqlSyntaxError, did_you_mean
from catalog.sql import nodes as n
from catalog.words import listed

if TYPE_CHECKING:
    from catalog.sql.statement import Statement

MAX_NAME = 255  # characters in a stream's, a column's or an option's name
QUERY_WORDS = ("SELECT", "WITH", "FROM", "INSERT", "UPDATE", "DELETE")
TYPE_EXAMPLES = (
    *("BIGINT", "INTEGER", "DOUBLE", "DECIMAL", "VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP"),
    *("TIMESTAMPTZ", "TIME", "INTERVAL", "BLOB", "BYTES", "UUID", "JSON", "STRUCT", "MAP"),
)
NOT_A_NAME = (
    TokenType.STRING,
    TokenType.NUMBER,
    TokenType.L_PAREN,
    TokenType.R_PAREN,
    TokenType.COMMA,
    TokenType.EQ,
)


N = TypeVar("N", bound=exp.Expr)


COLUMN_PARTS = ("KEY", "HEADERS", "HEADER", "NOT", "DEFAULT", "COMMENT", "ALIASES")


def closest(word: str, choices: Sequence[str]) -> str | None:
    return did_you_mean(word.upper(), choices, cutoff=0.5)


def either(words: Sequence[str]) -> str:
    """``A, B or C``."""
    return listed(words, "or")


class StreamParser(DuckDBParser):
    """Parses one statement of the dialect; anything else is an error at its first word."""

    STATEMENTS: ClassVar[Sequence[Statement]] = ()  # the dialect gives the table
    in_query = False  # inside AS SELECT sqlglot parses nested statements (CTE bodies) itself

    def _parse_statement(self) -> exp.Expr | None:
        if self.in_query:
            return super()._parse_statement()
        if not self._curr:
            return None
        start = self._curr
        node: exp.Expression = self.statement().parse(self)
        if self._curr:
            self.fail(f"unexpected {self._curr.text!r} after the end of the statement")
        node.meta["start"] = start.start
        return node

    def statement(self) -> Statement:
        """The statement the leading words name, those words taken."""
        taken: tuple[str, ...] = ()
        while True:
            spellings = [
                (words, s) for s in self.STATEMENTS for words in (s.words, *s.also)
                if words[: len(taken)] == taken
            ]  # fmt: skip
            following = list(dict.fromkeys(w[len(taken)] for w, _ in spellings if w != taken))
            token = self._curr
            word = token.text.upper() if token and token.token_type not in NOT_A_NAME else None
            if word in following:
                taken = (*taken, word)
                self._advance()
                continue
            done = next((s for w, s in spellings if w == taken), None)
            if done is not None:
                return done
            if not taken:
                self._unknown_statement(following)
            self.unexpected(either(following), following)

    def _unknown_statement(self, starts: Sequence[str]) -> NoReturn:
        text = self._curr.text if self._curr else ""
        if text.upper() in QUERY_WORDS:
            hint = "schemacat catalogs schemas; a query goes in CREATE STREAM name AS SELECT ..."
        else:
            hint = closest(text, starts) or (
                f"statements begin with {', '.join(starts[:-1])} or {starts[-1]}"
            )
        self.fail(f"unknown statement {text!r}", hint=hint)

    # -- helpers -------------------------------------------------------------------
    def fail(self, message: str, token: Token | None = None, hint: str | None = None) -> NoReturn:
        token = token or self._curr or self._prev
        error = SqlSyntaxError(message, hint=hint)
        error.offset = token.start if token else 0
        raise error

    def expect(self, *words: str, what: str | None = None, choices: Sequence[str] = ()) -> None:
        if not self._match_text_seq(*words):
            self.unexpected(what or " ".join(words), choices)

    def unexpected(self, what: str, choices: Sequence[str] = ()) -> NoReturn:
        found = repr(self._curr.text) if self._curr else "the end of the statement"
        hint = closest(self._curr.text, choices) if self._curr and choices else None
        self.fail(f"expected {what}, found {found}", hint=hint)

    def name(self, what: str = "a stream name") -> exp.Identifier:
        token = self._curr
        if not token or token.token_type in NOT_A_NAME:
            self.unexpected(what)
        if not token.text.strip():
            self.fail(f"expected {what}, found an empty name", token)
        if len(token.text) > MAX_NAME:
            self.fail(f"a name is at most {MAX_NAME} characters, not {len(token.text)}", token)
        self._advance()
        quoted = token.token_type == TokenType.IDENTIFIER
        return self.at(exp.Identifier(this=token.text, quoted=quoted), token)

    def at(self, node: N, token: Token | exp.Expression) -> N:
        """``node``, remembering where in the statement it starts."""
        node.meta["start"] = token.start if isinstance(token, Token) else token.meta.get("start", 0)
        return node

    def literal(self, *, bare_words: bool = False) -> exp.Expression:
        """A string, number, boolean or NULL; with ``bare_words``, a word is taken as a string."""
        token = self._curr
        negative = self._match(TokenType.DASH)
        token = self._curr
        if token and token.token_type == TokenType.STRING:
            self._advance()
            return self.at(exp.Literal.string(token.text), token)
        if token and token.token_type == TokenType.NUMBER:
            self._advance()
            if not math.isfinite(float(token.text)):
                self.fail(
                    f"the number {token.text} is out of range",
                    token,
                    hint="numbers go up to about 1.8e308",
                )
            number = exp.Literal(this=("-" if negative else "") + token.text, is_string=False)
            return self.at(number, token)
        if not negative and token:
            upper = token.text.upper()
            if upper in ("TRUE", "FALSE"):
                self._advance()
                return self.at(exp.Boolean(this=upper == "TRUE"), token)
            if upper == "NULL":
                self._advance()
                return self.at(exp.Null(), token)
            if (
                upper in ("DATE", "TIMESTAMP", "TIME", "TIMESTAMPTZ")
                and self._next
                and self._next.token_type == TokenType.STRING
            ):
                self._advance()
                return self.literal()
            if (bare_words and token.token_type in (TokenType.VAR, TokenType.IDENTIFIER)) or (
                bare_words and token.text.isidentifier()
            ):
                self._advance()
                return self.at(exp.Literal.string(token.text), token)
        self.fail(
            f"expected a value, found {repr(token.text) if token else 'the end of the statement'}",
            hint="values are 'quoted strings', numbers, TRUE, FALSE or NULL",
        )

    def options(self) -> list[n.Option]:
        """``( key = value, ... )``"""
        if not self._match(TokenType.L_PAREN):
            self.fail(f"expected ( after {self._prev.text.upper()}")
        found = []
        while True:
            key = self.name("an option name")
            if not self._match(TokenType.EQ):
                self.fail(f"expected = after the option {key.name}")
            found.append(
                self.at(
                    n.Option(this=key, value=self.literal(bare_words=True)),
                    self._tokens[self._index - 1],
                )
            )
            found[-1].meta["start"] = key.meta["start"]
            if self._match(TokenType.R_PAREN):
                return found
            if not self._match(TokenType.COMMA):
                self.fail("expected , or ) in the option list")

    def data_type(self) -> exp.DataType:
        token = self._curr
        # identifiers too: DuckDB writes the type of an all-NULL column as "NULL"
        dtype = self._parse_types(check_func=False, schema=True, allow_identifiers=True)
        if not isinstance(dtype, exp.DataType) or dtype.this == exp.DataType.Type.USERDEFINED:
            word = token.text if token else ""
            if token and token.token_type in self.TYPE_TOKENS:  # a type, with bad parameters
                self.fail(
                    f"cannot read the parameters of {word.upper()}",
                    token,
                    "write DECIMAL(10,2) (precision 1 to 38, scale 0 to the precision), "
                    "VARCHAR(20), INTEGER[3], STRUCT(a INT), MAP(VARCHAR, INT)",
                )
            self.fail(
                f"unknown type {word!r}" if token else "expected a type",
                token,
                closest(word, TYPE_EXAMPLES),
            )
        assert isinstance(dtype, exp.DataType)
        return self.at(dtype, token)

    def names_list(self, what: str) -> list[exp.Expression]:
        """``('a', 'b', ...)`` after ``what``: string literals."""
        if not self._match(TokenType.L_PAREN):
            self.fail(f"expected ('name', ...) after {what}")
        found = [self.literal()]
        while self._match(TokenType.COMMA):
            found.append(self.literal())
        if not self._match(TokenType.R_PAREN):
            self.fail(f"expected , or ) in the {what} list")
        if not all(isinstance(e, exp.Literal) and e.is_string for e in found):
            self.fail(f"{what} takes names in quotes: {what} ('old_name')")
        return found

    def columns(self) -> list[n.StreamColumn]:
        self._match(TokenType.L_PAREN)
        found = [self.column()]
        while self._match(TokenType.COMMA):
            found.append(self.column())
        if not self._match(TokenType.R_PAREN):
            self.fail(
                "expected , or ) after a column",
                hint="columns are: name TYPE [NOT NULL] [DEFAULT v] [COMMENT 'c']",
            )
        return found

    def column(self) -> n.StreamColumn:
        name = self.name("a column name")
        node = n.StreamColumn(this=name, kind=self.data_type())
        node.meta["start"] = name.meta["start"]
        while self._curr and self._curr.token_type not in (TokenType.COMMA, TokenType.R_PAREN):
            if self._match_text_seq("KEY"):
                node.set("role", "KEY")
            elif self._match_text_seq("HEADERS"):
                node.set("role", "HEADERS")
            elif self._match_text_seq("HEADER"):
                if not self._match(TokenType.L_PAREN):
                    self.fail("expected ('header name') after HEADER")
                node.set("role", "HEADER")
                node.set("header", self.literal())
                if not self._match(TokenType.R_PAREN):
                    self.fail("expected ) after the header name")
            elif self._match_text_seq("NOT"):
                self.expect("NULL", what="NULL after NOT", choices=("NULL",))
                node.set("not_null", True)
            elif self._match_text_seq("NULL"):
                node.set("not_null", None)
            elif self._match_text_seq("DEFAULT"):
                node.set("default", self.literal())
            elif self._match_text_seq("COMMENT"):
                node.set("comment", self.literal())
            elif self._match_text_seq("ALIASES"):
                node.set("aliases", self.names_list("ALIASES"))
            else:
                self.fail(
                    f"unexpected {self._curr.text!r} in the definition of column {name.name}",
                    hint=closest(self._curr.text, COLUMN_PARTS),
                )
        return node
