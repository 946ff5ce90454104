"""schemacat: a SQL-first streaming catalog with schema discovery.

Importing this package is nearly free: each public name is imported on first
use, and the clients of Kafka, PostgreSQL, S3 and DuckDB only when a statement
needs them (``schemacat --version`` starts in a few tens of milliseconds).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from catalog._version import __version__

if TYPE_CHECKING:
    from catalog.api import Catalog, SyncCatalog, connect
    from catalog.compat import CompatibilityResult, check_compatibility
    from catalog.discover import (
        Discoverer,
        cache_info,
        clear_cache,
        discover_schema,
        invalidate,
    )
    from catalog.discovery import Discovery, Provider, SourceObject
    from catalog.errors import SchemacatError
    from catalog.evolve import (
        AddColumn,
        DropColumn,
        RenameColumn,
        SetColumnDefault,
        SetColumnNullable,
        SetColumnType,
    )
    from catalog.registry import register_provider
    from catalog.schema import NO_DEFAULT, Field, Schema
    from catalog.store import SchemaVersion, StreamRecord
    from catalog.types import EnumType, parse_sql_type, sql_type_name

_EXPORTS = {
    "check_compatibility": "catalog.compat",
    "CompatibilityResult": "catalog.compat",
    "Catalog": "catalog.api",
    "discover_schema": "catalog.discover",
    "invalidate": "catalog.discover",
    "clear_cache": "catalog.discover",
    "cache_info": "catalog.discover",
    "Discoverer": "catalog.discover",
    "Discovery": "catalog.discovery",
    "Provider": "catalog.discovery",
    "SourceObject": "catalog.discovery",
    "AddColumn": "catalog.evolve",
    "DropColumn": "catalog.evolve",
    "RenameColumn": "catalog.evolve",
    "SetColumnDefault": "catalog.evolve",
    "SetColumnNullable": "catalog.evolve",
    "SetColumnType": "catalog.evolve",
    "register_provider": "catalog.registry",
    "SchemacatError": "catalog.errors",
    "NO_DEFAULT": "catalog.schema",
    "Field": "catalog.schema",
    "Schema": "catalog.schema",
    "SchemaVersion": "catalog.store",
    "StreamRecord": "catalog.store",
    "SyncCatalog": "catalog.api",
    "connect": "catalog.api",
    "EnumType": "catalog.types",
    "parse_sql_type": "catalog.types",
    "sql_type_name": "catalog.types",
}

__all__ = [
    "NO_DEFAULT",
    "AddColumn",
    "Catalog",
    "CompatibilityResult",
    "Discoverer",
    "Discovery",
    "DropColumn",
    "EnumType",
    "Field",
    "Provider",
    "RenameColumn",
    "Schema",
    "SchemaVersion",
    "SchemacatError",
    "SetColumnDefault",
    "SetColumnNullable",
    "SetColumnType",
    "SourceObject",
    "StreamRecord",
    "SyncCatalog",
    "__version__",
    "cache_info",
    "check_compatibility",
    "clear_cache",
    "connect",
    "discover_schema",
    "invalidate",
    "parse_sql_type",
    "register_provider",
    "sql_type_name",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'catalog' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
