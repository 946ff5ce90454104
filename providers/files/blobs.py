"""Files and objects as blobs: a name, a size, ranged reads and a stream from the start.

Local files and S3 objects both look like this to the format readers, so a
Parquet footer is read by a ranged read of its tail wherever it lives, and a
compressed JSON file is decompressed as a stream until the sample is full.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import BinaryIO, Protocol

COMPRESSIONS = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}


class Blob(Protocol):
    name: str  # a path or key, for the extension, hive partitions and messages
    size: int

    def read_range(self, start: int, length: int) -> bytes: ...

    def stream(self) -> BinaryIO: ...


class LocalBlob:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self.size = path.stat().st_size

    def read_range(self, start: int, length: int) -> bytes:
        with self.path.open("rb") as f:
            f.seek(start)
            return f.read(length)

    def stream(self) -> BinaryIO:
        return self.path.open("rb")


def compression(name: str) -> str | None:
    return COMPRESSIONS.get(Path(name).suffix.lower())


def plain_name(name: str) -> str:
    """The name without its compression suffix: orders.json.gz -> orders.json."""
    return name[: -len(Path(name).suffix)] if compression(name) else name


def decompressed_stream(blob: Blob) -> BinaryIO:
    """The blob's content, decompressed on the fly."""
    raw = blob.stream()
    kind = compression(blob.name)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if kind == "zstd":
        import zstandard

        reader: BinaryIO = zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)
        return reader
    return raw


def read_lines(
    blob: Blob, lines: int, first: int = 64 << 10, limit: int = 256 << 20
) -> tuple[bytes, bool]:
    """Leading (decompressed) bytes holding more than ``lines`` lines, or all of them, and
    whether that is all there is.  Later reads ask for what the lines so far suggest."""
    with decompressed_stream(blob) if compression(blob.name) else _Ranges(blob) as source:
        data = source.read(first)
        while True:
            count = data.count(b"\n")
            if count > lines or len(data) >= limit:
                return data, False
            wanted = max(first, int((lines + 1 - count) * len(data) / max(count, 1) * 1.2))
            more = source.read(min(wanted, limit - len(data)))
            if not more:
                return data, True
            data += more


class _Ranges:
    """Sequential reads of an uncompressed blob by ranged reads."""

    def __init__(self, blob: Blob) -> None:
        self.blob, self.position = blob, 0

    def read(self, size: int) -> bytes:
        data = self.blob.read_range(self.position, min(size, self.blob.size - self.position))
        self.position += len(data)
        return data

    def __enter__(self) -> _Ranges:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def read_head(blob: Blob, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` leading (decompressed) bytes, and whether that is all there is."""
    if compression(blob.name) is None:
        data = blob.read_range(0, min(limit, blob.size))
        return data, len(data) >= blob.size
    with decompressed_stream(blob) as stream:
        data = stream.read(limit)
        return data, len(data) < limit or not stream.read(1)


class BlobFile(io.RawIOBase):
    """A seekable, read-only file over ``read_range``: what pyarrow and fastavro read from."""

    def __init__(self, blob: Blob) -> None:
        self.blob = blob
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.blob.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        length = min(len(buffer), self.blob.size - self.position)
        if length <= 0:
            return 0
        data = self.blob.read_range(self.position, length)
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)
