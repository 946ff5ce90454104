"""Catalog files that are not what they should be, through ``schemacat run``: a catalog file
appears with the first write, not before; a file that is not a catalog is refused without a
byte changed; a read-only catalog serves reads; a damaged
or full one is a clear error that loses nothing; a PostgreSQL user without rights is told
which it lacks."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tests.cli.process import schemacat
from tests.conftest import with_database
from tests.services import Service


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_catalog_file_appears_with_the_first_write(tmp_path: Path) -> None:
    cars = Path(__file__).parents[2] / "sql_examples" / "data" / "cars.ndjson"
    reads = f"SHOW STREAMS; SHOW SCHEMAS; DESCRIBE '{cars}'; SHOW CREATE STREAM nope"
    out = schemacat("run", "-c", reads, cwd=tmp_path)
    assert "stream 'nope' does not exist" in out.stderr and "(0 rows)" in out.stdout
    assert list(tmp_path.iterdir()) == []
    out = schemacat("run", "-c", "CREATE STREAM a (id INT); SHOW STREAMS", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "schemacat.db").is_file() and "(1 row)" in out.stdout
    again = schemacat("run", "-c", "SHOW STREAMS", cwd=tmp_path)
    assert "(1 row)" in again.stdout


def test_a_catalog_folder_that_cannot_be_made_is_a_clear_error() -> None:
    url = "/proc/schemacat-nowhere/c.db"  # /proc makes no folders, not even for root
    out = schemacat("--catalog", url, "run", "-c", "SHOW STREAMS; CREATE STREAM a (id INT)")
    assert out.returncode == 1 and "(0 rows)" in out.stdout
    assert "-c:1:15: error: cannot make the folder /proc/schemacat-nowhere" in out.stderr
    assert "internal error" not in out.stderr


def test_a_sqlite_file_that_is_not_a_catalog_is_left_as_it_is(tmp_path: Path) -> None:
    foreign = tmp_path / "app.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE streams (a, b)")
    conn.commit()
    conn.close()
    before = digest(foreign)
    out = schemacat("--catalog", str(foreign), "run", "-c", "SHOW STREAMS")
    assert out.returncode == 1
    assert "is a SQLite database, but not a schemacat catalog (its tables: streams)" in out.stderr
    assert digest(foreign) == before and sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(5000))
    out = schemacat("--catalog", str(junk), "run", "-c", "SHOW STREAMS")
    assert "junk.db is not a schemacat catalog: it is not a SQLite database" in out.stderr


def test_a_damaged_catalog_says_so(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    assert schemacat("--catalog", str(db), "run", "-c", "CREATE STREAM s (id INT)").returncode == 0
    with db.open("r+b") as file:
        file.truncate(3000)
    out = schemacat("--catalog", str(db), "run", "-c", "SHOW STREAMS")
    assert out.returncode == 1 and "internal error" not in out.stderr
    assert f"the catalog file {db} is damaged" in out.stderr


def as_a_reader(*args: str) -> subprocess.CompletedProcess[str]:
    """schemacat run by a user whom the files' modes bind: root writes a file whatever its
    mode says, unless in a user namespace of its own (``unshare --user``)."""
    namespace = ["unshare", "--user"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*namespace, sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_read_only_catalog_serves_reads(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    db = folder / "c.db"
    made = schemacat("--catalog", str(db), "run", "-c", "CREATE STREAM s (id BIGINT)")
    assert made.returncode == 0
    db.chmod(0o444)
    folder.chmod(0o555)
    before = digest(db)
    try:
        reads = as_a_reader(
            "--catalog", str(db), "run", "-c",
            "SHOW STREAMS; DESCRIBE s; SHOW SCHEMA VERSIONS FOR s; SHOW CREATE STREAM s",
        )  # fmt: skip
        assert reads.returncode == 0, reads.stderr
        assert "| s " in reads.stdout and "CREATE STREAM s" in reads.stdout
        write = as_a_reader("--catalog", str(db), "run", "-c", "CREATE STREAM t (x INT)")
        assert write.returncode == 1
        assert f"the catalog {db} is open read-only" in write.stderr
        assert digest(db) == before
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


def test_a_full_disk_keeps_what_was_written(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    assert schemacat("--catalog", str(db), "run", "-c", "CREATE STREAM s (id INT)").returncode == 0
    columns = ", ".join(f"c{i} VARCHAR COMMENT '{'x' * 200}'" for i in range(50))
    script = tmp_path / "grow.sql"
    script.write_text("".join(f"CREATE STREAM s{i} ({columns});\n" for i in range(100)))

    def small_files() -> None:  # files stop growing past 300 KB, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    out = subprocess.run(
        [sys.executable, "-m", "catalog", "--catalog", str(db), "run", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=small_files,
    )
    assert out.returncode == 1 and "internal error" not in out.stderr
    assert f"the catalog file {db} could not be written" in out.stderr
    written = out.stdout.count("stream s")
    assert 0 < written < 100
    shown = schemacat("--catalog", str(db), "run", "-c", "SHOW SCHEMAS", "--format", "csv")
    assert len(shown.stdout.splitlines()) == 1 + 1 + written  # header, s, and each written
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_a_postgresql_user_without_create_is_told_what_it_lacks(postgres: Service) -> None:
    role, database = f"weak_{uuid.uuid4().hex[:8]}", f"weakdb_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres.address)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN")
        await admin.execute(f'CREATE DATABASE "{database}"')
        await admin.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        await admin.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
        parts = urlsplit(with_database(postgres.address, database))
        url = urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}"))
        out = schemacat("--catalog", url, "run", "-c", "SHOW STREAMS")
        assert out.returncode == 1 and "internal error" not in out.stderr
        assert "refused: permission denied for database" in out.stderr
        assert "the user needs CREATE on the database" in out.stderr
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()
