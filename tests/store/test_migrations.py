"""The store's own schema is versioned: later releases migrate old catalogs, never the reverse."""

from __future__ import annotations

import pyarrow as pa
import pytest

from catalog.errors import CatalogVersionError
from catalog.schema import Field, Schema
from catalog.store import NewVersion, StreamSpec, open_store
from catalog.store.sql import SQLStore

SCHEMA = Schema([Field("id", pa.int64())])


async def test_a_later_release_migrates_an_existing_catalog(catalog_url: str) -> None:
    store = await open_store(catalog_url)
    assert isinstance(store, SQLStore)
    try:
        assert await store.store_version() == 1
        await store.create_stream(StreamSpec("orders"), NewVersion(SCHEMA, "declared"))
        later = [*store.MIGRATIONS, (2, ["ALTER TABLE streams ADD COLUMN owner TEXT"])]
        await store.migrate(later)
        await store.migrate(later)  # applied once only
        assert await store.store_version() == 2
        assert (await store.get_version("orders")).schema == SCHEMA
    finally:
        await store.close()


async def test_an_older_release_refuses_a_newer_catalog(catalog_url: str) -> None:
    store = await open_store(catalog_url)
    assert isinstance(store, SQLStore)
    try:
        await store.migrate([*store.MIGRATIONS, (2, ["ALTER TABLE streams ADD COLUMN owner TEXT"])])
    finally:
        await store.close()
    with pytest.raises(CatalogVersionError) as err:
        await open_store(catalog_url)
    assert "newer schemacat" in err.value.message
    assert err.value.hint == "upgrade schemacat to open it"
