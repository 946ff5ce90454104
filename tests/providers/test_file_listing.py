"""Listing local files with strings and os.scandir: the same files, in the same order, as
pathlib's walk and glob (Python 3.11) listed them, and names told apart as before."""

from __future__ import annotations

import os
import random
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import pytest

from catalog.errors import SchemaConflict
from providers.files.blobs import COMPRESSIONS, compression, name_suffix, plain_name
from providers.files.formats import _EXTENSIONS, extension_format
from providers.files.groups import choose, data_files
from providers.files.hive import hive_partitions
from providers.files.listing import folder_files, glob_files
from providers.files.local import files

NAMES = ["a", "b", "a-c", "a.c", "_x", ".h", "k=1", "z.csv", "y.parquet", "B", "a b", "ab"]
PATTERNS = ["*", "**/*", "*/*", "**/*.csv", "a*/**/*", "*/k=*/*", "a/*", "b/**/z.csv", "?",
            "[ab]*/*", "**/a/*", "**/**/*", "*.csv", "a/b", "**/*/k=*"]  # fmt: skip


def _tree(root: Path, rnd: random.Random, depth: int = 0) -> None:
    """Files, folders, links to files and folders, link loops and links to nothing."""
    for _ in range(rnd.randint(1, 5)):
        path = root / rnd.choice(NAMES)
        if os.path.lexists(path):
            continue
        roll = rnd.random()
        if roll < 0.45:
            path.write_text("x")
        elif roll < 0.8 and depth < 3:
            path.mkdir()
            _tree(path, rnd, depth + 1)
        else:
            os.symlink(rnd.choice([".", "a", "z.csv", "nowhere", path.name]), path)


def _pathlib_walk(root: Path) -> list[str]:
    """What the folder's listing was: rglob, regular files, hidden parts left out."""
    found = sorted(p for p in root.rglob("*") if p.is_file())
    hidden = [any(q.startswith((".", "_")) for q in p.relative_to(root).parts) for p in found]
    return [str(p) for p, h in zip(found, hidden, strict=True) if not h]


def _pathlib_glob(root: Path, pattern: str) -> list[str]:
    found = sorted(p for p in root.glob(pattern) if p.is_file())
    hidden = [any(q.startswith((".", "_")) for q in p.relative_to(root).parts) for p in found]
    return [str(p) for p, h in zip(found, hidden, strict=True) if not h]


@pytest.mark.parametrize("seed", range(40))
def test_walk_and_globs_list_what_pathlib_lists(tmp_path: Path, seed: int) -> None:
    _tree(tmp_path, random.Random(seed))
    assert [name for name, _ in folder_files(str(tmp_path))] == _pathlib_walk(tmp_path)
    for pattern in PATTERNS:
        listed = glob_files(str(tmp_path), pattern.split("/"))
        assert [name for name, _ in listed] == _pathlib_glob(tmp_path, pattern), pattern


def test_names_are_ordered_part_by_part(tmp_path: Path) -> None:
    for name in ("a/b.csv", "a-c.csv", "a.csv", "A/z.csv"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x,y\n")
    blobs, root = files(str(tmp_path))
    assert root == str(tmp_path)
    assert [b.name[len(root) + 1 :] for b in blobs] == ["A/z.csv", "a/b.csv", "a-c.csv", "a.csv"]
    assert [b.size for b in blobs] == [4, 4, 4, 4]


def test_a_file_by_two_names_is_listed_once(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text("a\n1\n")
    os.symlink("one.csv", tmp_path / "alias.csv")
    os.link(tmp_path / "one.csv", tmp_path / "hard.csv")
    os.symlink(".", tmp_path / "loop")
    os.symlink("nowhere.csv", tmp_path / "dangling.csv")
    for uri in (str(tmp_path), f"{tmp_path}/*.csv", f"{tmp_path}/**/*.csv", f"{tmp_path}/**"):
        assert [Path(b.name).name for b in files(uri)[0]] == ["alias.csv"], uri


def test_hidden_files_and_folders_are_not_listed(tmp_path: Path) -> None:
    for name in ("d/x.csv", "d/_SUCCESS", "d/.x.csv.crc", "d/_tmp/y.csv", "d/.git/z.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("a\n1\n")
    folder = tmp_path / "d"
    for uri in (str(folder), f"{folder}/", f"{folder}/**/*", f"{folder}/*"):
        assert [b.name for b in files(uri)[0]] == [f"{folder}/x.csv"], uri


def test_relative_globs_and_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.csv").write_text("a\n1\n")
    (tmp_path / "top.csv").write_text("a\n1\n")
    blobs, root = files("*.csv")
    assert ([b.name for b in blobs], root) == (["top.csv"], ".")
    assert [b.name for b in files("**/*.csv")[0]] == ["d/x.csv", "top.csv"]
    assert [b.name for b in files("./d")[0]] == ["d/x.csv"]
    assert [b.name for b in files(".")[0]] == ["d/x.csv", "top.csv"]


def test_name_suffixes_are_pathlibs() -> None:
    pieces = ["a", ".", "/", "gz", ".gz", ".json", ".PARQUET", ".Zst", "s3://", "x.", " "]
    rnd = random.Random(0)
    for _ in range(20_000):
        name = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6)))
        plain = Path(name).suffix
        assert name_suffix(name) == plain, name
        assert compression(name) == COMPRESSIONS.get(plain.lower()), name
        old_plain = name[: -len(plain)] if COMPRESSIONS.get(plain.lower()) else name
        assert plain_name(name) == old_plain, name
        assert extension_format(name) == _EXTENSIONS.get(Path(old_plain).suffix.lower()), name


def test_hive_partitions_read_as_before() -> None:
    def before(path: str, root: str) -> dict[str, str]:
        posix = PurePosixPath(path)
        relative = posix.relative_to(root) if path.startswith(root) else posix
        pairs = {}
        for part in relative.parent.parts:
            key, sep, value = part.partition("=")
            if sep and key:
                pairs[unquote(key)] = value
        return pairs

    cases = [
        ("/d/k=1/j=%41/f.parquet", "/d"),
        ("s3://b/p/day=2024-01-01/x.json", "s3://b/p/"),
        ("k=1/f.csv", "."),
        ("/d/k=1/f.csv", "/"),
        ("/d/=x/a%3Db=2/f", "/d"),
        ("/d/f.csv", "/d"),
    ]
    for path, root in cases:
        assert hive_partitions(path, root) == before(path, root), path


def test_grouping_still_sorts_and_refuses_mixed_formats(tmp_path: Path) -> None:
    names = ["a.parquet", "b.csv", "notes.txt", "README", "c.parquet"]
    for name in names:
        (tmp_path / name).write_text("x")
    blobs, root = files(str(tmp_path))
    read, skipped = data_files(blobs)
    assert [Path(b.name).name for b in read] == ["a.parquet", "b.csv", "c.parquet"]
    assert [Path(b.name).name for b in skipped] == ["README", "notes.txt"]
    with pytest.raises(SchemaConflict, match="2 formats"):
        choose(blobs, "auto", root, str(tmp_path))
    chosen = choose(blobs, "parquet", root, str(tmp_path))
    assert [Path(b.name).name for b in chosen.read] == ["a.parquet", "c.parquet"]
    assert [Path(b.name).name for b in chosen.other_formats] == ["b.csv"]
    assert chosen.notes == [
        "format = 'parquet': read 2 parquet files, and left out 1 file of other formats: csv (1)"
    ]
