"""A discovery's notes reach the user: CREATE STREAM, DESCRIBE 'uri', DESCRIBE EXTENDED."""

from __future__ import annotations

from pathlib import Path

import catalog

NOTE = (
    "note: 'NA' is read as a value; with nullstr = 'NA' (it would mean NULL) these VARCHAR "
    "columns would be typed: mass BIGINT"
)


async def test_notes_are_shown_and_kept(tmp_path: Path) -> None:
    data = tmp_path / "birds.csv"
    data.write_text("species,mass\nAdelie,3750\nGentoo,NA\n")
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        [created] = await cat.execute(f"CREATE STREAM birds WITH (datasource = '{data}')")
        assert created.message == (
            f"stream birds: version 1, 2 columns, discovered from {data}\n{NOTE}"
        )
        [adhoc] = await cat.execute(f"DESCRIBE '{data}'")
        assert adhoc.message == f"{data}: csv, 2 records sampled\n{NOTE}"
        [extended] = await cat.execute("DESCRIBE EXTENDED birds")
        assert extended.message == f"2 records sampled from {data}\n{NOTE}"
        await cat.execute(f"CREATE STREAM typed WITH (datasource = '{data}', nullstr = 'NA')")
        [typed] = await cat.execute("DESCRIBE EXTENDED typed")
        assert typed.message == f"2 records sampled from {data}"
        assert [row[:2] for row in typed.rows] == [("species", "VARCHAR"), ("mass", "BIGINT")]
        [refreshed] = await cat.execute("ALTER STREAM birds REFRESH")
        assert refreshed.message == f"stream birds: unchanged after refresh (version 1)\n{NOTE}"
