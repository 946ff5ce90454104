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
        import pyarrow as pa

        columns: Sequence[list[Any]] = [list(col) for col in zip(*self.rows, strict=True)] or [
            [] for _ in self.columns
        ]
        return pa.table(dict(zip(self.columns, columns, strict=True)))
