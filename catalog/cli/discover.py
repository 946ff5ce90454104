"""``schemacat discover URI``: what is there, without registering anything."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from catalog.cli.render import print_table, use_color
from catalog.result import Result
from catalog.secrets import redact


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "discover",
        help="infer the schema of a file, S3 object, Kafka topic or Postgres table",
        description="Sample the source at URI and print its schema. A URI that names many "
        "objects (a broker, a database) lists them.",
        epilog="examples:\n  schemacat discover sql_examples/data/cars.ndjson\n"
        "  schemacat discover 'kafka://localhost:9092/orders' --sample-size 500 --format json\n"
        "  schemacat discover 's3://lake/orders/'     # files, or a Delta or Iceberg table\n"
        "  schemacat discover 'postgresql://app@db/shop?sslmode=require'   # lists the tables",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("uri", metavar="URI")
    parser.add_argument("--sample-size", type=int, metavar="N", help="records to sample")
    parser.add_argument("--format", default="table", choices=("table", "json"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    from catalog.discover import discover_schema, list_objects

    options = {"sample_size": args.sample_size} if args.sample_size else {}
    uri = redact(args.uri)
    out = sys.stdout
    listing = await list_objects(args.uri, **options)
    if listing is not None:
        objects = [o.to_json() for o in listing]
        if args.format == "json":
            out.write(json.dumps({"uri": uri, "objects": objects}, default=str) + "\n")
        else:
            _print_objects(uri, objects, out)
        return 0
    found = await discover_schema(args.uri, **options)
    columns = [{"name": f.name, "type": f.sql_type, "nullable": f.nullable} for f in found]
    if args.format == "json":
        doc = {
            "uri": uri,
            "format": found.format,
            "columns": columns,
            "sampled": found.sampled,
            "malformed": found.malformed,
        }
        out.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return 0
    out.write(found.summary(uri) + "\n")
    rows = [(c["name"], c["type"], c["nullable"]) for c in columns]
    print_table(Result("DISCOVER", ("column", "type", "nullable"), rows), out, color=use_color(out))
    return 0


def _print_objects(uri: str, objects: list[dict[str, Any]], out: Any) -> None:
    out.write(f"{uri}: {len(objects)} objects\n")
    columns = tuple(dict.fromkeys(k for o in objects for k in o))
    rows = [tuple(o.get(c) for c in columns) for o in objects]
    print_table(Result("DISCOVER", columns, rows), out, color=use_color(out))
