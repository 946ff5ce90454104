"""Files and objects as blobs: a name, a size, ranged reads and a stream from the start.

Local files and S3 objects both look like this to the format readers, so a
Parquet footer is read by a ranged read of its tail wherever it lives, and a
compressed JSON file is decompressed as a stream until the sample is full.  A
compressed file that is corrupt or truncated is a ``MalformedSource`` naming it.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from catalog.errors import MalformedSource

COMPRESSIONS = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}
READ_LIMIT = 256 << 20  # decompressed bytes read at most for a sample


class Blob(Protocol):
    name: str  # a path or key, for the extension, hive partitions and messages
    size: int

    def read_range(self, start: int, length: int) -> bytes: ...

    def stream(self) -> BinaryIO: ...


class LocalBlob:
    """A local file; ``size`` when the listing knows it already (one stat less)."""

    def __init__(self, path: str | os.PathLike[str], size: int | None = None) -> None:
        self.name = os.fspath(path)
        self.size = os.stat(self.name).st_size if size is None else size

    @property
    def path(self) -> Path:
        return Path(self.name)

    def read_range(self, start: int, length: int) -> bytes:
        with open(self.name, "rb") as f:
            f.seek(start)
            return f.read(length)

    def stream(self) -> BinaryIO:
        return open(self.name, "rb")


def name_suffix(name: str) -> str:
    """``Path(name).suffix`` without building a Path: a listing asks it of every file."""
    last = name[name.rfind("/") + 1 :]
    if not last or last == ".":  # a name ending in / or /. (never a file's): as pathlib says
        return Path(name).suffix
    dot = last.rfind(".")
    return last[dot:] if 0 < dot < len(last) - 1 else ""


def compression(name: str) -> str | None:
    return COMPRESSIONS.get(name_suffix(name).lower())


def plain_name(name: str) -> str:
    """The name without its compression suffix: orders.json.gz -> orders.json."""
    end = name_suffix(name)
    return name[: -len(end)] if COMPRESSIONS.get(end.lower()) else name


def decompressed_stream(blob: Blob) -> BinaryIO:
    """The blob's content, decompressed on the fly."""
    raw = blob.stream()
    kind = compression(blob.name)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if kind == "zstd":
        return _Zstd(raw)  # type: ignore[return-value]
    return raw


@contextmanager
def _decompressing(blob: Blob) -> Iterator[Any]:
    """``decompressed_stream``, or sequential ranged reads of an uncompressed blob; a
    decompression error is a MalformedSource that names the file and its compression."""
    import zstandard

    kind = compression(blob.name)
    try:
        with decompressed_stream(blob) if kind else _Ranges(blob) as source:
            yield source
    except (EOFError, zlib.error, gzip.BadGzipFile, zstandard.ZstdError) as exc:
        raise MalformedSource(
            f"{blob.name} is not readable {kind} data: {exc}",
            hint=f"the file is corrupt or truncated ({kind} -t tests it); "
            "if it is not compressed, rename it without its extension",
        ) from None


def read_lines(
    blob: Blob, lines: int, first: int = 64 << 10, limit: int = READ_LIMIT
) -> tuple[bytes, bool]:
    """Leading (decompressed) bytes holding more than ``lines`` lines, or all of them, and
    whether that is all there is.  Later reads ask for what the lines so far suggest."""
    data, complete, _ = counted_lines(blob, lines, first, limit)
    return data, complete


def counted_lines(
    blob: Blob, lines: int, first: int = 64 << 10, limit: int = READ_LIMIT
) -> tuple[bytes, bool, int]:
    """``read_lines``, and the number of newlines in the bytes (a caller that needs it
    would pass over them all again: 12 ms for 40 MB)."""
    with _decompressing(blob) as source:
        data = source.read(min(first, limit))
        count = data.count(b"\n")
        while count <= lines and len(data) < limit:
            wanted = max(first, int((lines + 1 - count) * len(data) / max(count, 1) * 1.2))
            longer = _extended(source, data, min(wanted, limit - len(data)))
            if len(longer) == len(data):
                return data, True, count
            count += longer.count(b"\n", len(data))  # each byte counted once
            data = longer
        return data, False, count


def _extended(source: Any, data: bytes, size: int) -> bytes:
    """``data`` and up to ``size`` more bytes of ``source``.  An uncompressed local file is
    read again from its start when more is asked than is held, into one buffer: appending
    copies the whole at the speed of fresh memory (30 ms for 40 MB, more than the read).
    A remote object is not: its bytes would be fetched twice."""
    if isinstance(source, _Ranges) and isinstance(source.blob, LocalBlob) and size > len(data):
        return source.read_from_start(len(data) + size) if source.left else data
    more: bytes = source.read(size)
    return data + more


class _Ranges:
    """Sequential reads of an uncompressed blob by ranged reads."""

    def __init__(self, blob: Blob) -> None:
        self.blob, self.position = blob, 0

    def read(self, size: int) -> bytes:
        data = self.blob.read_range(self.position, min(size, self.left))
        self.position += len(data)
        return data

    @property
    def left(self) -> int:
        return self.blob.size - self.position

    def read_from_start(self, size: int) -> bytes:
        self.position = 0
        return self.read(size)

    def __enter__(self) -> _Ranges:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def read_head(blob: Blob, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` leading (decompressed) bytes, and whether that is all there is."""
    if compression(blob.name) is None:
        data = blob.read_range(0, min(limit, blob.size))
        return data, len(data) >= blob.size
    with _decompressing(blob) as stream:
        data = stream.read(limit)
        return data, len(data) < limit or not stream.read(1)


class _Zstd:
    """zstd frames decompressed a step at a time.  zstandard's stream_reader ends quietly
    where the data does, even inside a frame; this says the data is truncated then."""

    STEP = 1 << 10  # compressed bytes a step: at most ~32 MB out, at zstd's highest ratio

    def __init__(self, raw: BinaryIO) -> None:
        import zstandard

        self._raw, self._out = raw, bytearray()
        self._new_frame = zstandard.ZstdDecompressor().decompressobj
        self._frame, self._in_frame = self._new_frame(), False

    def read(self, size: int) -> bytes:
        import zstandard

        while len(self._out) < size:
            data = self._raw.read(self.STEP)
            if not data:
                if self._in_frame:
                    raise zstandard.ZstdError("the data ends inside a frame")
                break
            while data:
                self._out += self._frame.decompress(data)
                self._in_frame, data = not self._frame.eof, b""
                if self._frame.eof:  # the next frame, if any, starts in what is left
                    data, self._frame = self._frame.unused_data, self._new_frame()
        chunk = bytes(self._out[:size])
        del self._out[:size]
        return chunk

    def __enter__(self) -> _Zstd:
        return self

    def __exit__(self, *exc: object) -> None:
        self._raw.close()


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
