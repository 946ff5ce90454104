"""DuckDB's dialect, with the type spellings sqlglot's DuckDB lacks.

``BYTES`` is a BLOB.  DuckDB prints a time zone'd timestamp in nanoseconds as
``TIMESTAMPTZ_NS``, which sqlglot has no type for; it is read as sqlglot's
``TIMESTAMPLTZ`` (a type DuckDB does not have) and written back as
``TIMESTAMPTZ_NS``.
"""

from sqlglot import TokenType, exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.generators.duckdb import DuckDBGenerator


class TypeDialect(DuckDB):
    class Tokenizer(DuckDB.Tokenizer):
        # A class-level table is how sqlglot tokenizers are configured.
        KEYWORDS = {  # noqa: RUF012
            **DuckDB.Tokenizer.KEYWORDS,
            "BYTES": TokenType.VARBINARY,
            "TIMESTAMPTZ_NS": TokenType.TIMESTAMPLTZ,
        }

    class Generator(DuckDBGenerator):
        TYPE_MAPPING = {  # noqa: RUF012
            **DuckDBGenerator.TYPE_MAPPING,
            exp.DataType.Type.TIMESTAMPLTZ: "TIMESTAMPTZ_NS",
        }
