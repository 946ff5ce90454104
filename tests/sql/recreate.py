"""SHOW CREATE STREAM, run on an empty catalog, gives back the same latest schema."""

from __future__ import annotations

from pathlib import Path

import catalog


async def assert_recreatable(cat: catalog.Catalog, path: Path) -> None:
    async with await catalog.Catalog.open(str(path)) as empty:
        for stream in await cat.streams():
            [statement] = (await cat.execute(f'SHOW CREATE STREAM "{stream.name}"'))[0].rows[0]
            await empty.execute(statement)
            original = await cat.get_schema(stream.name)
            recreated = await empty.get_schema(stream.name)
            assert _columns(recreated) == _columns(original), statement
            assert (await empty.stream(stream.name)).compatibility == stream.compatibility


def _columns(schema: catalog.Schema) -> list[tuple[object, ...]]:
    """What DDL can express: name, type, nullability, default, comment, message roles."""
    return [
        (
            f.name,
            f.sql_type,
            f.nullable,
            f.has_default,
            f.default,
            f.comment,
            f.metadata.get("role"),
            f.metadata.get("header"),
        )
        for f in schema
    ]
