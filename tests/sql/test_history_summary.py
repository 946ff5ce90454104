"""The summary a transitive check keeps of a stream's history is derived data: used only
while the live versions are those it summarises, so a stale one (after a delete, a
mode changed under it, a registration, a restore) never lets a schema through that
the versions themselves refuse, and every verdict is the one a catalog without it gives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import catalog
from catalog.errors import IncompatibleSchema
from catalog.registration import Registration
from catalog.schema import Field, Schema
from catalog.store import NewVersion, StreamSpec, open_store
from catalog.store.postgres import PostgresStore
from catalog.store.sql import SQLStore, decoded_schema_cache
from catalog.store.sqlite import SQLiteStore

Step = Callable[[catalog.Catalog, str], Awaitable[Any]]


def sql(text: str) -> Step:
    async def run(cat: catalog.Catalog, name: str) -> Any:
        return await cat.execute(text.format(s=name))

    return run


def register(avro: str) -> Step:
    """A version registered through the registry's door, which keeps no summary."""

    async def run(cat: catalog.Catalog, name: str) -> Any:
        return await cat.register_schema(name, Registration("AVRO", avro.replace("{s}", name)))

    return run


def delete(version: int) -> Step:
    async def run(cat: catalog.Catalog, name: str) -> Any:
        return await cat.delete_version(name, version)

    return run


def record(fields: str) -> str:
    """An Avro record named as the stream's versions are (``{s}``: the stream's name)."""
    return '{"type": "record", "name": "{s}", "fields": [' + fields + "]}"


ID = '{"name": "id", "type": "long"}'
NULLABLE = '{{"name": "{0}", "type": ["null", "{1}"], "default": null}}'

#: (step, whether it must be refused); the comments say what a summary trusted blindly
#: (not that of the live versions) would have done
STEPS: list[tuple[Step, bool]] = [
    (sql("SET compatibility = 'FULL_TRANSITIVE'"), False),
    (sql("CREATE STREAM {s} (id BIGINT NOT NULL)"), False),
    (sql("ALTER STREAM {s} ADD COLUMN x BIGINT DEFAULT NULL"), False),
    (sql("ALTER STREAM {s} ADD COLUMN y VARCHAR NOT NULL"), True),  # v1 has no y to read
    # the catalog's mode changes under the stream, which keeps no summary meanwhile
    (sql("SET compatibility = 'NONE'"), False),
    (sql("ALTER STREAM {s} ADD COLUMN y VARCHAR DEFAULT NULL"), False),
    (sql("SET compatibility = 'FULL_TRANSITIVE'"), False),
    (sql("ALTER STREAM {s} ALTER COLUMN y TYPE BIGINT"), True),  # cleared: y was VARCHAR in v3
    (delete(3), False),  # the summary of v1 and v2 is that of the live versions again
    (sql("ALTER STREAM {s} ADD COLUMN y BIGINT DEFAULT NULL"), False),
    # registered through the registry's door: a version no summary has seen
    (register(record(f"{ID}, {NULLABLE.format('w', 'string')}")), False),
    (sql("ALTER STREAM {s} ALTER COLUMN w TYPE BIGINT"), True),  # cleared: w was a string
    (sql("ALTER STREAM {s} ALTER COLUMN w SET DEFAULT 'none'"), False),
    (sql("ALTER STREAM {s} ALTER COLUMN id DROP NOT NULL"), True),  # old readers need it
    (sql("ALTER STREAM {s} SET (compatibility = 'FORWARD_TRANSITIVE')"), False),
    (sql("ALTER STREAM {s} DROP COLUMN w"), False),  # it had a default where it was
    (sql("ALTER STREAM {s} DROP COLUMN id"), True),  # v1 and v2 have it with none
    (sql("ALTER STREAM {s} SET (compatibility = 'BACKWARD_TRANSITIVE')"), False),
    (sql("ALTER STREAM {s} ALTER COLUMN id DROP NOT NULL"), False),
    (sql("ALTER STREAM {s} ADD COLUMN q BIGINT NOT NULL"), True),  # old data has no q
]


async def outcome(step: Step, cat: catalog.Catalog, name: str) -> tuple[Any, ...]:
    """What a step did, in words that do not name the stream."""
    try:
        await step(cat, name)
    except catalog.SchemacatError as exc:
        issues = [(i.path, i.kind, i.version, i.direction) for i in getattr(exc, "issues", [])]
        return (exc.code, exc.message.replace(name, "S"), issues)
    versions = await cat.versions(name) if await _exists(cat, name) else []
    return ("ok", [(v.version, Schema(v.schema.fields).fingerprint) for v in versions])


async def _exists(cat: catalog.Catalog, name: str) -> bool:
    return name in [s.name for s in await cat.streams()]


async def forget_summaries(cat: catalog.Catalog) -> None:
    """The catalog as one without summaries: every check reads every version."""
    store = cat.store
    assert isinstance(store, SQLStore)
    async with store.transaction() as tx:
        await tx.execute("DELETE FROM history_summaries")


async def test_a_stale_summary_never_changes_a_verdict(catalog_url: str) -> None:
    async with await catalog.Catalog.open(catalog_url) as cat:
        kept, bare = [], []
        for step, refused in STEPS:
            kept.append(await outcome(step, cat, "kept"))
            saved = await _summaries(cat)
            await forget_summaries(cat)
            bare.append(await outcome(step, cat, "bare"))
            await _restore_summaries(cat, saved)
            assert (kept[-1][0] == "INCOMPATIBLE_SCHEMA") == refused, kept[-1]
        assert kept == bare
        assert await _summaries(cat)  # some were kept, and those were used


async def _summaries(cat: catalog.Catalog) -> list[tuple[str, str, str]]:
    """The kept stream's summary (the other stream never keeps one for long)."""
    store = cat.store
    assert isinstance(store, SQLStore)
    rows = await store.query(
        "SELECT stream_key, history, summary FROM history_summaries WHERE stream_key = 'kept'"
    )
    return [(r["stream_key"], r["history"], r["summary"]) for r in rows]


async def _restore_summaries(cat: catalog.Catalog, saved: list[tuple[str, str, str]]) -> None:
    store = cat.store
    assert isinstance(store, SQLStore)
    async with store.transaction() as tx:
        for row in saved:
            await tx.execute(
                "INSERT INTO history_summaries (stream_key, history, summary) VALUES ($1, $2, $3)",
                *row,
            )


async def reads(cat: catalog.Catalog, statement: str) -> int:
    """How many stored schemas ``statement`` decoded (or found decoded)."""
    hits, misses, _ = decoded_schema_cache()
    await cat.execute(statement)
    after_hits, after_misses, _ = decoded_schema_cache()
    return after_hits + after_misses - hits - misses


async def test_a_kept_summary_clears_one_more_version_without_reading_the_history(
    catalog_url: str,
) -> None:
    async with await catalog.Catalog.open(catalog_url) as cat:
        await cat.execute(
            "CREATE STREAM s (id BIGINT NOT NULL) WITH (compatibility = 'FULL_TRANSITIVE')"
        )
        for i in range(20):
            await cat.execute(f"ALTER STREAM s ADD COLUMN c{i} BIGINT DEFAULT NULL")
        assert await reads(cat, "ALTER STREAM s ADD COLUMN more BIGINT DEFAULT NULL") <= 1
        await forget_summaries(cat)  # the next check reads all 22 versions, keeps one again
        assert await reads(cat, "ALTER STREAM s ADD COLUMN again BIGINT DEFAULT NULL") >= 22
        assert await reads(cat, "ALTER STREAM s ADD COLUMN last BIGINT DEFAULT NULL") <= 1
        with pytest.raises(IncompatibleSchema) as err:  # a refusal names its versions
            await cat.execute("ALTER STREAM s ADD COLUMN bad BIGINT NOT NULL")
        assert {i.version for i in err.value.issues} == set(range(1, 25))


async def test_setting_a_transitive_mode_keeps_the_summary_its_next_check_reads(
    catalog_url: str,
) -> None:
    async with await catalog.Catalog.open(catalog_url) as cat:
        await cat.execute("CREATE STREAM s (id BIGINT) WITH (compatibility = 'NONE')")
        for i in range(20):
            await cat.execute(f"ALTER STREAM s ADD COLUMN c{i} BIGINT DEFAULT NULL")
        await cat.execute("ALTER STREAM s SET (compatibility = 'BACKWARD_TRANSITIVE')")
        assert await reads(cat, "ALTER STREAM s ADD COLUMN more BIGINT DEFAULT NULL") <= 1


async def test_a_restored_catalog_keeps_no_summary_and_checks_every_version(
    catalog_url: str, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.jsonl"
    async with await catalog.Catalog.open(f"sqlite:///{tmp_path / 'first.db'}") as first:
        await first.execute(
            "CREATE STREAM s (id BIGINT NOT NULL, y VARCHAR DEFAULT NULL) "
            "WITH (compatibility = 'FULL_TRANSITIVE'); "
            "ALTER STREAM s DROP COLUMN y; ALTER STREAM s ADD COLUMN x BIGINT DEFAULT NULL"
        )
        await first.backup(backup)
    async with await catalog.Catalog.open(catalog_url) as cat:
        await cat.restore(backup)
        assert not await _all_summaries(cat)  # derived data: not in the backup
        with pytest.raises(IncompatibleSchema) as err:  # y was VARCHAR in version 1
            await cat.execute("ALTER STREAM s ADD COLUMN y BIGINT DEFAULT NULL")
        assert [(i.path, i.version) for i in err.value.issues] == [("y", 1), ("y", 1)]
        await cat.execute("ALTER STREAM s ADD COLUMN z BIGINT DEFAULT NULL")
        assert len(await _all_summaries(cat)) == 1
        await cat.backup(tmp_path / "again.jsonl")
        assert "history" not in (tmp_path / "again.jsonl").read_text()


async def _all_summaries(cat: catalog.Catalog) -> list[Any]:
    store = cat.store
    assert isinstance(store, SQLStore)
    return list(await store.query("SELECT stream_key FROM history_summaries"))


async def test_a_catalog_of_store_5_gets_the_summaries_table(
    catalog_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog an earlier release wrote (no summaries) opens, upgrades, and its first
    transitive check reads every version."""
    for backend in (SQLiteStore, PostgresStore):
        monkeypatch.setattr(backend, "MIGRATIONS", backend.MIGRATIONS[:5])
    store = await open_store(catalog_url)
    assert isinstance(store, SQLStore)
    try:
        assert await store.store_version() == 5
        one = Schema([Field("id", pa.int64(), nullable=False)])
        spec = StreamSpec("old", compatibility="FULL_TRANSITIVE")
        await store.create_stream(spec, NewVersion(one, "declared", "created"))
        two = Schema([*one.fields, Field("y", pa.string(), default=None)])
        async with store.writing("old") as writer:
            await writer.append(NewVersion(two, "altered", "added y"))
    finally:
        await store.close()
    monkeypatch.undo()
    async with await catalog.Catalog.open(catalog_url) as cat:
        store = cat.store
        assert isinstance(store, SQLStore)
        assert await store.store_version() == 6
        with pytest.raises(catalog.SchemacatError) as err:
            await cat.execute("ALTER STREAM old ALTER COLUMN y TYPE BIGINT")
        assert err.value.code == "INCOMPATIBLE_SCHEMA"
        await cat.execute("ALTER STREAM old ADD COLUMN x BIGINT DEFAULT NULL")
        assert await reads(cat, "ALTER STREAM old ADD COLUMN z BIGINT DEFAULT NULL") <= 1
        assert [v.version for v in await cat.versions("old")] == [1, 2, 3, 4]
