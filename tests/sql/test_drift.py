"""VALIDATE and REFRESH over a file whose data changed under the stream."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import catalog


def write(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


async def test_every_drift_status_and_a_refused_refresh(tmp_path: Path) -> None:
    data = tmp_path / "events.ndjson"
    write(data, [{"id": i, "kind": "click", "score": i} for i in range(5)])
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.execute(
            f"CREATE STREAM events WITH (datasource = '{data}', compatibility = 'FULL')"
        )
        write(data, [{"id": i, "score": i / 2, "country": "NL"} for i in range(5)])
        [drift] = await cat.execute("VALIDATE STREAM events")
        assert drift.columns == ("column", "registered_type", "observed_type", "status")
        assert drift.rows == [
            ("id", "BIGINT", "BIGINT", "ok"),
            ("kind", "VARCHAR", None, "missing_in_source"),
            ("score", "BIGINT", "DOUBLE", "type_changed"),
            ("country", None, "VARCHAR", "new_in_source"),
        ]
        with pytest.raises(catalog.SchemacatError) as err:
            await cat.execute("ALTER STREAM events REFRESH")
        assert err.value.code == "INCOMPATIBLE_SCHEMA"
        assert "score" in err.value.message
        assert [v.version for v in await cat.versions("events")] == [1]
        await cat.execute(
            "ALTER STREAM events SET (compatibility = 'NONE'); ALTER STREAM events REFRESH"
        )
        [versions] = await cat.execute("SHOW SCHEMA VERSIONS FOR events")
        assert [(r[0], r[3]) for r in versions.rows] == [(1, "discovered"), (2, "refreshed")]
        [again] = await cat.execute("ALTER STREAM events REFRESH")
        assert again.message == "stream events: unchanged after refresh (version 2)"


async def test_a_readme_added_beside_the_data_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    folder.mkdir()
    write(folder / "day1.ndjson", [{"id": i, "kind": "click"} for i in range(3)])
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.execute(f"CREATE STREAM events WITH (datasource = '{folder}')")
        (folder / "README.md").write_text("id, kind: one event per line, from the web shop\n")
        [drift] = await cat.execute("VALIDATE STREAM events")
        assert {row[3] for row in drift.rows} == {"ok"}
        [again] = await cat.execute("ALTER STREAM events REFRESH")
        assert again.message == "stream events: unchanged after refresh (version 1)"
        write(folder / "day2.ndjson", [{"id": 9, "kind": "view", "ms": 12}])
        await cat.execute("ALTER STREAM events REFRESH")
        [described] = await cat.execute("DESCRIBE EXTENDED events")
        assert [row[0] for row in described.rows] == ["id", "kind", "ms"]
        assert described.message == (
            f"4 records sampled from {folder} (2 files); "
            f"skipped as not data: {folder / 'README.md'}"
        )
