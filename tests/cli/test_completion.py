"""What the shell offers at each place in a statement (the pty test types a few of these)."""

from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from catalog.cli.completion import StatementCompleter


@pytest.fixture
def completer() -> StatementCompleter:
    c = StatementCompleter()
    c.streams = {"orders": ("id", "note"), "order_lines": ("sku", "qty")}
    return c


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        (
            "",
            [
                "CREATE",
                "ALTER",
                "DROP",
                "SHOW",
                "LIST",
                "DESCRIBE",
                "VALIDATE",
                "SET",
                "DEFINE",
                "RUN",
            ],
        ),
        ("de", ["describe", "define"]),
        ("DESCRIBE ", ["orders", "order_lines"]),
        ("SHOW SCHEMA VERSIONS FOR order_", ["order_lines"]),
        ("DROP STREAM IF EXISTS o", ["orders", "order_lines"]),
        ("ALTER STREAM orders DROP COLUMN ", ["id", "note"]),
        ("ALTER STREAM orders DROP COLUMN IF EXISTS n", ["note"]),
        ("ALTER STREAM orders RENAME COLUMN i", ["id"]),
        ("ALTER STREAM orders ALTER COLUMN ", ["id", "note"]),
        ("ALTER STREAM orders ADD COLUMN ", []),
        ("ALTER STREAM orders ADD COLUMN IF NOT EXISTS ", []),
        ("ALTER STREAM orders ADD COLUMN x INT, DROP COLUMN ", ["id", "note"]),
        ("ALTER STREAM orders ADD COLUMN total BIGI", ["BIGINT"]),
        ("CREATE STREAM s WITH (compat", ["compatibility"]),
    ],
)
def test_offers(completer: StatementCompleter, typed: str, offered: list[str]) -> None:
    found = completer.get_completions(Document(typed), CompleteEvent(completion_requested=True))
    assert [c.text for c in found] == offered
