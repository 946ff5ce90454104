"""Local files: a path, a ``file://`` URI, a glob (``data/*.parquet``, ``**``) or a folder.

A folder holding a Delta or Iceberg table is read through the table's metadata
(``providers.files.tables``), and so is an Iceberg metadata file named by the URI.
"""

from __future__ import annotations

import asyncio
import difflib
import glob
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from catalog.discovery import COMMON_OPTIONS, Discovery, Options, Provider
from catalog.errors import AccessDenied, SourceNotFound
from providers.files.blobs import LocalBlob
from providers.files.blobset import BLOB_OPTIONS, discover_blobs, files_basis, sample_blobs
from providers.files.iceberg import METADATA_FILE
from providers.files.tables import FOLDERS, chosen, table_discovery, table_metadata

_GLOB_CHARS = "*?["


class FileProvider(Provider):
    schemes = ("file",)
    options = (*COMMON_OPTIONS, *BLOB_OPTIONS)

    async def discover(self, uri: str, options: Options) -> Discovery:
        return await asyncio.to_thread(self._discover, uri, options)

    def _discover(self, uri: str, options: Options) -> Discovery:
        table = chosen(_table(uri), options.format, uri)
        if table:
            return table_discovery(table[0], [_blob(Path(n)) for n in table[1]], uri)
        blobs, root = files(uri)
        return discover_blobs(blobs, root, uri, options)

    async def sample(self, uri: str, options: Options) -> pa.Table:
        def run() -> pa.Table:
            return sample_blobs(files(uri)[0], options)

        return await asyncio.to_thread(run)

    def basis(self, facts: Mapping[str, Any]) -> list[str]:
        return files_basis(facts)

    async def check(self, uri: str, options: Options) -> None:
        await asyncio.to_thread(files, uri)


def files(uri: str) -> tuple[list[LocalBlob], str]:
    """The data files ``uri`` names, in name order, and the folder they are relative to."""
    path = os.path.expanduser(uri)
    if any(c in path for c in _GLOB_CHARS):
        root = _glob_root(path)
        found = sorted(Path(p) for p in glob.glob(path, recursive=True) if Path(p).is_file())
        return [_blob(p) for p in found if not _hidden(str(p), root)], root
    target = Path(path)
    if target.is_file():
        return [_blob(target)], str(target.parent)
    if target.is_dir():
        found = sorted(p for p in target.rglob("*") if p.is_file() and not _hidden(str(p), path))
        return [_blob(p) for p in found], str(target)
    raise _not_found(target)


def _table(uri: str) -> tuple[str, list[str]] | None:
    """The table format and metadata files, when ``uri`` is a Delta or Iceberg table's
    folder, or an Iceberg metadata file."""
    folder = Path(os.path.expanduser(uri))
    if folder.is_file() and folder.name.endswith(METADATA_FILE):  # Iceberg's, named
        return "iceberg", [str(folder)]
    if any(c in uri for c in _GLOB_CHARS) or not folder.is_dir():
        return None
    names = [str(p) for sub in FOLDERS for p in (folder / sub).glob("*") if p.is_file()]
    return table_metadata(names, str(folder))


def _blob(path: Path) -> LocalBlob:
    if not os.access(path, os.R_OK):
        raise AccessDenied(f"{path} cannot be read (permission denied)")
    return LocalBlob(path)


def _glob_root(pattern: str) -> str:
    parts = Path(pattern).parts
    plain = [
        p for p in parts[: next(i for i, p in enumerate(parts) if any(c in p for c in _GLOB_CHARS))]
    ]
    return str(Path(*plain)) if plain else "."


def _hidden(path: str, root: str) -> bool:
    """Files and folders starting with . or _ (_SUCCESS, .crc, _delta_log) are not data."""
    relative = Path(path).relative_to(root) if path.startswith(root) else Path(path)
    return any(part.startswith((".", "_")) for part in relative.parts)


def _not_found(target: Path) -> SourceNotFound:
    folder = target.parent if target.parent.is_dir() else None
    close = []
    if folder is not None:
        close = difflib.get_close_matches(target.name, [p.name for p in folder.iterdir()], n=1)
    hint = f"did you mean {folder / close[0]}?" if close and folder else "check the path"
    return SourceNotFound(f"no such file or folder: {target}", hint=hint)
