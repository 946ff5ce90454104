"""The README's SQL is real: every statement in its ``sql`` blocks parses."""

from __future__ import annotations

import re
from pathlib import Path

from catalog.sql.dialect import parse_statement
from catalog.sql.script import split_statements

README = Path(__file__).parents[1] / "README.md"


def test_every_sql_statement_in_the_readme_parses() -> None:
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(), flags=re.S)
    statements = [piece.text for block in blocks for piece in split_statements(block)]
    assert len(statements) > 15
    for statement in statements:
        parse_statement(statement)
