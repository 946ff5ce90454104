"""The parser of schemacat's statements: DuckDB's, with a catalog's statements in front.

Every statement parses into a node of ``catalog.sql.nodes`` (never sqlglot's
``Command`` fallback).  ``AS SELECT`` queries are DuckDB queries, parsed by
DuckDB's own rules; a quoted source in their FROM (``FROM 's3://lake/orders/'``)
stays a string literal.  Errors carry the offset of the offending token in the
statement, and a hint naming the closest word that would have fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NoReturn, TypeVar

from sqlglot import Token, TokenType, exp
from sqlglot.parsers.duckdb import DuckDBParser

from catalog.errors import SqlSyntaxError, did_you_mean
from catalog.sql import nodes as n

STATEMENT_WORDS = (
    "CREATE",
    "ALTER",
    "DROP",
    "SHOW",
    "LIST",
    "DESCRIBE",
    "DESC",
    "VALIDATE",
    "SET",
    "DEFINE",
    "RUN",
)
SHOW_WORDS = ("STREAMS", "SCHEMAS", "TOPICS", "CREATE", "SCHEMA")
ALTER_WORDS = ("ADD", "DROP", "RENAME", "ALTER", "SET", "REFRESH")
COLUMN_WORDS = ("TYPE", "SET", "DROP")
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


def closest(word: str, choices: Sequence[str]) -> str | None:
    return did_you_mean(word.upper(), choices, cutoff=0.5)


class StreamParser(DuckDBParser):
    """Parses one statement of the dialect; anything else is an error at its first word."""

    in_query = False  # inside AS SELECT sqlglot parses nested statements (CTE bodies) itself

    def _parse_statement(self) -> exp.Expr | None:
        if self.in_query:
            return super()._parse_statement()
        if not self._curr:
            return None
        word = self._curr.text.upper()
        handler = _STATEMENTS.get(word)
        if handler is None or self._curr.token_type in (TokenType.STRING, TokenType.NUMBER):
            if word in ("SELECT", "WITH", "FROM", "INSERT", "UPDATE", "DELETE"):
                hint = (
                    "schemacat catalogs schemas; a query goes in CREATE STREAM name AS SELECT ..."
                )
            else:
                hint = closest(word, STATEMENT_WORDS) or (
                    "statements begin with CREATE, ALTER, DROP, SHOW, DESCRIBE, VALIDATE, SET, "
                    "DEFINE or RUN"
                )
            self.fail(f"unknown statement {self._curr.text!r}", hint=hint)
        start = self._curr
        self._advance()
        node: exp.Expression = handler(self)
        if self._curr:
            self.fail(f"unexpected {self._curr.text!r} after the end of the statement")
        node.meta["start"] = start.start
        return node

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
            return self.at(exp.Literal.number(("-" if negative else "") + token.text), token)
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
        dtype = self._parse_types(check_func=False, schema=True, allow_identifiers=False)
        if not isinstance(dtype, exp.DataType):
            word = token.text if token else ""
            self.fail(
                f"unknown type {word!r}" if token else "expected a type",
                token,
                closest(word, TYPE_EXAMPLES),
            )
        assert isinstance(dtype, exp.DataType)
        return self.at(dtype, token)

    # -- statements ----------------------------------------------------------------
    def create(self) -> n.CreateStream:
        replace = self._match_text_seq("OR", "REPLACE")
        if not self._match_text_seq("STREAM"):
            found = self._curr.text if self._curr else ""
            self.fail(
                f"CREATE {found.upper()} is not a schemacat statement",
                hint="schemacat creates streams: CREATE [OR REPLACE] STREAM name ...",
            )
        exists = self._match_text_seq("IF", "NOT", "EXISTS")
        name = self.name()
        columns = self.columns() if self._match(TokenType.L_PAREN, advance=False) else None
        options = self.options() if self._match(TokenType.WITH) else None
        query = emit = None
        if self._match(TokenType.ALIAS):
            if columns is not None:
                self.fail("a stream is declared with columns or AS SELECT, not both", self._prev)
            emit = self._take_emit_changes()
            query = self.query()
        return n.CreateStream(
            this=name,
            columns=columns,
            options=options,
            query=query,
            replace=replace or None,
            exists=exists or None,
            emit=emit or None,
        )

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
            else:
                self.fail(
                    f"unexpected {self._curr.text!r} in the definition of column {name.name}",
                    hint=closest(
                        self._curr.text, ("KEY", "HEADERS", "HEADER", "NOT", "DEFAULT", "COMMENT")
                    ),
                )
        return node

    def _take_emit_changes(self) -> bool:
        """EMIT CHANGES ends a query; it is taken off before the query is parsed."""
        end = self._tokens_size
        if (
            end >= 2
            and self._tokens[end - 2].text.upper() == "EMIT"
            and self._tokens[end - 1].text.upper() == "CHANGES"
        ):
            self._tokens = self._tokens[: end - 2]
            self._tokens_size = end - 2
            return True
        return False

    def query(self) -> exp.Query:
        first = self._curr
        if not first:
            self.fail("expected a query after AS")
        self.in_query = True
        try:
            query = self._parse_set_operations(self._parse_select())
        finally:
            self.in_query = False
        if not isinstance(query, exp.Query):
            self.fail("expected a SELECT query after AS", first)
        query.meta["text"] = self.sql[first.start : self._prev.end + 1]  # as written
        for table in query.find_all(exp.Table):
            ident = table.this
            if isinstance(ident, exp.Identifier) and ident.quoted:
                offset = ident.meta.get("start", 0)
                if self.sql[offset] == "'":  # 'uri' is a source, "name" is a name
                    table.set("this", self.at(exp.Literal.string(ident.name), ident))
        return self.at(query, first)

    def alter(self) -> n.AlterStream:
        self.expect("STREAM", what="STREAM after ALTER")
        name = self.name()
        actions = [self.alter_action()]
        while self._match(TokenType.COMMA):
            actions.append(self.alter_action())
        if len(actions) > 1 and any(
            isinstance(a, n.SetStreamOptions | n.RefreshStream) for a in actions
        ):
            self.fail(
                "SET (...) and REFRESH stand alone in an ALTER STREAM",
                hint="run them as statements of their own",
            )
        return n.AlterStream(this=name, actions=actions)

    def alter_action(self) -> exp.Expression:
        token = self._curr
        if self._match_text_seq("ADD"):
            self._match_text_seq("COLUMN")
            exists = self._match_text_seq("IF", "NOT", "EXISTS")
            return self.at(n.AddColumn(this=self.column(), exists=exists or None), token)
        if self._match_text_seq("DROP"):
            self._match_text_seq("COLUMN")
            exists = self._match_text_seq("IF", "EXISTS")
            return self.at(
                n.DropColumn(this=self.name("a column name"), exists=exists or None), token
            )
        if self._match_text_seq("RENAME"):
            self._match_text_seq("COLUMN")
            old = self.name("a column name")
            self.expect("TO")
            return self.at(n.RenameColumn(this=old, to=self.name("the new column name")), token)
        if self._match_text_seq("ALTER"):
            self._match_text_seq("COLUMN")
            return self.at(self.alter_column(self.name("a column name")), token)
        if self._match(TokenType.SET):
            return self.at(n.SetStreamOptions(options=self.options()), token)
        if self._match_text_seq("REFRESH"):
            return self.at(n.RefreshStream(), token)
        found = token.text if token else ""
        message = f"unknown ALTER STREAM action {found!r}" if token else "expected an action"
        self.fail(message, hint=closest(found, ALTER_WORDS))

    def alter_column(self, column: exp.Identifier) -> exp.Expression:
        if self._match_text_seq("TYPE") or self._match_text_seq("SET", "DATA", "TYPE"):
            return n.AlterColumnType(this=column, kind=self.data_type())
        if self._match_text_seq("SET", "DEFAULT"):
            return n.AlterColumnDefault(this=column, default=self.literal())
        if self._match_text_seq("DROP", "DEFAULT"):
            return n.AlterColumnDefault(this=column)
        if self._match_text_seq("SET", "NOT", "NULL"):
            return n.AlterColumnNullability(this=column, not_null=True)
        if self._match_text_seq("DROP", "NOT", "NULL"):
            return n.AlterColumnNullability(this=column)
        self.unexpected(
            "TYPE, SET DEFAULT, DROP DEFAULT, SET NOT NULL or DROP NOT NULL", COLUMN_WORDS
        )

    def drop(self) -> n.DropStream:
        self.expect("STREAM", what="STREAM after DROP", choices=("STREAM",))
        exists = self._match_text_seq("IF", "EXISTS")
        return n.DropStream(this=self.name(), exists=exists or None)

    def show(self) -> exp.Expression:
        if self._match_text_seq("STREAMS"):
            return n.ShowStreams()
        if self._match_text_seq("SCHEMAS"):
            return n.ShowSchemas()
        if self._match_text_seq("TOPICS"):
            source = self.literal() if self._match(TokenType.FROM) else None
            return n.ShowTopics(this=source)
        if self._match_text_seq("CREATE"):
            self.expect("STREAM", choices=("STREAM",))
            return n.ShowCreateStream(this=self.name())
        if self._match_text_seq("SCHEMA"):
            if self._match_text_seq("VERSIONS"):
                self.expect("FOR", choices=("FOR",))
                return n.ShowSchemaVersions(this=self.name())
            if self._match_text_seq("COMPATIBILITY"):
                self.expect("FOR", choices=("FOR",))
                return n.ShowSchemaCompatibility(this=self.name())
            self.unexpected("VERSIONS or COMPATIBILITY", ("VERSIONS", "COMPATIBILITY"))
        self.unexpected("STREAMS, SCHEMAS, TOPICS, CREATE STREAM or SCHEMA", SHOW_WORDS)

    def list_streams(self) -> n.ShowStreams:
        self.expect("STREAMS", choices=("STREAMS",))
        return n.ShowStreams()

    def describe(self) -> exp.Expression:
        extended = self._match_text_seq("EXTENDED")
        self._match_text_seq("STREAM")
        if self._curr and self._curr.token_type == TokenType.STRING:
            uri = self.literal()
            options = self.options() if self._match(TokenType.WITH) else None
            return n.DescribeSource(this=uri, options=options)
        name = self.name("a stream name or a quoted URI")
        version = None
        if self._match_text_seq("VERSION"):
            version = self.literal()
            if not version.is_int:
                self.fail("VERSION takes a whole number", self._prev)
        extended = self._match_text_seq("EXTENDED") or extended
        return n.DescribeStream(this=name, version=version, extended=extended or None)

    def validate(self) -> n.ValidateStream:
        self.expect("STREAM", choices=("STREAM",))
        return n.ValidateStream(this=self.name())

    def set_setting(self) -> n.SetSetting:
        key = self.name("a setting name")
        if not self._match(TokenType.EQ):
            self.fail(f"expected = after {key.name}")
        return n.SetSetting(this=key, value=self.literal(bare_words=True))

    def define(self) -> n.Define:
        key = self.name("a variable name")
        if not self._match(TokenType.EQ):
            self.fail(f"expected = after {key.name}")
        return n.Define(this=key, value=self.literal())

    def run(self) -> n.RunScript:
        self.expect("SCRIPT", choices=("SCRIPT",))
        if not (self._curr and self._curr.token_type == TokenType.STRING):
            self.fail("expected a quoted script path after RUN SCRIPT")
        return n.RunScript(this=self.literal())


_STATEMENTS: dict[str, Callable[[StreamParser], exp.Expression]] = {
    "CREATE": StreamParser.create,
    "ALTER": StreamParser.alter,
    "DROP": StreamParser.drop,
    "SHOW": StreamParser.show,
    "LIST": StreamParser.list_streams,
    "DESCRIBE": StreamParser.describe,
    "DESC": StreamParser.describe,
    "VALIDATE": StreamParser.validate,
    "SET": StreamParser.set_setting,
    "DEFINE": StreamParser.define,
    "RUN": StreamParser.run,
}
