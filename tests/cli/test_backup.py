"""``schemacat backup FILE`` and ``schemacat restore FILE``: a restore into an empty catalog
gives the same registry, id by id, as SQL and REST see it; a restore that cannot be done
says why and leaves the catalog as it was."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from catalog.core import Catalog
from catalog.registration import Reference, Registration
from tests.cli.process import schemacat
from tests.server.registry import serving
from tests.server.snapshot import registry_snapshot

ADDRESS = json.dumps({"type": "record", "name": "Address", "namespace": "acme",
                      "fields": [{"name": "street", "type": "string"}]})  # fmt: skip
ORDER = json.dumps({"type": "record", "name": "Order", "namespace": "acme",
                    "fields": [{"name": "ship_to", "type": "acme.Address"}]})  # fmt: skip
EVENT = json.dumps({"type": "object", "properties": {"kind": {"type": "string"}}})
EVENT_2 = json.dumps({"type": "object", "properties": {"kind": {"type": "integer"}}})
SQL = (
    "CREATE STREAM clicks (id BIGINT KEY, url VARCHAR) "
    "WITH (KAFKA_TOPIC = 'clicks', VALUE_FORMAT = 'AVRO', compatibility = 'FULL'); "
    "ALTER STREAM clicks ADD COLUMN referrer VARCHAR; "
    "CREATE STREAM doomed (x DOUBLE); DROP STREAM doomed; "  # its id stays given
    "SET compatibility = 'FORWARD'"
)
SHOWN = (
    "SHOW STREAMS; SHOW SCHEMA VERSIONS FOR clicks; DESCRIBE clicks; "
    'SHOW CREATE STREAM clicks; SHOW SCHEMA VERSIONS FOR "orders-value"; '
    'DESCRIBE "events-value"'
)


def run(catalog: str, statements: str) -> list[Any]:
    out = schemacat("--catalog", catalog, "run", "-c", statements, "--format", "json")
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of a catalog holding streams made in SQL, registered Avro with references,
    JSON Schema, softly deleted versions and subjects, configs and modes."""
    folder = tmp_path_factory.mktemp("backup")
    source = f"sqlite:///{folder / 'source.db'}"
    run(source, SQL)

    async def fill() -> None:
        async with await Catalog.open(source) as catalog:
            await catalog.register_schema("address", Registration("AVRO", ADDRESS))
            ref = (Reference("acme.Address", "address", 1),)
            await catalog.register_schema("orders-value", Registration("AVRO", ORDER, ref))
            await catalog.register_schema("events-value", Registration("JSON", EVENT))
            await catalog.set_subject_compatibility("events-value", "NONE")
            await catalog.register_schema("events-value", Registration("JSON", EVENT_2))
            await catalog.delete_version("events-value", 1)
            await catalog.register_schema("gone-value", Registration("AVRO", '"string"'))
            await catalog.delete_subject("gone-value")
            await catalog.set_mode("READONLY", "address")
            await catalog.set_subject_compatibility("later-value", "FULL")  # not made yet

    asyncio.run(fill())
    file = folder / "registry.jsonl"
    done = schemacat("--catalog", source, "backup", str(file))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"backed up 6 subjects, 8 versions, 9 schemas, 5 settings to {file}\n"
    (folder / "source.url").write_text(source)
    return file


def source_of(backup: Path) -> str:
    return (backup.parent / "source.url").read_text()


def test_restore_gives_the_same_registry_id_by_id(backup: Path, catalog_url: str) -> None:
    source = source_of(backup)
    lines = [json.loads(line) for line in backup.read_text().splitlines()]
    assert lines[0]["format"] == "schemacat-backup" and lines[0]["version"] == 1
    assert lines[-1] == {"kind": "end", "subjects": 6, "versions": 8, "schemas": 9}
    deleted = [(v["subject"], v["version"]) for v in lines if v.get("deleted")]
    assert deleted == [("events-value", 1), ("gone-value", 1)]

    done = schemacat("--catalog", catalog_url, "restore", str(backup))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("restored 6 subjects, 8 versions, 9 schemas, 5 settings")

    assert run(catalog_url, SHOWN) == run(source, SHOWN)
    with serving(source) as before, serving(catalog_url) as after:
        assert registry_snapshot(after) == registry_snapshot(before)
    made = run(catalog_url, "CREATE STREAM later (y VARCHAR); SHOW SCHEMA VERSIONS FOR later")
    assert made[-1]["rows"][0]["schema_id"] == 10  # past every id given, the dropped one too
    made = run(catalog_url, 'CREATE STREAM "later-value" (y VARCHAR); SHOW STREAMS')
    shown = {row["name"]: row["compatibility"] for row in made[-1]["rows"]}
    assert shown["later-value"] == "FULL"  # set before it existed, kept by the backup


def test_restore_refuses_a_catalog_that_is_not_empty(backup: Path, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'busy.db'}"
    run(target, "CREATE STREAM mine (x DOUBLE)")
    before = run(target, "SHOW STREAMS; SHOW SCHEMA VERSIONS FOR mine")
    refused = schemacat("--catalog", target, "restore", str(backup))
    assert refused.returncode == 1
    assert "the catalog is not empty" in refused.stderr and "--force" in refused.stderr
    forced = schemacat("--catalog", target, "restore", str(backup), "--force")
    assert forced.returncode == 1  # id 1 is another schema here: nothing written
    assert "the id 1 is another schema here" in forced.stderr
    assert run(target, "SHOW STREAMS; SHOW SCHEMA VERSIONS FOR mine") == before


def test_restore_refuses_a_broken_file_and_changes_nothing(backup: Path, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    lines = backup.read_text().splitlines()

    def restored(name: str, text: str) -> str:
        file = tmp_path / name
        file.write_text(text)
        out = schemacat("--catalog", target, "restore", str(file))
        assert out.returncode == 1, out.stdout
        assert out.stdout == ""
        return out.stderr

    newer = json.dumps({**json.loads(lines[0]), "version": 99})
    message = restored("newer.jsonl", "\n".join([newer, *lines[1:]]))
    assert "format version 99" in message and "reads format version 1" in message
    broken = [*lines[:4], '{"kind": "schema", "id": ', *lines[5:]]
    assert "line 5: not JSON" in restored("broken.jsonl", "\n".join(broken))
    wrong = [*lines[:5], json.dumps({**json.loads(lines[5]), "id": "one"}), *lines[6:]]
    assert "line 6: 'id' is missing" in restored("wrong.jsonl", "\n".join(wrong))
    assert "incomplete" in restored("cut.jsonl", "\n".join(lines[:-1]))
    assert "not a schemacat backup" in restored("other.jsonl", '{"hello": 1}\n')

    assert run(target, "SHOW STREAMS")[0]["rows"] == []
    assert not (tmp_path / "target.db").exists()  # not even made


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    out = schemacat("--catalog", f"sqlite:///{tmp_path / 'c.db'}", "restore")
    assert out.returncode == 2
    assert "FILE" in out.stderr


def edited(backup: Path, tmp_path: Path, name: str, change: Any) -> Path:
    """A copy of the backup with ``change`` (lines -> lines) made, its last line recounted."""
    lines = [json.loads(line) for line in backup.read_text().splitlines()]
    lines = change(lines)
    end = lines[-1]
    end["schemas"] = sum(d.get("kind") == "schema" for d in lines)
    end["versions"] = sum(d.get("kind") == "version" for d in lines)
    end["subjects"] = sum(d.get("kind") == "subject" for d in lines)
    file = tmp_path / name
    file.write_text("".join(json.dumps(d) + "\n" for d in lines))
    return file


def setting(kind: str, **values: Any) -> Any:
    def change(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**d, **values} if d.get("kind") == kind else d for d in lines]

    return change


def subject(name: str, **values: Any) -> Any:
    def change(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**d, **values} if d.get("subject") == name and d["kind"] == "subject" else d
                for d in lines]  # fmt: skip

    return change


def address_schema(**values: Any) -> Any:
    """Change the schema line of the id the subject ``address`` holds."""

    def change(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        held = next(d["id"] for d in lines
                    if d.get("kind") == "version" and d["subject"] == "address")  # fmt: skip
        return [{**d, **values} if d.get("kind") == "schema" and d["id"] == held else d
                for d in lines]  # fmt: skip

    return change


def header(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**lines[0], "version": True}, *lines[1:]]


def unknown_id(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**d, "id": 77} if d.get("kind") == "version" and d["version"] == 2 else d
            for d in lines]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (setting("mode", mode="GARBAGE"), "'GARBAGE' is not a mode; the modes are"),
        (setting("config", compatibility="NONSENSE"), "unknown compatibility mode 'NONSENSE'"),
        (setting("setting", value="SIDEWAYS"), "unknown compatibility mode 'SIDEWAYS'"),
        (subject("address", mode="SOMETIMES"), "'SOMETIMES' is not a mode"),
        (header, "the header's 'version' is True"),
        (unknown_id, "the id 77 has no schema line"),
        (address_schema(schema='{"type": "record"'), "is not a valid AVRO schema"),
        (address_schema(references=[{"name": "x", "subject": "nowhere", "version": 3}]),
         "references version 3 of 'nowhere', which neither the file nor this catalog holds"),
        (address_schema(id=2**31), f"the id {2**31} is not between 1 and {2**31 - 1}"),
    ],
)  # fmt: skip
def test_restore_refuses_invalid_content_naming_the_line(
    backup: Path, tmp_path: Path, change: Any, said: str
) -> None:
    file = edited(backup, tmp_path, "edited.jsonl", change)
    before, after = backup.read_text().splitlines(), file.read_text().splitlines()
    number = next(n for n, (a, b) in enumerate(zip(before, after, strict=True), start=1) if a != b)
    target = f"sqlite:///{tmp_path / 'target.db'}"
    out = schemacat("--catalog", target, "restore", str(file))
    assert (out.returncode, out.stdout) == (1, ""), out.stderr
    assert f"{file}, line {number}: " in out.stderr and said in out.stderr, out.stderr
    assert "correct that line, or restore another backup" in out.stderr
    assert "internal error" not in out.stderr
    assert not (tmp_path / "target.db").exists()


def test_restore_removes_secrets_as_sql_does(backup: Path, tmp_path: Path) -> None:
    file = edited(backup, tmp_path, "secrets.jsonl", subject(
        "clicks", datasource="postgresql://u:pw-in-url@h/db",
        options={"password": "opt-s3cret", "sample_size": "10"},
        query="SELECT * FROM x WHERE password = 'q-s3cret'",
        lineage=["kafka://bob:lin-s3cret@k:9092/t"],
    ))  # fmt: skip
    target = f"sqlite:///{tmp_path / 'target.db'}"
    done = schemacat("--catalog", target, "restore", str(file))
    assert done.returncode == 0, done.stderr
    shown = schemacat("--catalog", target, "run", "-c", "SHOW CREATE STREAM clicks")
    again = schemacat("--catalog", target, "backup", str(tmp_path / "again.jsonl"))
    assert shown.returncode == again.returncode == 0, shown.stderr + again.stderr
    stored = shown.stdout + (tmp_path / "again.jsonl").read_text()
    for secret in ("pw-in-url", "opt-s3cret", "q-s3cret", "lin-s3cret"):
        assert secret not in stored
    assert "postgresql://u@h/db" in stored and "sample_size" in stored


def test_backup_of_a_catalog_that_does_not_exist_fails_and_makes_nothing(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no" / "such.db"
    out = schemacat("--catalog", f"sqlite:///{missing}", "backup", str(tmp_path / "out.jsonl"))
    assert out.returncode == 1 and str(missing) in out.stderr
    assert "there is no catalog at" in out.stderr
    assert not (tmp_path / "no").exists() and not (tmp_path / "out.jsonl").exists()


def test_backup_to_no_file_name_is_a_clear_error(backup: Path) -> None:
    out = schemacat("--catalog", source_of(backup), "backup", "")
    assert out.returncode == 1 and "internal error" not in out.stderr
    assert "it names no file" in out.stderr


def test_restore_force_sets_the_files_settings(backup: Path, tmp_path: Path) -> None:
    """--force: what is there the same is kept and the file's settings win."""
    target = f"sqlite:///{tmp_path / 'target.db'}"
    assert schemacat("--catalog", target, "restore", str(backup)).returncode == 0
    changed = run(target, "SET compatibility = 'NONE'; "
                  "ALTER STREAM clicks SET (compatibility = 'BACKWARD')")  # fmt: skip
    assert changed
    forced = schemacat("--catalog", target, "restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "8 versions were there already; 2 settings set from the file" in forced.stdout

    def settings(catalog: str) -> list[Any]:
        rows = run(catalog, "SHOW STREAMS; SHOW CREATE STREAM clicks")
        return [{k: v for k, v in r.items() if k != "updated_at"} for r in rows[0]["rows"]] + [
            rows[1]["rows"]
        ]

    assert settings(target) == settings(source_of(backup))
    helped = schemacat("restore", "--help")
    assert "the file's settings win" in " ".join(helped.stdout.split())


def test_a_malformed_postgresql_catalog_url_is_a_clear_error(tmp_path: Path) -> None:
    out = schemacat("--catalog", "postgresql://u:url-s3cret@[::1/db", "backup",
                    str(tmp_path / "x.jsonl"))  # fmt: skip
    assert out.returncode == 1 and "malformed PostgreSQL catalog URL" in out.stderr
    assert "url-s3cret" not in out.stderr and "internal error" not in out.stderr
