"""Writing schemacat's nodes back as SQL, in one canonical spelling that parses to an equal node.

Each statement writes its own nodes (``Statement.generate``, gathered into
``TRANSFORMS`` by the dialect); the pieces they share are here.
"""

from __future__ import annotations

from catalog._type_dialect import TypeDialect
from catalog.sql import nodes as n


class StreamGenerator(TypeDialect.Generator):
    """DuckDB's generator, with the pieces schemacat's statements share."""

    def stream_options(self, options: list[n.Option] | None) -> str:
        return (
            "("
            + ", ".join(f"{self.sql(o, 'this')} = {self.sql(o, 'value')}" for o in options or ())
            + ")"
        )

    def stream_column_sql(self, column: n.StreamColumn) -> str:
        parts = [self.sql(column, "this"), self.sql(column, "kind")]
        role = column.args.get("role")
        if role == "HEADER":
            parts.append(f"HEADER({self.sql(column, 'header')})")
        elif role:
            parts.append(str(role))
        if column.args.get("not_null"):
            parts.append("NOT NULL")
        if column.args.get("default") is not None:
            parts.append(f"DEFAULT {self.sql(column, 'default')}")
        if column.args.get("comment") is not None:
            parts.append(f"COMMENT {self.sql(column, 'comment')}")
        if column.args.get("aliases"):
            parts.append(f"ALIASES ({self.expressions(column, 'aliases', flat=True)})")
        return " ".join(parts)
