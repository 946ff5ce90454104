"""A secret never reaches an output channel: for each way a secret enters a statement, a
unique marker is found neither in stdout (tables, JSON), nor in stderr (errors and the
lines they echo), nor in the catalog, nor in the shell's history file."""

from __future__ import annotations

import stat
import string
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.cli.main import main
from tests.cli.terminal import Terminal

# what a password may hold and a SQL string still take: no quote, no backslash
_CHARS = string.ascii_letters + string.digits + "/#?@!%^&*()-_+=:;,. "


@st.composite
def markers(draw: st.DrawFn) -> str:
    """A secret no output holds by chance: a unique head, then any password characters."""
    return f"Zq{uuid.uuid4().hex[:10]}" + draw(st.text(_CHARS, max_size=12))


Kind = Callable[[str, str], list[str]]  # (marker, a database's DSN) -> a script's statements


def pg_password(marker: str, database: str) -> list[str]:
    """A password PostgreSQL takes (trust authentication): every statement succeeds."""
    uri = database.replace("@", f":{quote(marker, safe='')}@", 1) + "?table=orders"
    return [
        f"CREATE STREAM t WITH (datasource = '{uri}', timeout = 5)",
        "SHOW STREAMS",
        "SHOW CREATE STREAM t",
        "DESCRIBE EXTENDED t",
        "ALTER STREAM t REFRESH",
        f"DESCRIBE '{uri}'",
        f"CREATE STREAM bad WITH (datasource = '{uri.replace('orders', 'nothing')}')",
        f"CREATE STREAM raw WITH (datasource = '{uri.replace(quote(marker, safe=''), marker)}')",
    ]


def unreachable_pg(marker: str, database: str) -> list[str]:
    return [f"CREATE STREAM t WITH (datasource = 'postgresql://u:{marker}@127.0.0.1:1/db?table=t')"]


def kafka_login(marker: str, database: str) -> list[str]:
    return [f"CREATE STREAM t WITH (datasource = 'kafka://me:{marker}@127.0.0.1:1/orders')"]


def s3_keys(marker: str, database: str) -> list[str]:
    return [f"CREATE STREAM t WITH (datasource = 's3://AKIA:{marker}@bucket/orders.csv')"]


def endpoint_userinfo(marker: str, database: str) -> list[str]:
    endpoint = f"http://me:{marker}@127.0.0.1:1"
    return [
        f"CREATE STREAM t (id BIGINT) WITH (datasource = 's3://b/o.csv', "
        f"endpoint_url = '{endpoint}', validate = false)",
        "SHOW CREATE STREAM t",
        f"DESCRIBE 's3://b/o.csv' WITH (endpoint_url = '{endpoint}')",
    ]


def secret_options(marker: str, database: str) -> list[str]:
    return [
        "CREATE STREAM t (id BIGINT) WITH (datasource = 'kafka://127.0.0.1:1/t', "
        f"sasl_plain_password = '{marker}', validate = false)",
        f"ALTER STREAM t SET (sasl_plain_password = '{marker}', timeout = 3)",
        "SHOW CREATE STREAM t",
        f"ALTER STREAM t SET (password = '{marker}')",
    ]


def defined(marker: str, database: str) -> list[str]:
    return [
        f"DEFINE pg_password = '{marker}'",
        "CREATE STREAM t WITH (datasource = 'postgresql://u:${pg_password}@127.0.0.1:1/db')",
        f"DEFINE api_token = '{marker}' oops",
    ]


KINDS: list[Kind] = [
    pg_password,
    unreachable_pg,
    kafka_login,
    s3_keys,
    endpoint_userinfo,
    secret_options,
    defined,
]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(marker=markers())
def test_no_channel_holds_a_secret(
    kind: Kind,
    marker: str,
    orders_table: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / f"{uuid.uuid4().hex}.db"
    script = tmp_path / "script.sql"
    script.write_text("".join(f"{statement};\n" for statement in kind(marker, orders_table)))
    for fmt in ("table", "json"):
        main(["--catalog", str(db), "run", str(script), "--continue-on-error", "--format", fmt])
    out, err = capsys.readouterr()
    assert "internal error" not in err
    for channel, text in (("stdout", out), ("stderr", err), ("catalog", _bytes(db))):
        assert marker not in text, f"{channel} holds the secret"


@pytest.fixture
async def orders_table(pg_database: str) -> str:
    """A database with a table ``orders``; its DSN, with a user and no password."""
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute("CREATE TABLE orders (id bigint, note text)")
    finally:
        await conn.close()
    parts = urlsplit(pg_database)
    return urlunsplit(
        parts._replace(
            netloc=f"{parts.username or 'postgres'}@{parts.hostname}:{parts.port or 5432}"
        )
    )


def _bytes(db: Path) -> str:
    return "".join(p.read_bytes().decode("latin-1") for p in db.parent.glob(f"{db.name}*"))


def test_the_history_file_is_the_users_alone_and_holds_no_secret(tmp_path: Path) -> None:
    marker = f"Zq{uuid.uuid4().hex}"
    home = tmp_path / "home"
    shell = Terminal("--catalog", str(tmp_path / "c.db"), "shell", home=home)
    try:
        shell.wait_for("schemacat>")
        shell.enter(
            f"CREATE STREAM t WITH (datasource = 'postgresql://u:{marker}@127.0.0.1:1/db"
            "?table=t', timeout = 1);"
        )
        shell.wait_for("hint:")
        shell.enter(f"DEFINE api_token = '{marker}';")
        shell.wait_for("api_token defined")
        shell.enter("\\q")
        assert shell.close() == 0
    finally:
        shell.child.terminate(force=True)
    [history] = home.rglob("history")
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    text = history.read_text()
    assert "CREATE STREAM t WITH (datasource = 'postgresql://u@127.0.0.1:1/db" in text
    assert marker not in text
