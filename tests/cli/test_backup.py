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

    asyncio.run(fill())
    file = folder / "registry.jsonl"
    done = schemacat("--catalog", source, "backup", str(file))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"backed up 6 subjects, 8 versions, 9 schemas, 4 configs to {file}\n"
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
    assert done.stdout.startswith("restored 6 subjects, 8 versions, 9 schemas, 4 configs")

    assert run(catalog_url, SHOWN) == run(source, SHOWN)
    with serving(source) as before, serving(catalog_url) as after:
        assert registry_snapshot(after) == registry_snapshot(before)
    made = run(catalog_url, "CREATE STREAM later (y VARCHAR); SHOW SCHEMA VERSIONS FOR later")
    assert made[-1]["rows"][0]["schema_id"] == 10  # past every id given, the dropped one too


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
