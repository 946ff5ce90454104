"""Catalog URLs: sqlite:///, plain paths, postgresql://, and clear errors for the rest."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from catalog.errors import CatalogError, CatalogURLError
from catalog.store import default_catalog_url, open_store
from tests.services import free_port


async def test_plain_path_and_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url, expected in [
        ("plain.db", tmp_path / "plain.db"),
        ("sqlite:///rel/cat.db", tmp_path / "rel" / "cat.db"),
        (f"sqlite:///{tmp_path}/abs.db", tmp_path / "abs.db"),
    ]:
        store = await open_store(url)
        await store.set_setting("compatibility", "FULL")  # the file appears with a write
        await store.close()
        assert expected.exists(), url


def test_default_catalog_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHEMACAT_CATALOG", raising=False)
    assert default_catalog_url() == "schemacat.db"
    monkeypatch.setenv("SCHEMACAT_CATALOG", "sqlite:///team.db")
    assert default_catalog_url() == "sqlite:///team.db"


@pytest.mark.parametrize("url", ["mysql://db/x", "sqlite://x.db", "sqlite:///"])
async def test_bad_urls(url: str) -> None:
    with pytest.raises(CatalogURLError) as err:
        await open_store(url)
    assert err.value.hint


async def test_a_file_that_is_not_a_catalog(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CatalogError) as err:
        await open_store(str(junk))
    assert str(junk) in err.value.message


async def test_unreachable_postgres_names_the_server_without_the_password() -> None:
    url = f"postgresql://app:hunter2@127.0.0.1:{free_port()}/cat"
    with pytest.raises(CatalogError) as err:
        await open_store(url)
    assert "hunter2" not in str(err.value)
    assert f"postgresql://app@127.0.0.1:{url.rsplit(':', 1)[1]}" in err.value.message


async def test_a_postgres_catalog_with_the_host_in_the_query(pg_catalog_url: str) -> None:
    """``postgresql:///db?host=...&schema=...``: the empty host stays empty (the // kept)."""
    parts = urlsplit(pg_catalog_url)
    host = f"host={parts.hostname}&port={parts.port or 5432}&user={parts.username or 'postgres'}"
    store = await open_store(f"postgresql://{parts.path}?{host}&{parts.query}")
    try:
        assert await store.list_streams() == []
    finally:
        await store.close()
