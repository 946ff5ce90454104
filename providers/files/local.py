"""Local files: a path, a ``file://`` URI, a glob (``data/*.parquet``, ``**``) or a folder.

A folder holding a Delta or Iceberg table is read through the table's metadata
(``providers.files.tables``), and so is an Iceberg metadata file named by the URI.

A folder's walk and a glob's ``**`` do not enter linked folders, so a link loop
is not walked, and a file reached by two names (a link beside its target) is
read once.  A path that is not a regular file or a folder says what it is: a
FIFO, a device, a socket, a symbolic link loop, a link to nothing.
"""

from __future__ import annotations

import asyncio
import difflib
import errno
import os
import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from catalog.discovery import COMMON_OPTIONS, Discovery, Options, Provider
from catalog.errors import AccessDenied, DiscoveryError, SourceNotFound
from providers.files.blobs import LocalBlob
from providers.files.blobset import BLOB_OPTIONS, discover_blobs, files_basis, sample_blobs
from providers.files.iceberg import METADATA_FILE
from providers.files.listing import GLOB_CHARS, folder_files, glob_files
from providers.files.tables import FOLDERS, chosen, table_discovery, table_metadata


class FileProvider(Provider):
    schemes = ("file",)
    options = (*COMMON_OPTIONS, *BLOB_OPTIONS)

    async def discover(self, uri: str, options: Options) -> Discovery:
        return await asyncio.to_thread(self._discover, uri, options)

    def _discover(self, uri: str, options: Options) -> Discovery:
        table = chosen(_table(uri), options.format, uri)
        if table:
            return table_discovery(table[0], [_blob(n) for n in table[1]], uri)
        blobs, root = files(uri)
        return discover_blobs(blobs, root, uri, options)

    async def sample(self, uri: str, options: Options) -> pa.Table:
        def run() -> pa.Table:
            return sample_blobs(*files(uri), uri, options)

        return await asyncio.to_thread(run)

    def basis(self, facts: Mapping[str, Any]) -> list[str]:
        return files_basis(facts)

    async def check(self, uri: str, options: Options) -> None:
        await asyncio.to_thread(files, uri)


def files(uri: str) -> tuple[list[LocalBlob], str]:
    """The data files ``uri`` names, in name order, and the folder they are relative to
    (listed as ``providers.files.listing`` says)."""
    path = os.path.expanduser(uri)
    if any(c in path for c in GLOB_CHARS):
        parts = Path(path).parts
        first = next(i for i, p in enumerate(parts) if any(c in p for c in GLOB_CHARS))
        root = str(Path(*parts[:first])) if first else "."
        rest = [p if p == "**" else re.sub(r"\*\*+", "*", p) for p in parts[first:]]
        if rest[-1] == "**":  # as in glob.glob, a final ** matches the files below too
            rest.append("*")
        return _blobs(glob_files(root, rest)), root
    target = Path(path)
    if target.is_file():
        return [_blob(str(target))], str(target.parent)
    if target.is_dir():
        return _blobs(folder_files(str(target))), str(target)
    raise _not_a_file(target)


def _blobs(found: Iterable[tuple[str, os.stat_result]]) -> list[LocalBlob]:
    """Each file once, under the first of its names (a link beside its target is read
    once); a file that cannot be read is an error."""
    seen: set[tuple[int, int]] = set()
    out = []
    for name, status in found:
        key = (status.st_dev, status.st_ino)
        if key not in seen:
            seen.add(key)
            if not os.access(name, os.R_OK):
                raise _denied(name)
            out.append(LocalBlob(name, status.st_size))
    return out


def _table(uri: str) -> tuple[str, list[str]] | None:
    """The table format and metadata files, when ``uri`` is a Delta or Iceberg table's
    folder, or an Iceberg metadata file."""
    folder = Path(os.path.expanduser(uri))
    if folder.is_file() and folder.name.endswith(METADATA_FILE):  # Iceberg's, named
        return "iceberg", [str(folder)]
    if any(c in uri for c in GLOB_CHARS) or not folder.is_dir():
        return None
    names = [str(p) for sub in FOLDERS for p in (folder / sub).glob("*") if p.is_file()]
    return table_metadata(names, str(folder))


def _blob(name: str) -> LocalBlob:
    if not os.access(name, os.R_OK):
        raise _denied(name)
    return LocalBlob(name)


def _denied(name: str) -> AccessDenied:
    return AccessDenied(f"{name} cannot be read (permission denied)")


def _not_a_file(target: Path) -> DiscoveryError:
    """Why ``target``, neither a regular file nor a folder, cannot be read."""
    try:
        mode = target.stat().st_mode
    except PermissionError:
        return AccessDenied(f"{target} cannot be read (permission denied)")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return SourceNotFound(
                f"{target} is a symbolic link loop", hint="point the link at a file or folder"
            )
        if target.is_symlink():
            return SourceNotFound(
                f"{target} is a symbolic link to {os.readlink(target)}, which does not exist",
                hint="point the link at a file or folder",
            )
        return _not_found(target)
    kinds = [
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ]
    what = next((name for test, name in kinds if test(mode)), "something else")
    return SourceNotFound(
        f"{target} is {what}, not a regular file",
        hint="point at a data file, or a folder of them",
    )


def _not_found(target: Path) -> SourceNotFound:
    folder = target.parent if target.parent.is_dir() else None
    close = []
    if folder is not None:
        close = difflib.get_close_matches(target.name, [p.name for p in folder.iterdir()], n=1)
    hint = f"did you mean {folder / close[0]}?" if close and folder else "check the path"
    return SourceNotFound(f"no such file or folder: {target}", hint=hint)
