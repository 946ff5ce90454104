"""``schemacat check OLD NEW``: may NEW follow OLD?  For CI on pull requests."""

from __future__ import annotations

import argparse
import json
import sys

from catalog.cli.render import print_table, use_color
from catalog.modes import MODES
from catalog.result import Result

ISSUE_COLUMNS = ("path", "kind", "message", "hint")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check",
        help="check that a new schema file may follow an old one",
        description="Exit 0 when NEW is compatible with OLD under MODE, 1 when not. "
        "Schema files: Avro (.avsc), JSON Schema, schemacat's canonical JSON, or a .sql "
        "script that leaves one stream (its CREATE STREAM and any ALTERs).",
        epilog="examples:\n"
        "  schemacat check schemas/order-v1.avsc schemas/order-v2.avsc --mode FULL\n"
        "  git show main:streams/orders.sql > /tmp/old.sql && "
        "schemacat check /tmp/old.sql streams/orders.sql",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("old", metavar="OLD")
    parser.add_argument("new", metavar="NEW")
    parser.add_argument("--mode", default="BACKWARD", type=str.upper, choices=MODES)
    parser.add_argument("--format", default="table", choices=("table", "json"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from catalog.changes import diff
    from catalog.cli.schemafile import load_schema_file
    from catalog.compat import avro_binary, check_compatibility

    old, old_kind = load_schema_file(args.old)
    new, new_kind = load_schema_file(args.new)
    both = old_kind if old_kind == new_kind else None
    result = check_compatibility(
        new, old, args.mode, labels=[args.old], avro_binary=avro_binary(both)
    )
    report = diff(old, new)
    out = sys.stdout
    if args.format == "json":
        doc = {
            "old": args.old,
            "new": args.new,
            "mode": result.mode,
            "compatible": result.compatible,
            "issues": [
                {k: getattr(i, k) for k in ("path", "kind", "message", "hint", "direction")}
                for i in result.issues
            ],
            "changes": report.summary,
            "plan": report.plan,
        }
        out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        count = len(result.issues)
        verdict = (
            "compatible"
            if result.compatible
            else f"incompatible ({count} issue{'s' * (count > 1)})"
        )
        out.write(f"{args.new} after {args.old}: {verdict} under {result.mode}\n")
        if result.issues:
            rows = [(i.path, i.kind, i.message, i.hint) for i in result.issues]
            print_table(Result("CHECK", ISSUE_COLUMNS, rows), out, color=use_color(out))
        out.write(f"changes: {report.summary}\n")
    return 0 if result.compatible else 1
