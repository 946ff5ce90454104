"""``schemacat backup FILE``, ``restore FILE`` and ``import REGISTRY_URL``: a whole registry
out of the catalog and into another, every id kept.  One summary line on stdout."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from catalog.cli.password import read_password

if TYPE_CHECKING:
    from catalog.transfer import Transferred

#: where ``import --user`` reads the password from, else the prompt (or stdin)
PASSWORD_VARIABLE = "SCHEMACAT_REGISTRY_PASSWORD"


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = commands.add_parser(
        "backup",
        help="write every subject, version, id, config and mode to one file",
        description="Write the whole catalog to FILE (JSON lines): every schema id, every "
        "stream or subject with every version (soft-deleted ones too), its columns, "
        "compatibility and mode, and the catalog's settings.",
        epilog="example:\n  schemacat --catalog postgresql://app@db/registry backup registry.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument("file", metavar="FILE")
    backup.set_defaults(run=run_backup)

    restore = commands.add_parser(
        "restore",
        help="write a backup into an empty catalog, ids kept",
        description="Write the backup FILE into the catalog, which must be empty, in one "
        "transaction: every id, version number and deleted state as it was.  Secrets in a "
        "stream's datasource, options, query or lineage are removed, as SQL removes them.",
        epilog="example:\n  schemacat --catalog sqlite:///new.db restore registry.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument("file", metavar="FILE")
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore into a catalog that is not empty: what is there the same is kept, the "
        "file's settings win (the global compatibility and mode, and each subject's where "
        "the file sets one), and an id or version that differs stops the restore before it "
        "writes anything",
    )
    restore.set_defaults(run=run_restore)

    imported = commands.add_parser(
        "import",
        help="copy every subject, version and id of a Confluent-compatible registry",
        description="Copy every subject, version (soft-deleted ones too) and schema id of "
        "the registry at REGISTRY_URL into the catalog, with the global and per-subject "
        "compatibility and the modes of subjects that have versions (not the global mode). "
        "What is there the same already is kept: running it again writes nothing new.  The "
        "source's settings win; an id or version that differs stops it before it writes.",
        epilog="examples:\n  schemacat import http://registry:8081 --dry-run\n"
        f"  {PASSWORD_VARIABLE}=... schemacat import https://registry:8081 --user admin",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imported.add_argument("url", metavar="REGISTRY_URL")
    imported.add_argument(
        "--dry-run", action="store_true", help="list what would be copied; change nothing"
    )
    imported.add_argument(
        "--user",
        metavar="NAME",
        help=f"HTTP Basic user; the password comes from ${PASSWORD_VARIABLE}, else a prompt",
    )
    imported.set_defaults(run=run_import)


def run_backup(args: argparse.Namespace) -> int:
    from catalog.core import Catalog

    async def backup() -> Transferred:
        async with await Catalog.open(args.catalog) as catalog:
            return await catalog.backup(args.file)

    done = asyncio.run(backup())
    sys.stdout.write(f"backed up {_counts(done)} to {args.file}\n")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from catalog.core import Catalog
    from catalog.errors import CatalogError

    async def restore() -> tuple[Transferred, str]:
        async with await Catalog.open(args.catalog) as catalog:
            return await catalog.restore(args.file, force=args.force), catalog.url

    try:
        done, url = asyncio.run(restore())
    except CatalogError as exc:
        if exc.code == "CATALOG_NOT_EMPTY":
            exc.hint = (
                "restore into a new catalog, or add --force to merge into this one (what is "
                "there the same is kept, the file's settings win, and an id or version that "
                "differs stops the restore)"
            )
        raise
    written = done.written
    assert written is not None
    notes = [f"{written.kept} versions were there already"] * bool(written.kept)
    notes += [f"{written.settings} settings set from the file"] * bool(args.force)
    there = f" ({'; '.join(notes)})" if notes else ""
    sys.stdout.write(f"restored {_counts(done)} from {args.file} into {url}{there}\n")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from catalog.confluent import shown_url
    from catalog.core import Catalog

    auth = None
    if args.user:
        auth = (args.user, read_password(f"password of {args.user}", variable=PASSWORD_VARIABLE))

    async def imported() -> tuple[Transferred, str]:
        async with await Catalog.open(args.catalog) as catalog:
            found = await catalog.import_registry(args.url, auth=auth, dry_run=args.dry_run)
            return found, catalog.url

    done, url = asyncio.run(imported())
    written = done.written
    assert written is not None
    out = sys.stdout
    source = shown_url(args.url)
    if args.dry_run:
        for subject, version, schema_id, deleted in written.added:
            out.write(f"{subject}\tversion {version}\tid {schema_id}{' (deleted)' * deleted}\n")
    verb = "would copy" if args.dry_run else "copied"
    out.write(
        f"{source} holds {_counts(done)}; {verb} {written.versions} versions and "
        f"{written.schemas} schema ids and {written.settings} settings into {url}; "
        f"{written.kept} versions were there already\n"
    )
    return 0


def _counts(done: Transferred) -> str:
    return (
        f"{done.subjects} subjects, {done.versions} versions, {done.schemas} schemas, "
        f"{done.settings} settings"
    )
