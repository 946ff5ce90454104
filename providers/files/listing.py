"""Listing local files fast: names as strings, one ``os.scandir`` a folder, one stat a file.

A folder of 10,000 files is listed in a few µs a file (``bench/file_listing.py``);
``pathlib`` costs more than that in Path objects alone.  The rules are pathlib's
(Python 3.11), which these functions follow to the letter:

- a folder's walk and a glob's ``**`` do not enter linked folders, so a link loop is
  not walked; a wildcard part (``*/``) does go through a link to a folder;
- a file is a regular file, or a link to one; a link to nothing or a link loop is not
  a file; a folder that cannot be read is passed over;
- names are ordered part by part, as Path objects are (``a/b`` before ``a-c``);
- files and folders starting with ``.`` or ``_`` below the root are hidden
  (``_SUCCESS``, ``.crc``, ``_delta_log``): not data.
"""

from __future__ import annotations

import errno
import fnmatch
import functools
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence

Found = list[tuple[str, os.stat_result]]  # names with the stat of the file they name
GLOB_CHARS = "*?["
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)  # pathlib's "not there"


def folder_files(root: str) -> Found:
    """The files below the folder ``root`` (a normalized path: ``str(Path(...))``), hidden
    ones left out, in name order."""
    found: Found = []
    _walk(root, _prefix(root), found)
    found.sort(key=path_order)
    return found


def glob_files(root: str, parts: Sequence[str]) -> Found:
    """The files below the folder ``root`` that the pattern ``parts`` matches (``**`` a
    whole part), hidden ones left out, in name order: ``Path(root).glob`` of the parts."""
    if not os.path.isdir(root):
        return []
    steps = tuple(
        (part, None) if part == "**" or not any(c in part for c in GLOB_CHARS)
        else (part, _pattern(part))
        for part in parts
    )  # fmt: skip
    names: list[str] = []
    _select(root, _prefix(root), steps, names)
    found: Found = []
    for name in dict.fromkeys(names):  # each once, as "**/**" reaches some twice
        status = file_status(name)
        if status is not None:
            found.append((name, status))
    found.sort(key=path_order)
    return found


def path_order(item: tuple[str, object]) -> str:
    """The order of Path objects (part by part) over names: ``a/b`` before ``a-c``."""
    return item[0].replace("/", "\0")


def file_status(name: str) -> os.stat_result | None:
    """The stat of a regular file (or of the file a link names); None for anything else."""
    try:
        status = os.stat(name)
    except OSError as exc:
        if exc.errno in _MISSING:
            return None
        raise
    return status if stat.S_ISREG(status.st_mode) else None


def _prefix(folder: str) -> str:
    """What names below ``folder`` start with: ``data/``, ``/``, or nothing for ``.``."""
    return "" if folder == "." else folder if folder.endswith("/") else folder + "/"


def _walk(folder: str, prefix: str, found: Found) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except PermissionError:  # a folder that cannot be read is passed over
        return
    for entry in entries:
        name = entry.name
        if name.startswith((".", "_")):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(entry.path, prefix + name + "/", found)
                continue
            status = entry.stat()
        except OSError as exc:
            if exc.errno in _MISSING:  # a link to nothing, a link loop: not a file
                continue
            raise
        if stat.S_ISREG(status.st_mode):
            found.append((prefix + name, status))


Step = tuple[str, Callable[[str], object] | None]  # a part of a glob, and its matcher


def _select(folder: str, prefix: str, steps: tuple[Step, ...], out: list[str]) -> None:
    """pathlib's selectors: the names below ``folder`` matching ``steps``, not hidden, in
    ``out``.  As there, a PermissionError ends the listing of the folder it comes from."""
    if not steps:
        out.append(folder)
        return
    (part, match), rest = steps[0], steps[1:]
    try:
        if part == "**":
            for below, below_prefix in _folders(folder, prefix):
                _select(below, below_prefix, rest, out)
        elif match is not None:
            with os.scandir(folder) as listing:
                entries = list(listing)
            for entry in entries:
                name = entry.name
                if name.startswith((".", "_")) or not match(name):
                    continue
                if not rest:
                    out.append(prefix + name)
                elif _is_folder(entry):  # only folders lead on to the rest
                    _select(prefix + name, prefix + name + "/", rest, out)
        elif not part.startswith((".", "_")):
            name = prefix + part
            if (os.path.isdir if rest else os.path.exists)(name):
                _select(name, name + "/", rest, out)
    except PermissionError:
        return


def _folders(folder: str, prefix: str) -> Iterator[tuple[str, str]]:
    """``folder`` and every folder below it, not through links (a ``**``)."""
    yield folder, prefix
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            try:
                below = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                if exc.errno not in _MISSING:
                    raise
                below = False
            if below:
                name = prefix + entry.name
                yield from _folders(name, name + "/")
    except PermissionError:
        return


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A folder, or a link to one."""
    try:
        return entry.is_dir()
    except OSError as exc:
        if exc.errno not in _MISSING:
            raise
        return False


@functools.lru_cache(maxsize=64)
def _pattern(part: str) -> Callable[[str], object]:
    return re.compile(fnmatch.translate(part)).fullmatch
