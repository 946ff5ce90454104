"""Reading a schema from a file: Avro (.avsc), JSON Schema, our canonical JSON, or SQL.

The kind of a JSON file is told by its content, not only the extension: an Avro
record has ``"type": "record"``, a JSON Schema has ``$schema`` or
``properties``, and the canonical form has a ``fields`` list of objects with
``nullable``.  A ``.sql`` script runs in a throwaway in-memory catalog, so its
CREATE STREAM, ALTERs, DEFINEs and discoveries count as they would in a real
one; the schema is the one its single stream ends with.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalog.errors import SchemaError
from catalog.schema import Schema
from catalog.sql.script import read_script


def load_schema_file(path: str | Path) -> tuple[Schema, str]:
    """The schema in ``path`` and its kind: ``avro``, ``jsonschema``, ``canonical`` or ``sql``."""
    path = Path(path)
    text = read_script(path, "schema file")
    if path.suffix.lower() == ".sql":
        import asyncio

        return asyncio.run(_from_sql(path, text)), "sql"
    try:
        doc: Any = json.loads(text)
    except ValueError as exc:
        raise SchemaError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"  # type: ignore[attr-defined]
        ) from None
    except RecursionError:
        raise SchemaError(f"{path} nests its JSON too deeply to read") from None
    kind = schema_kind(doc)
    readers = {
        "avro": Schema.from_avro,
        "jsonschema": Schema.from_json_schema,
        "canonical": Schema.from_json,
    }
    if kind is not None:
        try:
            return readers[kind](doc), kind
        except SchemaError as exc:
            raise SchemaError(f"{path}: {exc.message}", hint=exc.hint, code=exc.code) from None
    raise SchemaError(
        f"{path} holds no schema schemacat knows",
        hint="use an Avro record (.avsc), a JSON Schema of an object, or canonical JSON",
    )


def schema_kind(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return None
    if doc.get("type") == "record":
        return "avro"
    if "$schema" in doc or "properties" in doc:
        return "jsonschema"
    fields = doc.get("fields")
    if isinstance(fields, list) and all(isinstance(f, dict) and "nullable" in f for f in fields):
        return "canonical"
    return None


async def _from_sql(path: Path, text: str) -> Schema:
    from catalog.core import Catalog
    from catalog.sql.session import Session

    async with await Catalog.open(":memory:") as scratch:
        session = Session(scratch)
        session.enter_file(str(path))
        await session.execute(text, str(path))
        latest = await scratch.latest_versions()
    if len(latest) != 1:
        names = ", ".join(stream.name for stream, _ in latest) or "none"
        raise SchemaError(
            f"{path} should leave one stream, not {len(latest)} ({names})",
            hint="put the CREATE STREAM to check (and its ALTERs) in a file of its own",
        )
    return latest[0][1].schema
