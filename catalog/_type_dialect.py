"""The DuckDB dialect, plus the type spellings DuckDB lacks (``BYTES``)."""

from sqlglot import TokenType
from sqlglot.dialects.duckdb import DuckDB


class TypeDialect(DuckDB):
    class Tokenizer(DuckDB.Tokenizer):
        # A class-level table is how sqlglot tokenizers are configured.
        KEYWORDS = {**DuckDB.Tokenizer.KEYWORDS, "BYTES": TokenType.VARBINARY}  # noqa: RUF012
