"""Reading a schema from a file: Avro (.avsc), JSON Schema, or our canonical JSON.

The kind is told by the content, not only the extension: an Avro record has
``"type": "record"``, a JSON Schema has ``$schema`` or ``properties``, and the
canonical form has a ``fields`` list of objects with ``nullable``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalog.errors import SchemaError
from catalog.schema import Schema


def load_schema_file(path: str | Path) -> tuple[Schema, str]:
    """The schema in ``path`` and its kind: ``avro``, ``jsonschema`` or ``canonical``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaError(f"cannot read {path}: {exc.strerror}") from None
    try:
        doc: Any = json.loads(text)
    except ValueError as exc:
        raise SchemaError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"  # type: ignore[attr-defined]
        ) from None
    kind = schema_kind(doc)
    if kind == "avro":
        return Schema.from_avro(doc), kind
    if kind == "jsonschema":
        from catalog.jsonschema import schema_from_json_schema

        return schema_from_json_schema(doc), kind
    if kind == "canonical":
        return Schema.from_json(doc), kind
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
