"""A schema as a registry holds it: its type (AVRO, JSON), its text as registered, the
references it makes to other subjects, and the identity that gives it one global id.

Two registrations are the same schema, with the same id, when their type, their
canonical text and their references are: the canonical text is the one Confluent's
registry compares (Avro's ``Schema.toString()``; a JSON Schema's compact text), so
whitespace, and for Avro the order of its attributes, do not make a new schema,
while the order of fields does.

A stream made in SQL is registered as the Avro record generated from its columns
(named after its record name, else the stream); a schema Avro cannot hold without
loss (an unsigned 64-bit integer, a map with non-string keys, a default that is no
value of its column's type) is registered as the JSON Schema of its columns instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from catalog.errors import AvroSchemaError, SchemaError
from catalog.field import ROLE
from catalog.schema import Schema

AVRO, JSON = "AVRO", "JSON"
TYPES = (AVRO, JSON)


@dataclass(frozen=True)
class Reference:
    """A named type or document of another subject's version that a schema uses."""

    name: str
    subject: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "subject": self.subject, "version": self.version}


@dataclass(frozen=True)
class Registration:
    schema_type: str
    text: str
    references: tuple[Reference, ...] = ()

    @property
    def canonical(self) -> str:
        """Its canonical text; a schema with references (whose types are defined
        elsewhere) is compared as written, whitespace aside."""
        if self.references:
            return _compact(json.loads(self.text))
        return _canonical(self.schema_type, self.text)

    @cached_property
    def identity(self) -> str:
        """What makes two registrations one schema with one id."""
        refs = json.dumps([r.to_json() for r in self.references], sort_keys=True)
        key = f"{self.schema_type}\n{self.canonical}\n{refs}"
        return hashlib.sha256(key.encode()).hexdigest()


@lru_cache(maxsize=4096)
def _canonical(schema_type: str, text: str) -> str:
    """Registered schemas are compared again and again; each text is read once."""
    if schema_type == AVRO:
        from catalog import avro_compat

        return avro_compat.canonical(text)
    from catalog import jsonschema_compat  # jsonschema is slow to import: only when needed

    return jsonschema_compat.canonical(text)


def canonical_text_cache() -> tuple[int, int, int]:
    """Hits, misses and entries of this process's cache of canonical texts."""
    info = _canonical.cache_info()
    return info.hits, info.misses, info.currsize


def of_columns(schema: Schema, stream: str, format: str | None = None) -> Registration:
    """How a stream made in SQL is registered: Avro generated from its columns, or their
    JSON Schema for ksqlDB's ``JSON_SR`` format."""
    if format == "json_sr":
        return Registration(JSON, _compact(schema.to_json_schema()))
    try:
        text = _compact(schema.to_avro(schema.name or _avro_name(stream)))
        _canonical(AVRO, text)  # read once, kept for its id: a default may be no value of its type
    except AvroSchemaError:
        return Registration(JSON, _compact(schema.to_json_schema()))
    return Registration(AVRO, text)


def value_columns(schema: Schema) -> Schema:
    """The columns of a message's value: those without a KEY or HEADER role."""
    return Schema([f for f in schema if ROLE not in f.metadata], schema.name)


def references(given: Sequence[Mapping[str, Any]] | None) -> tuple[Reference, ...]:
    """The ``references`` of a request, checked."""
    out = []
    for ref in given or ():
        name, subject, version = ref.get("name"), ref.get("subject"), ref.get("version")
        if not isinstance(name, str) or not isinstance(subject, str) or type(version) is not int:
            raise SchemaError(
                f"a reference needs a name, a subject and a version number, not {dict(ref)!r}",
                hint='write {"name": "com.acme.Address", "subject": "address", "version": 1}',
            )
        out.append(Reference(name, subject, version))
    return tuple(out)


def _compact(document: Mapping[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _avro_name(stream: str) -> str:
    """An Avro full name made of a stream's name (``orders-value`` -> ``orders_value``)."""
    parts = [re.sub(r"\W", "_", p) for p in stream.split(".") if p]
    return ".".join(p if re.match(r"[A-Za-z_]", p) else f"_{p}" for p in parts) or "Record"
