"""The store's own schema is versioned: later releases migrate old catalogs, never the reverse."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import pytest

from catalog.errors import CatalogVersionError
from catalog.schema import Field, Schema
from catalog.store import NewVersion, StreamSpec, open_store
from catalog.store.sql import SQLStore
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


async def test_store_1_schemas_take_the_canonical_form(catalog_url: str) -> None:
    """A catalog of store 1 held types as written (large strings) and Kafka roles under
    ``kafka``; opening it rewrites them, so a refresh of the same data finds no change."""
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
    store = await open_store(catalog_url)
    assert isinstance(store, SQLStore)
    try:
        await store.create_stream(StreamSpec("old"), NewVersion(SCHEMA, "declared"))
        async with store.transaction() as tx:
            await tx.execute(
                "UPDATE schema_versions SET schema = $1, fingerprint = $2",
                text,
                hashlib.sha256(text.encode()).hexdigest(),
            )
            await tx.execute("DELETE FROM schemacat_migrations WHERE version > 1")
            await tx.execute("ALTER TABLE streams DROP COLUMN query")  # as store 1 had it
    finally:
        await store.close()
    out = schemacat(
        "--catalog", catalog_url, "run", "-c", "SHOW CREATE STREAM old; SHOW SCHEMAS",
        "--format", "json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    created, schemas = (json.loads(line) for line in out.stdout.splitlines())
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
