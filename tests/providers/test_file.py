"""The file provider: every format, compression, globs, folders, partitions, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

import catalog
from catalog.discover import clear_cache, sample
from catalog.errors import (
    BadOption,
    EmptySource,
    MalformedSource,
    SchemaConflict,
    SourceNotFound,
)
from tests.providers import samples


def types(found: catalog.Discovery) -> dict[str, str]:
    return {f.name: f.sql_type for f in found}


def write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("orders.ndjson", samples.ndjson()),
        ("orders.jsonl", samples.ndjson()),
        ("orders.json", samples.json_array()),
        ("orders.json.gz", samples.gz(samples.ndjson())),
        ("orders.json.zst", samples.zst(samples.json_array())),
        ("orders", samples.ndjson()),  # no extension: told by the content
    ],
)
async def test_json_in_every_layout(tmp_path: Path, name: str, data: bytes) -> None:
    found = await catalog.discover_schema(write(tmp_path / name, data))
    assert types(found) == samples.ORDER_TYPES
    assert (found.format, found.sampled, found.malformed) == ("json", 50, 0)
    assert all(f.nullable for f in found)


async def test_pretty_and_concatenated_documents(tmp_path: Path) -> None:
    body = b"\n".join(samples.json_array(samples.ORDERS[4:5])[1:-1].strip() for _ in range(3))
    found = await catalog.discover_schema(write(tmp_path / "docs.json", body))
    assert types(found) == samples.ORDER_TYPES
    assert found.sampled == 3


async def test_one_document_larger_than_the_first_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An API dump: one pretty object holding the records, read whole (as DuckDB does)."""
    document = {"data": [{"id": i, "name": f"n{i}"} for i in range(5000)], "meta": {"pages": 1}}
    path = write(tmp_path / "dump.json", json.dumps(document, indent=2).encode())
    found = await catalog.discover_schema(path)
    assert types(found) == {
        "data": 'STRUCT(id BIGINT, "name" VARCHAR)[]',
        "meta": "STRUCT(pages BIGINT)",
    }
    assert found.sampled == 1
    monkeypatch.setattr("providers.readers.json_reader.MAX_DOCUMENT", 100_000)
    clear_cache()
    with pytest.raises(MalformedSource, match=r"first JSON value in .* is larger than") as err:
        await catalog.discover_schema(path)
    assert err.value.hint is not None and "newline-delimited" in err.value.hint


@pytest.mark.parametrize(
    ("name", "data", "delimiter"),
    [
        ("sales.csv", samples.csv(), ","),
        ("sales.tsv", samples.csv().replace(b",", b"\t"), "\t"),
        ("sales.csv.gz", samples.gz(samples.csv()), ","),
        ("sales.csv.zst", samples.zst(samples.csv()), ","),
        ("sales.txt.data", samples.csv().replace(b",", b";"), ";"),
    ],
)
async def test_csv_through_duckdbs_sniffer(
    tmp_path: Path, name: str, data: bytes, delimiter: str
) -> None:
    path = write(tmp_path / name, data)
    found = await catalog.discover_schema(
        path, format="auto" if "csv" in name or "tsv" in name else "csv"
    )
    assert types(found) == {"id": "BIGINT", "name": "VARCHAR", "amount": "DOUBLE", "day": "DATE"}
    assert found.details["delimiter"] == delimiter
    assert found.details["hasheader"] is True
    assert (found.sampled, found.malformed) == (30, 0)
    stats = found.stats["amount"]
    assert (stats.min, stats.max, stats.null_fraction) == (0.0, 43.5, 0.0)


async def test_a_null_word_and_a_delimiter_given_by_the_user(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.txt", b"species|mass|sex\nAdelie|3750|male\nGentoo|NA|\nAdelie||NA\n"
    )
    plain = await catalog.discover_schema(path, format="csv", delimiter="|")
    assert types(plain)["mass"] == "VARCHAR"
    assert plain.notes == (
        "'NA' is read as a value; with nullstr = 'NA' (it would mean NULL) these VARCHAR "
        "columns would be typed: mass BIGINT",
    )
    found = await catalog.discover_schema(path, format="csv", delimiter="|", nullstr="NA")
    assert types(found) == {"species": "VARCHAR", "mass": "BIGINT", "sex": "VARCHAR"}
    assert found.notes == ()
    assert found.stats["mass"].null_fraction == pytest.approx(2 / 3)
    assert found.stats["sex"].null_fraction == pytest.approx(2 / 3)


async def test_no_note_when_a_null_word_is_just_text(tmp_path: Path) -> None:
    """'NA' among country codes is Namibia: reading it as NULL types nothing."""
    path = write(tmp_path / "c.csv", b"country,visits\nNL,3\nNA,5\nDE,-\n")
    found = await catalog.discover_schema(path)
    assert types(found) == {"country": "VARCHAR", "visits": "VARCHAR"}
    assert found.notes == (
        "'-' is read as a value; with nullstr = '-' (it would mean NULL) these VARCHAR "
        "columns would be typed: visits BIGINT",
    )


async def test_values_of_different_kinds_are_noted(tmp_path: Path) -> None:
    path = write(tmp_path / "k.ndjson", b'{"v": 1, "w": 2}\n{"v": "one", "w": 3}\n')
    found = await catalog.discover_schema(path)
    assert types(found) == {"v": "JSON", "w": "BIGINT"}
    assert found.notes == ("column v holds BIGINT and VARCHAR values, so it is JSON",)
    assert found.summary("k") == (
        "k: json, 2 records sampled\nnote: column v holds BIGINT and VARCHAR values, so it is JSON"
    )


async def test_parquet_footer_gives_exact_types_and_nullability(tmp_path: Path) -> None:
    found = await catalog.discover_schema(write(tmp_path / "t.parquet", samples.parquet()))
    assert types(found) == {
        "id": "BIGINT",
        "name": "VARCHAR",
        "score": "DOUBLE",
        "tags": "VARCHAR[]",
    }
    assert [f.nullable for f in found] == [False, True, True, True]
    assert found.details["footer_only"] is True
    assert found.details["rows"] == 20
    assert (found.stats["id"].min, found.stats["id"].max, found.stats["id"].null_fraction) == (
        0,
        19,
        0.0,
    )


async def test_legacy_int96_timestamps_read_as_duckdb_reads_them(tmp_path: Path) -> None:
    """Old Spark, Hive and Impala write INT96; pyarrow would say nanoseconds, DuckDB TIMESTAMP."""
    table = pa.table({"at": pa.array([0, 1], pa.timestamp("ns")), "n": [1, 2]})
    data = samples.parquet(table, use_deprecated_int96_timestamps=True)
    found = await catalog.discover_schema(write(tmp_path / "legacy.parquet", data))
    assert types(found) == {"at": "TIMESTAMP", "n": "BIGINT"}
    modern = await catalog.discover_schema(write(tmp_path / "ns.parquet", samples.parquet(table)))
    assert types(modern)["at"] == "TIMESTAMP_NS"  # a real INT64 nanosecond column stays so
    assert modern.stats["at"].max == "1970-01-01 00:00:00.000000001"  # not a crash


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("t.arrow", samples.arrow_file()),
        ("t.feather", samples.arrow_file()),
        ("t.arrows", samples.arrow_stream()),
    ],
)
async def test_arrow_ipc_files_and_streams(tmp_path: Path, name: str, data: bytes) -> None:
    found = await catalog.discover_schema(write(tmp_path / name, data))
    assert types(found) == {
        "id": "BIGINT",
        "name": "VARCHAR",
        "score": "DOUBLE",
        "tags": "VARCHAR[]",
    }
    assert found["id"].nullable is False


async def test_avro_writer_schema_from_the_header(tmp_path: Path) -> None:
    found = await catalog.discover_schema(write(tmp_path / "r.avro", samples.avro()))
    assert types(found) == {
        "sensor": "VARCHAR",
        "value": "DOUBLE",
        "at": "TIMESTAMP WITH TIME ZONE",
    }
    assert [f.nullable for f in found] == [False, True, False]
    assert found["value"].default is None and not found["sensor"].has_default
    assert found.name == "Reading"


async def test_content_sniffing_without_extensions(tmp_path: Path) -> None:
    for data, fmt in [
        (samples.parquet(), "parquet"),
        (samples.avro(), "avro"),
        (samples.arrow_file(), "arrow"),
    ]:
        found = await catalog.discover_schema(write(tmp_path / f"blob-{fmt}", data))
        assert found.format == fmt


async def test_text_lines(tmp_path: Path) -> None:
    found = await catalog.discover_schema(
        write(tmp_path / "app.log", b"started\nrunning\nstopped\n")
    )
    assert (types(found), found.sampled) == ({"line": "VARCHAR"}, 3)


async def test_globs_folders_and_hive_partitions(tmp_path: Path) -> None:
    for year in (2023, 2024):
        for month in ("01", "02"):
            write(
                tmp_path / "lake" / f"year={year}" / f"month={month}" / "part-0.parquet",
                samples.parquet(),
            )
    write(tmp_path / "lake" / "_SUCCESS", b"")
    write(tmp_path / "lake" / ".part-0.parquet.crc", b"junk")
    folder = await catalog.discover_schema(str(tmp_path / "lake"))
    assert list(types(folder)) == ["id", "name", "score", "tags", "year", "month"]
    # as DuckDB types them: month=01 keeps its leading zero (tests/providers/test_hive_partitions.py)
    assert (folder["year"].sql_type, folder["month"].sql_type) == ("BIGINT", "VARCHAR")
    assert folder.details["files_matched"] == 4
    assert folder.details["partitions"] == ["year", "month"]
    pattern = await catalog.discover_schema(
        str(tmp_path / "lake" / "year=2024" / "*" / "*.parquet")
    )
    assert pattern.details["files_matched"] == 2
    assert list(types(pattern)) == ["id", "name", "score", "tags", "month"]
    uri = await catalog.discover_schema(f"file://{tmp_path}/lake/**/*.parquet")
    assert uri.details["files_matched"] == 4


async def test_hive_nulls_and_encoded_values(tmp_path: Path) -> None:
    """As Hive and Spark write them: NULL as __HIVE_DEFAULT_PARTITION__, values URL-encoded
    (which DuckDB types as written: 2024%2D01%2D01 is VARCHAR)."""
    for region, day in [("eu", "2024-01-01"), ("__HIVE_DEFAULT_PARTITION__", "2024-01-02")]:
        folder = tmp_path / "lake" / f"region={region}" / f"day={day.replace('-', '%2D')}"
        write(folder / "part-0.parquet", samples.parquet())
    write(
        tmp_path / "lake" / "year=__HIVE_DEFAULT_PARTITION__" / "part-0.parquet", samples.parquet()
    )
    write(tmp_path / "lake" / "n=7" / "part-0.parquet", samples.parquet())
    write(tmp_path / "lake" / "n=__HIVE_DEFAULT_PARTITION__" / "part-1.parquet", samples.parquet())
    found = await catalog.discover_schema(str(tmp_path / "lake"))
    partitions = {f.name: f.sql_type for f in found if f.comment == "hive partition"}
    assert partitions == {"n": "BIGINT", "region": "VARCHAR", "day": "VARCHAR", "year": "VARCHAR"}


async def test_many_files_merge_by_name_with_widening(tmp_path: Path) -> None:
    write(tmp_path / "m" / "a.ndjson", b'{"id": 1, "v": 1, "only_a": "x"}\n')
    write(tmp_path / "m" / "b.ndjson", b'{"id": 2, "v": 2.5, "only_b": true}\n')
    found = await catalog.discover_schema(str(tmp_path / "m"))
    assert types(found) == {"id": "BIGINT", "v": "DOUBLE", "only_a": "VARCHAR", "only_b": "BOOLEAN"}
    assert found.sampled == 2


async def test_files_beside_the_data_are_skipped_not_sniffed(tmp_path: Path) -> None:
    """A README.md or notes.txt in a data folder has commas too; it must not become CSV."""
    write(tmp_path / "d" / "2024.csv", b"id,amount\n1,2.5\n")
    write(tmp_path / "d" / "2025.csv.gz", samples.gz(b"id,amount\n2,3.5\n"))
    write(tmp_path / "d" / "README.md", b"# Orders\nid, amount: what we sold, in EUR\n")
    write(tmp_path / "d" / "notes.txt", b"loaded by hand, 2025\n")
    found = await catalog.discover_schema(str(tmp_path / "d"))
    assert types(found) == {"id": "BIGINT", "amount": "DOUBLE"}
    assert found.sampled == 2
    assert found.details["files_matched"] == 4
    assert sorted(Path(n).name for n in found.details["files_skipped"]) == [
        "README.md",
        "notes.txt",
    ]
    assert found.summary("d") == "d: csv, 2 records sampled, 2 files skipped as not data"
    table = await sample(str(tmp_path / "d"))
    assert table.column_names == ["id", "amount"]
    # without any file named as data, every file is read by its content
    write(tmp_path / "hadoop" / "part-00000", b'{"id": 1}\n')
    write(tmp_path / "hadoop" / "part-00001", b'{"id": 2, "late": true}\n')
    by_content = await catalog.discover_schema(str(tmp_path / "hadoop"))
    assert types(by_content) == {"id": "BIGINT", "late": "BOOLEAN"}
    assert "files_skipped" not in by_content.details


async def test_types_that_cannot_merge_name_both_files(tmp_path: Path) -> None:
    a = write(tmp_path / "c" / "a.ndjson", b'{"v": {"x": 1}}\n')
    b = write(tmp_path / "c" / "b.ndjson", b'{"v": [1, 2]}\n')
    with pytest.raises(SchemaConflict) as err:
        await catalog.discover_schema(str(tmp_path / "c"))
    assert a in err.value.message and b in err.value.message
    assert "column v is STRUCT(x BIGINT)" in err.value.message


async def test_sample_returns_the_records_looked_at(tmp_path: Path) -> None:
    path = write(tmp_path / "orders.ndjson", samples.ndjson())
    table = await sample(path, sample_size=10)
    assert table.num_rows == 10
    assert table.schema.field("placed_at").type == pa.timestamp("us", "UTC")
    parquet = await sample(write(tmp_path / "t.parquet", samples.parquet()), sample_size=5)
    assert parquet.num_rows == 5


async def test_sample_size_bounds_what_is_read(tmp_path: Path) -> None:
    found = await catalog.discover_schema(
        write(tmp_path / "o.ndjson", samples.ndjson()), sample_size=7
    )
    assert found.sampled == 7


# -- bad input -------------------------------------------------------------------------


async def test_empty_file(tmp_path: Path) -> None:
    for name in ("empty.json", "empty.csv"):
        with pytest.raises(EmptySource, match=f"{name} is empty"):
            await catalog.discover_schema(write(tmp_path / name, b"  \n"))


async def test_header_only_csv(tmp_path: Path) -> None:
    found = await catalog.discover_schema(write(tmp_path / "h.csv", b"id,name,when\n"))
    assert types(found) == {"id": "VARCHAR", "name": "VARCHAR", "when": "VARCHAR"}
    assert found.sampled == 0
    assert found.notes == ("no data rows, so every column is VARCHAR",)


async def test_ragged_csv_rows_are_counted(tmp_path: Path) -> None:
    data = samples.csv() + b"31,short\n32,too,many,fields,here\n"
    found = await catalog.discover_schema(write(tmp_path / "r.csv", data))
    assert (found.sampled, found.malformed) == (30, 2)
    assert types(found)["amount"] == "DOUBLE"


async def test_invalid_utf8_and_malformed_lines_are_counted(tmp_path: Path) -> None:
    data = samples.ndjson(samples.ORDERS[:5]) + b'{"id": 9, "bad": "\xff\xfe"}\n{"id": \n'
    found = await catalog.discover_schema(write(tmp_path / "m.ndjson", data))
    assert (found.sampled, found.malformed) == (5, 2)
    assert types(found) == samples.ORDER_TYPES


async def test_truncated_last_line(tmp_path: Path) -> None:
    data = samples.ndjson(samples.ORDERS[:5]) + b'{"id": 6, "customer": {"na'
    found = await catalog.discover_schema(write(tmp_path / "t.ndjson", data))
    assert (found.sampled, found.malformed) == (5, 1)


async def test_json_that_is_not_objects(tmp_path: Path) -> None:
    scalars = await catalog.discover_schema(write(tmp_path / "s.json", b"[1, 2, 3]"))
    assert types(scalars) == {"json": "BIGINT"}
    mixed = await catalog.discover_schema(
        write(tmp_path / "m.ndjson", b'{"a": 1}\n"text"\n{"a": 2}\n7\n')
    )
    assert (types(mixed), mixed.sampled, mixed.malformed) == ({"a": "BIGINT"}, 2, 2)


async def test_every_record_malformed(tmp_path: Path) -> None:
    with pytest.raises(MalformedSource) as err:
        await catalog.discover_schema(
            write(tmp_path / "x.json", b"{nope\n{still not\n"), format="json"
        )
    assert "every record sampled" in err.value.message and "x.json" in err.value.message
    assert "line 1" in err.value.message


async def test_corrupt_parquet_footer(tmp_path: Path) -> None:
    data = samples.parquet()
    path = write(tmp_path / "broken.parquet", data[:-12] + b"\x00" * 8 + b"PAR1")
    with pytest.raises(MalformedSource, match=r"broken\.parquet is not a readable Parquet file"):
        await catalog.discover_schema(path)


async def test_folder_without_data_files(tmp_path: Path) -> None:
    write(tmp_path / "d" / "_SUCCESS", b"")
    with pytest.raises(SourceNotFound, match="no data files"):
        await catalog.discover_schema(str(tmp_path / "d"))


async def test_missing_path_suggests_a_neighbour(tmp_path: Path) -> None:
    write(tmp_path / "orders.ndjson", samples.ndjson())
    with pytest.raises(SourceNotFound) as err:
        await catalog.discover_schema(str(tmp_path / "orders.ndjsn"))
    assert err.value.hint == f"did you mean {tmp_path / 'orders.ndjson'}?"


async def test_unknown_options_and_formats(tmp_path: Path) -> None:
    path = write(tmp_path / "o.ndjson", samples.ndjson())
    with pytest.raises(BadOption) as err:
        await catalog.discover_schema(path, sampel_size=5)
    assert err.value.hint == "did you mean sample_size?"
    with pytest.raises(BadOption, match="unknown format 'yaml'"):
        await catalog.discover_schema(path, format="yaml")
    with pytest.raises(BadOption, match="sample_size must be a whole number"):
        await catalog.discover_schema(f"{path}?sample_size=many")
