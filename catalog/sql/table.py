"""The statement table: every statement of the dialect, each declared in its own module.

Its order is the order of ``\\help`` and of the words the shell offers first.
"""

from __future__ import annotations

from sqlglot import exp

from catalog.sql import alter, create, describe, drop, scripting, setting, show
from catalog.sql.statement import Statement

STATEMENTS: tuple[Statement, ...] = (
    create.CREATE,
    alter.ALTER,
    drop.DROP,
    show.SHOW_STREAMS,
    show.SHOW_SCHEMAS,
    show.SHOW_TOPICS,
    show.SHOW_CREATE,
    show.SHOW_VERSIONS,
    show.SHOW_COMPATIBILITY,
    describe.DESCRIBE_STATEMENT,
    alter.VALIDATE,
    setting.SET,
    scripting.DEFINE,
    scripting.RUN,
)

BY_NODE: dict[type[exp.Expression], Statement] = {
    node: statement for statement in STATEMENTS for node in statement.nodes
}


def help_lines() -> list[str]:
    """The syntax of every statement, a line per form."""
    return [line for statement in STATEMENTS for line in statement.help]


def first_words() -> list[str]:
    """The words a statement starts with, in table order (abbreviations such as DESC left out)."""
    words = dict.fromkeys(w[0] for s in STATEMENTS for w in (s.words, *s.also))
    return [w for w in words if not any(o != w and o.startswith(w) for o in words)]


def later_words() -> list[str]:
    """The words that select a statement after its first (STREAMS, SCHEMA, VERSIONS ...)."""
    spellings = (spelling for s in STATEMENTS for spelling in (s.words, *s.also))
    return list(dict.fromkeys(word for spelling in spellings for word in spelling[1:]))
