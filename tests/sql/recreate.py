"""SHOW CREATE STREAM, run on an empty catalog, gives back the same latest schema: for
declared, discovered, renamed and derived streams alike (a derived stream after the
streams its query reads)."""

from __future__ import annotations

from pathlib import Path

import catalog


async def assert_recreatable(cat: catalog.Catalog, path: Path) -> None:
    async with await catalog.Catalog.open(str(path)) as empty:
        for stream in _sources_first(await cat.streams()):
            [statement] = (await cat.execute(f'SHOW CREATE STREAM "{stream.name}"'))[0].rows[0]
            await empty.execute(statement)
            original = await cat.get_version(stream.name)
            recreated = await empty.get_version(stream.name)
            assert _columns(recreated.schema) == _columns(original.schema), statement
            assert recreated.fingerprint == original.fingerprint, (
                statement,
                original.schema.canonical,
                recreated.schema.canonical,
            )
            again = await empty.stream(stream.name)
            assert (again.compatibility, again.query, again.lineage) == (
                stream.compatibility,
                stream.query,
                stream.lineage,
            )


def _sources_first(streams: list[catalog.StreamRecord]) -> list[catalog.StreamRecord]:
    """The streams in an order in which each comes after the streams its query reads."""
    by_name = {s.name: s for s in streams}
    ordered: list[catalog.StreamRecord] = []

    def visit(stream: catalog.StreamRecord) -> None:
        if stream in ordered:
            return
        for source in stream.lineage:
            if source in by_name:
                visit(by_name[source])
        ordered.append(stream)

    for stream in streams:
        visit(stream)
    return ordered


def _columns(schema: catalog.Schema) -> list[tuple[object, ...]]:
    """What DDL can express: name, type, nullability, default, comment, aliases, roles."""
    return [
        (
            f.name,
            f.sql_type,
            f.nullable,
            f.has_default,
            f.default,
            f.comment,
            f.aliases,
            f.metadata.get("role"),
            f.metadata.get("header"),
        )
        for f in schema
    ]
