"""What the shell offers at each place in a statement (the pty test types a few of these)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid

import asyncpg
import boto3
import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from catalog.cli.completion import StatementCompleter
from catalog.discover import default_discoverer
from tests.conftest import with_query
from tests.providers.kafka_util import create_topic
from tests.services import Service, free_port


@pytest.fixture
def completer() -> StatementCompleter:
    c = StatementCompleter(default_discoverer)
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


async def test_topics_and_tables_come_from_the_source(
    kafka: Service, pg_database: str, completer: StatementCompleter
) -> None:
    topic = f"completion-{uuid.uuid4().hex[:8]}"
    await create_topic(kafka.address, topic, 1)
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute("CREATE TABLE shipments (id bigint); CREATE TABLE shops (id bigint)")
    finally:
        await conn.close()

    def offered(typed: str) -> list[str]:  # the shell runs the completer in a thread
        found = completer.get_completions(Document(typed), CompleteEvent(completion_requested=True))
        return [c.text for c in found]

    broker = f"kafka://{kafka.address}"
    assert await asyncio.to_thread(offered, f"DESCRIBE '{broker}/completion-") == [
        f"{broker}/{topic}"
    ]
    database = with_query(pg_database, sslmode="disable")
    assert await asyncio.to_thread(offered, f"DESCRIBE '{database}&table=public.sh") == [
        f"{database}&table=public.shipments",
        f"{database}&table=public.shops",
    ]


def test_a_source_that_does_not_answer_offers_nothing_quickly(
    completer: StatementCompleter,
) -> None:
    typed = f"DESCRIBE 'kafka://127.0.0.1:{free_port()}/"
    start = time.monotonic()
    for _ in range(3):  # asked once; the silence is remembered
        found = completer.get_completions(Document(typed), CompleteEvent(completion_requested=True))
        assert list(found) == []
    assert time.monotonic() - start < 2 * StatementCompleter(default_discoverer).sources.TIMEOUT


async def test_s3_folders_and_objects(
    s3: Service, bucket: str, completer: StatementCompleter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.address)
    client = boto3.client("s3", endpoint_url=s3.address)
    for key in ("lake/day=1/a.parquet", "lake/day=2/b.parquet", "lake/notes.md", "top.csv"):
        client.put_object(Bucket=bucket, Key=key, Body=b"x")

    def offered(typed: str) -> list[tuple[str, str]]:
        found = completer.get_completions(Document(typed), CompleteEvent(completion_requested=True))
        return [(c.text, c.display_meta_text) for c in found]

    lake = f"s3://{bucket}/lake/"
    assert await asyncio.to_thread(offered, f"DESCRIBE '{lake}") == [
        (f"{lake}day=1/", "folder"),
        (f"{lake}day=2/", "folder"),
        (f"{lake}notes.md", "object"),
    ]
    assert await asyncio.to_thread(offered, f"DESCRIBE '{lake}day=2") == [
        (f"{lake}day=2/", "folder")
    ]
    assert await asyncio.to_thread(offered, f"DESCRIBE 's3://{bucket}/t") == [
        (f"s3://{bucket}/top.csv", "object")
    ]


def test_tab_imports_no_client_library_it_is_not_completing() -> None:
    """WITH keys for a Kafka datasource ask its provider only, and need no client at all."""
    probe = (
        "import sys\n"
        "from prompt_toolkit.completion import CompleteEvent\n"
        "from prompt_toolkit.document import Document\n"
        "from catalog.cli.completion import StatementCompleter\n"
        "from catalog.discover import default_discoverer\n"
        "c = StatementCompleter(default_discoverer)\n"
        "typed = \"CREATE STREAM s WITH (datasource = 'kafka://h:9092/t', \"\n"
        "keys = [x.text for x in c.get_completions(Document(typed), CompleteEvent())]\n"
        'schemes = [x.text for x in c.get_completions(Document("DESCRIBE \'"), CompleteEvent())]\n'
        "print('from' in keys, 'kafka://' in schemes)\n"
        "print(' '.join(m for m in ('aiokafka', 'asyncpg', 'boto3', 'botocore') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["True True", ""]
