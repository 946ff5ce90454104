"""The store's own schema is versioned: later releases migrate old catalogs, never the reverse."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import pytest

from catalog.errors import CatalogVersionError
from catalog.schema import Field, Schema
from catalog.store import NewVersion, StreamSpec, open_store
from catalog.store.base import now
from catalog.store.postgres import PostgresStore
from catalog.store.sql import SQLStore
from catalog.store.sqlite import SQLiteStore
from tests.cli.process import schemacat

SCHEMA = Schema([Field("id", pa.int64())])


async def test_a_later_release_migrates_an_existing_catalog(catalog_url: str) -> None:
    store = await open_store(catalog_url)
    assert isinstance(store, SQLStore)
    try:
        newest = max(version for version, _ in store.MIGRATIONS)
        assert await store.store_version() == newest
        await store.create_stream(StreamSpec("orders"), NewVersion(SCHEMA, "declared"))
        later = [*store.MIGRATIONS, (newest + 1, ["ALTER TABLE streams ADD COLUMN owner TEXT"])]
        await store.migrate(later)
        await store.migrate(later)  # applied once only
        assert await store.store_version() == newest + 1
        assert (await store.get_version("orders")).schema == SCHEMA
    finally:
        await store.close()


async def test_an_older_release_refuses_a_newer_catalog(catalog_url: str) -> None:
    store = await open_store(catalog_url)
    assert isinstance(store, SQLStore)
    try:
        newest = max(version for version, _ in store.MIGRATIONS)
        extra = (newest + 1, ["ALTER TABLE streams ADD COLUMN owner TEXT"])
        await store.migrate([*store.MIGRATIONS, extra])
    finally:
        await store.close()
    with pytest.raises(CatalogVersionError) as err:
        await open_store(catalog_url)
    assert "newer schemacat" in err.value.message
    assert err.value.hint == "upgrade schemacat to open it"


async def test_store_1_schemas_take_the_canonical_form(
    catalog_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog of store 1 held types as written (large strings) and Kafka roles under
    ``kafka``; opening it rewrites them, so a refresh of the same data finds no change;
    and its versions get registry ids (store 5)."""
    legacy = {
        "fields": [
            {"name": "k", "type": "large_string", "nullable": True, "metadata": {"kafka": "key"}},
            {"name": "h", "type": "string", "nullable": True,
             "metadata": {"kafka": "header", "kafka.header": "trace"}},
            {"name": "n", "type": {"type": "large_list", "item": {"type": "int64", "nullable": True}},
             "nullable": True},
        ]
    }  # fmt: skip
    text = json.dumps(legacy, sort_keys=True, separators=(",", ":"))
    for backend in (SQLiteStore, PostgresStore):  # a catalog as store 1 made it
        monkeypatch.setattr(backend, "MIGRATIONS", backend.MIGRATIONS[:1])
    store = await open_store(catalog_url)
    assert isinstance(store, SQLStore)
    try:
        async with store.transaction() as tx:
            await tx.execute(
                "INSERT INTO streams (key, name, options, compatibility, latest_version, "
                "created_at, updated_at) VALUES ('old', 'old', '{}', 'BACKWARD', 1, $1, $1)",
                now(),
            )
            await tx.execute(
                "INSERT INTO schema_versions (stream_key, version, schema, fingerprint, origin, "
                "change, created_at) VALUES ('old', 1, $1, $2, 'declared', 'created', $3)",
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                now(),
            )
    finally:
        await store.close()
    monkeypatch.undo()
    out = schemacat(
        "--catalog", catalog_url, "run", "-c",
        "SHOW CREATE STREAM old; SHOW SCHEMAS; SHOW SCHEMA VERSIONS FOR old", "--format", "json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    created, schemas, versions = (json.loads(line) for line in out.stdout.splitlines())
    assert versions["rows"][0]["schema_id"] == 1  # store 5 gave it an id
    statement = created["rows"][0]["statement"]
    assert "k VARCHAR KEY," in statement and "h VARCHAR HEADER('trace')," in statement
    assert "n BIGINT[]" in statement
    expected = Schema(
        [
            Field("k", pa.string(), metadata={"role": "key"}),
            Field("h", pa.string(), metadata={"role": "header", "header": "trace"}),
            Field("n", pa.large_list(pa.int64())),
        ]
    )
    assert schemas["rows"][0]["fingerprint"] == expected.fingerprint
