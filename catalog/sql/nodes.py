"""The expression nodes statements share (each statement's own are in its module).

Names are ``exp.Identifier`` (quoted or not, as written); option values, URIs and
literals are ``exp.Literal``, ``exp.Boolean`` or ``exp.Null``; column types are
``exp.DataType``.  A node's ``meta`` holds where its first token starts in the
statement (``start``), for errors.
"""

from __future__ import annotations

from sqlglot import exp


class Option(exp.Expression):
    """``key = value`` in ``WITH (...)`` or ``SET (...)``."""

    arg_types = {"this": True, "value": True}


class StreamColumn(exp.Expression):
    """``name type [KEY | HEADERS | HEADER('k')] [NOT NULL] [DEFAULT v] [COMMENT 'c']
    [ALIASES ('old', ...)]``; aliases are the column's earlier names (RENAME keeps them)."""

    arg_types = {
        "this": True,
        "kind": True,
        "role": False,  # "KEY", "HEADERS" or "HEADER"
        "header": False,  # the header's name, for HEADER('k')
        "not_null": False,
        "default": False,
        "comment": False,
        "aliases": False,  # literals
    }
