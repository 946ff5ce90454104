"""Catalog stores: the embedded SQLite file, or a shared PostgreSQL database."""

from __future__ import annotations

import os

from catalog.errors import CatalogURLError
from catalog.secrets import redact
from catalog.store.base import (
    NewVersion,
    SchemaVersion,
    Store,
    StreamRecord,
    StreamSpec,
    StreamWriter,
)

DEFAULT_CATALOG = "schemacat.db"

__all__ = [
    "NewVersion",
    "SchemaVersion",
    "Store",
    "StreamRecord",
    "StreamSpec",
    "StreamWriter",
    "default_catalog_url",
    "open_store",
]


def default_catalog_url() -> str:
    """``$SCHEMACAT_CATALOG``, else ``./schemacat.db``."""
    return os.environ.get("SCHEMACAT_CATALOG") or DEFAULT_CATALOG


async def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating if needed) the catalog at ``url``.

    ``sqlite:///relative/file.db``, ``sqlite:////absolute/file.db``, a plain
    file path, or ``postgresql://user@host:port/db?schema=name``.
    """
    url = url or default_catalog_url()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        from catalog.store.postgres import PostgresStore

        return await PostgresStore.open(url)
    if scheme == "sqlite":
        path = url.split("://", 1)[1]
        if not path.startswith("/"):
            raise CatalogURLError(
                f"malformed SQLite catalog URL {redact(url)!r}",
                hint="write sqlite:///relative/path.db or sqlite:////absolute/path.db",
            )
        path = path[1:]
    elif scheme:
        raise CatalogURLError(
            f"unsupported catalog URL {redact(url)!r}",
            hint="use a file path, sqlite:///path.db or postgresql://host/db",
        )
    else:
        path = url
    if not path:
        raise CatalogURLError("the SQLite catalog URL names no file", hint="sqlite:///catalog.db")
    from catalog.store.sqlite import SQLiteStore

    return await SQLiteStore.open(path)
