"""What CREATE STREAM says when the stream exists: IF NOT EXISTS and OR REPLACE."""

from __future__ import annotations

from pathlib import Path

import catalog


async def test_if_not_exists_and_or_replace_say_what_happened(tmp_path: Path) -> None:
    data = tmp_path / "events.ndjson"
    data.write_text('{"id": 1}\n')
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        [made] = await cat.execute(f"CREATE STREAM e WITH (datasource = '{data}')")
        assert made.message == f"stream e: version 1, 1 columns, discovered from {data}"
        data.unlink()  # IF NOT EXISTS must not look at the source of a stream that exists
        [kept] = await cat.execute(f"CREATE STREAM IF NOT EXISTS e WITH (datasource = '{data}')")
        assert kept.message == "stream e already exists (version 1); nothing changed"
        data.write_text('{"id": 1}\n')
        [same] = await cat.execute(f"CREATE OR REPLACE STREAM e WITH (datasource = '{data}')")
        assert same.message == "stream e: unchanged (version 1)"
        [declared] = await cat.execute(
            "CREATE OR REPLACE STREAM e (id BIGINT, note VARCHAR) WITH (validate = false)"
        )
        assert declared.message == "stream e: version 2 (added note VARCHAR)"
