"""What CREATE STREAM and ALTER STREAM ... SET say they did."""

from __future__ import annotations

from pathlib import Path

import catalog


async def test_if_not_exists_and_or_replace_say_what_happened(tmp_path: Path) -> None:
    data = tmp_path / "events.ndjson"
    data.write_text('{"id": 1}\n')
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        [made] = await cat.execute(f"CREATE STREAM e WITH (datasource = '{data}')")
        assert made.message == f"stream e: version 1, 1 column, discovered from {data}"
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


async def test_set_names_what_it_changed_and_takes_the_streams_provider_options(
    tmp_path: Path,
) -> None:
    data = tmp_path / "events.ndjson"
    data.write_text('{"id": 1}\n')
    async with await catalog.Catalog.open(str(tmp_path / "c.db")) as cat:
        await cat.execute("CREATE STREAM e (id BIGINT)")
        [moved] = await cat.execute(
            f"ALTER STREAM e SET (datasource = '{data}', compatibility = 'full')"
        )
        assert moved.message == f"stream e: datasource = {data}, compatibility = FULL"
        # sample_size is the file provider's: known from the stream's datasource
        [sized] = await cat.execute("ALTER STREAM e SET (sample_size = 50)")
        assert sized.message == "stream e: sample_size = 50"
        [again] = await cat.execute("ALTER STREAM e SET (sample_size = 50)")
        assert again.message == "stream e: nothing changed"
        assert (await cat.stream("e")).options["sample_size"] == "50"
