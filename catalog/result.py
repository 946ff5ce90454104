"""``Result``: what a statement returns, in the exact columns the contract names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class Result:
    """Rows (tuples in column order) under named columns, or a message for statements
    that return no rows.  ``statement`` is the statement's kind, upper case."""

    statement: str
    columns: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    message: str | None = None

    def to_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_arrow(self) -> pa.Table:
        """The rows as an Arrow table whose schema depends on the statement, never on the
        rows: a column of NULLs keeps its type."""
        import pyarrow as pa

        columns: Sequence[list[Any]] = [list(col) for col in zip(*self.rows, strict=True)] or [
            [] for _ in self.columns
        ]
        types = {
            "integer": pa.int64(),
            "boolean": pa.bool_(),
            "double": pa.float64(),
            "timestamp": pa.timestamp("us", tz="UTC"),
        }
        schema = pa.schema(
            (name, types.get(COLUMN_TYPES.get(name, ""), pa.string())) for name in self.columns
        )
        return pa.table(dict(zip(self.columns, columns, strict=True)), schema=schema)


#: the type of each result column that is not text; a column means the same in every
#: statement that has it
COLUMN_TYPES = {
    **dict.fromkeys(
        ("version", "versions", "columns", "partitions", "messages", "distinct_count", "schema_id"),
        "integer",
    ),
    **dict.fromkeys(("nullable", "compatible"), "boolean"),
    "null_fraction": "double",
    **dict.fromkeys(("created_at", "updated_at"), "timestamp"),
}
