"""What bounds a file's discovery: the readers' guards, one by one (tests/hostile/test_files.py
has the same hostile files through the CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import zstandard

import catalog
from catalog.errors import MalformedSource, SchemacatError
from providers.files.blobs import LocalBlob, decompressed_stream, read_lines
from providers.readers.json_reader import infer_json, read_raw


def _lines(records: list[object]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def test_pyarrow_infers_only_from_leading_lines_of_few_keys() -> None:
    wide = _lines([{f"k{i}": i for i in range(5000)}])  # pyarrow: seconds for 100,000 keys
    assert read_raw(wide) is None
    deep = b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}\n"  # pyarrow crashes deeper
    assert read_raw(deep) is None


def test_what_the_leading_lines_did_not_show_goes_value_by_value() -> None:
    """The whole is read held to the leading lines' schema: a new key or type stops pyarrow,
    so a narrow start cannot hide 100,000 columns after it."""
    narrow = [{"id": i, "pad": "x" * 300} for i in range(100)]
    assert read_raw(_lines(narrow)) is not None
    assert read_raw(_lines([*narrow, {"id": 1, "late": True}])) is None
    assert read_raw(_lines([*narrow, {"id": 1.5, "pad": "y"}])) is None
    found = infer_json(_lines([*narrow, {"id": 1.5, "late": True}]), True, 1000, "n")
    assert {f.name: f.sql_type for f in found.schema} == {
        "id": "DOUBLE",
        "pad": "VARCHAR",
        "late": "BOOLEAN",
    }


def test_a_record_at_the_edge_of_python_s_depth_is_malformed_not_a_crash() -> None:
    """json.loads follows a few levels more than json.dumps does deeper in the stack."""
    for depth in range(850, 1001):
        body = b'{"a": ' + b"[" * depth + b"]" * depth + b'}\n{"a": [1]}\n'
        try:
            found = infer_json(body, True, 10, "deep")
        except SchemacatError:
            continue
        assert found.sampled + found.malformed == 2


def test_a_document_cut_by_the_read_is_read_again_whole_and_a_malformed_one_is_not() -> None:
    cut = b'{"a": [1, 2, {"b": "some text that the read cut'
    with pytest.raises(MalformedSource, match="larger than"):  # read again, up to 64 MB
        infer_json(cut, False, 10, "cut")
    broken = b'{"a": 1,\n{"a": 2}\n{"a": 3}\n'
    found = infer_json(broken, False, 10, "broken")
    assert (found.sampled, found.malformed) == (2, 1)


def test_zstd_frames_streamed_or_several_are_read_whole(tmp_path: Path) -> None:
    data = b'{"a": 1}\n' * 1000
    streamed = zstandard.ZstdCompressor().compressobj()  # no content size in its header
    path = tmp_path / "s.ndjson.zst"
    path.write_bytes(streamed.compress(data) + streamed.flush() + zstandard.compress(data))
    with decompressed_stream(LocalBlob(path)) as stream:
        assert stream.read(1 << 20) == data + data
    assert read_lines(LocalBlob(path), 5000) == (data + data, True)


async def test_a_zstd_bomb_is_read_no_further_than_the_sample(tmp_path: Path) -> None:
    compressor = zstandard.ZstdCompressor().compressobj()
    path = tmp_path / "bomb.ndjson.zst"
    with path.open("wb") as f:
        f.write(compressor.compress(b'{"a": 1}\n' * 2000))
        for _ in range(1024):  # 1 GB of spaces, 30 KB compressed
            f.write(compressor.compress(b" " * (1 << 20)))
        f.write(compressor.flush())
    found = await catalog.discover_schema(str(path))
    assert found.sampled == 1000


def test_reads_stop_at_their_limit(tmp_path: Path) -> None:
    path = tmp_path / "one-line"
    path.write_bytes(b"x" * (3 << 20))
    data, complete = read_lines(LocalBlob(path), 1000, limit=1 << 20)
    assert (len(data), complete) == (1 << 20, False)


def test_pretty_documents_still_read_by_value() -> None:
    """Lines that are not JSON each, but documents spanning lines."""
    body = json.dumps({"id": 1, "tags": ["a"]}, indent=2).encode() * 3
    found = infer_json(body, True, 10, "pretty")
    assert (found.sampled, found.malformed) == (3, 0)
