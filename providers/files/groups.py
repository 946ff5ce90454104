"""Which files of a set (a folder, a glob, an S3 prefix) are one table.

The format a file's extension names decides which are data: files named as records
(``.parquet``, ``.csv``, ``.json`` ...) go before text files (``.txt``, ``.log``), which go
before files with no known extension; only the first kind present is read.  So a
README.md or a ``notes.txt`` beside the data is skipped (and listed), not sniffed as
CSV, while a folder of Hadoop-style ``part-00000`` files is still read by content.

Data files of several formats are several tables, and merging their columns would
describe none of them; so that is an error listing each format's files, with the file,
folder or glob that names them alone when there is one.  ``format`` picks one format:
its files are read, and the others are left out and named in a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalog.errors import SchemaConflict
from catalog.words import counted, listed
from providers.files.blobs import Blob, compression, plain_name
from providers.files.formats import extension_format


@dataclass(frozen=True)
class Chosen:
    """The files of a set to read, and those left out."""

    read: list[Blob]
    skipped: list[Blob] = field(default_factory=list)  # not data
    other_formats: list[Blob] = field(default_factory=list)  # not of the format asked for
    notes: list[str] = field(default_factory=list)


def choose(blobs: Sequence[Blob], requested: str, root: str, uri: str) -> Chosen:
    """The data files of one format among ``blobs``, given the ``format`` option."""
    read, skipped, named = _data_files(blobs, [extension_format(blob.name) for blob in blobs])
    if requested != "auto":
        wanted = [blob for blob, fmt in zip(read, named, strict=True) if fmt == requested]
        if not wanted or len(wanted) == len(read):  # files named otherwise: read as asked
            return Chosen(read, skipped)
        other = [(blob, fmt) for blob, fmt in zip(read, named, strict=True) if fmt != requested]
        note = _left_out(requested, wanted, other)
        return Chosen(wanted, skipped, [blob for blob, _ in other], [note])
    # else told by their content, and checked once told
    if None not in named and len(set(named)) > 1:
        one_format([(blob, str(fmt)) for blob, fmt in zip(read, named, strict=True)], root, uri)
    return Chosen(read, skipped)


def data_files(blobs: Sequence[Blob]) -> tuple[list[Blob], list[Blob]]:
    """The files of the set to read, and those skipped as not data (module docstring)."""
    read, skipped, _ = _data_files(blobs, [extension_format(blob.name) for blob in blobs])
    return read, skipped


def _data_files(
    blobs: Sequence[Blob], formats: Sequence[str | None]
) -> tuple[list[Blob], list[Blob], list[str | None]]:
    """``data_files``, given each blob's ``extension_format``, and the formats of those read."""
    if len(blobs) < 2:
        return list(blobs), [], list(formats)
    ranks = [2 if fmt is None else 1 if fmt == "text" else 0 for fmt in formats]
    best = min(ranks)
    if all(rank == best for rank in ranks):
        return list(blobs), [], list(formats)
    read = [blob for blob, rank in zip(blobs, ranks, strict=True) if rank == best]
    skipped = [blob for blob, rank in zip(blobs, ranks, strict=True) if rank != best]
    named = [fmt for fmt, rank in zip(formats, ranks, strict=True) if rank == best]
    return read, skipped, named


def one_format(
    files: Sequence[tuple[Blob, str]], root: str, uri: str, *, by_content: bool = False
) -> None:
    """Raise a SchemaConflict when ``files`` (each with its format, told by its content if
    ``by_content``) are of several formats."""
    groups: dict[str, list[str]] = {}
    for blob, fmt in files:
        groups.setdefault(fmt, []).append(blob.name)
    if len(groups) > 1:
        raise _mixed(groups, root, uri, by_content)


def _mixed(
    groups: Mapping[str, list[str]], root: str, uri: str, by_content: bool
) -> SchemaConflict:
    base = root if not root or root.endswith("/") else root + "/"
    everything = [name for names in groups.values() for name in names]
    places = {fmt: _place(names, everything, base) for fmt, names in groups.items()}
    clear = all(p is not None and (p.endswith("/") or p in groups[f]) for f, p in places.items())
    found = (
        f"{len(groups)} tables, one per format"
        if clear
        else f"files of {len(groups)} formats ({listed(sorted(groups))})"
    )
    lines = [_line(fmt, names, places[fmt], by_content) for fmt, names in sorted(groups.items())]
    return SchemaConflict(
        f"{uri} holds {found}; schemacat does not merge different formats into one "
        f"schema:{''.join(lines)}",
        hint=_hint(groups, base, clear, by_content),
    )


def _line(fmt: str, names: Sequence[str], place: str | None, by_content: bool) -> str:
    """``- parquet, 2 files: s3://b/p/lake/ (e.g. s3://b/p/lake/day=1/part-0.parquet)``."""
    where = place or ("" if by_content else f"format = '{fmt}'")
    if where in names:
        return f"\n  - {fmt}, {counted(len(names), 'file')}: {where}"
    said = f": {where} (e.g. {names[0]})" if where else f", e.g. {names[0]}"
    return f"\n  - {fmt}, {counted(len(names), 'file')}{said}"


def _hint(groups: Mapping[str, list[str]], base: str, clear: bool, by_content: bool) -> str:
    if by_content:  # format = would read every file as that format
        return (
            "discover each file or folder on its own, or name the files by their format "
            "(.json, .parquet ...) so that a glob or format = picks one"
        )
    largest = max(sorted(groups), key=lambda fmt: len(groups[fmt]))
    glob = _glob(groups[largest], base)
    one = (f"a glob such as {glob}, or " if glob else "") + f"format = '{largest}'"
    if clear:
        return f"discover each on its own, at the file or folder listed; or one format: {one}"
    return f"discover one format at a time: {one} (the other formats are then left out)"


def _place(names: Sequence[str], everything: Sequence[str], base: str) -> str | None:
    """The file, folder or glob that names ``names`` and no other file of the set."""
    if len(names) == 1:
        return names[0]
    folders = [name[: name.rfind("/") + 1] for name in names]
    common = min(folders)
    while not all(f.startswith(common) for f in folders):
        common = common[: common.rstrip("/").rfind("/") + 1]
    others = set(everything) - set(names)
    below_root = len(common) > len(base) and common.startswith(base)
    if below_root and not any(other.startswith(common) for other in others):
        return common
    return _glob(names, common if below_root else base)


def _glob(names: Sequence[str], folder: str) -> str | None:
    """``folder**/*.ext`` when every one of ``names`` ends in the same ``.ext``."""
    suffixes = {_suffix(name) for name in names}
    if len(suffixes) != 1 or "" in suffixes:
        return None
    return f"{folder}**/*{suffixes.pop()}"


def _suffix(name: str) -> str:
    """``.ndjson.gz`` of ``events.ndjson.gz``, ``.parquet`` of ``part-0.parquet``."""
    plain = Path(plain_name(name)).suffix
    return plain + Path(name).suffix if compression(name) and plain else plain


def _left_out(fmt: str, read: Sequence[Blob], other: Sequence[tuple[Blob, str | None]]) -> str:
    kinds: dict[str, int] = {}
    for _, named in other:
        kind = str(named)
        kinds[kind] = kinds.get(kind, 0) + 1
    others = listed([f"{kind} ({n})" for kind, n in sorted(kinds.items())])
    return (
        f"format = '{fmt}': read {counted(len(read), fmt + ' file')}, and left out "
        f"{counted(len(other), 'file')} of other formats: {others}"
    )
