"""Fuzzing the readers of text from outside: statements, type names, the schema files of
``schemacat check`` (Avro, JSON Schema, canonical JSON), and corrupted data files.  Whatever the input, the answer is a
result or a ``SchemacatError``: never another exception, which would be an internal error."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import catalog
from catalog.errors import SchemacatError
from catalog.schema import Schema
from catalog.sql.dialect import parse_statement
from catalog.types import parse_sql_type

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = [
    "CREATE", "OR", "REPLACE", "STREAM", "IF", "NOT", "EXISTS", "ALTER", "ADD", "DROP",
    "COLUMN", "RENAME", "TO", "TYPE", "SET", "DEFAULT", "NULL", "REFRESH", "VALIDATE", "SHOW",
    "STREAMS", "SCHEMAS", "TOPICS", "FROM", "SCHEMA", "VERSIONS", "COMPATIBILITY", "FOR",
    "DESCRIBE", "EXTENDED", "VERSION", "DEFINE", "RUN", "SCRIPT", "WITH", "AS", "SELECT",
    "KEY", "HEADERS", "HEADER", "COMMENT", "EMIT", "CHANGES", "LIST", "JOIN", "ON", "WHERE",
    "INT", "BIGINT", "VARCHAR", "DECIMAL", "STRUCT", "MAP", "ENUM", "UNION", "TIMESTAMP",
    "(", ")", "[", "]", ",", "=", ";", "<", ">", "'x'", "'s3://b/k'", '"Q"', "-", "1", "-2.5",
    "1e999", "99999999999999999999", "''", "TRUE", "a", "b", "${v}", "/*", "*/", "--", "\n",
]  # fmt: skip

statements = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join),
    st.text(max_size=200),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(
            ["type", "name", "fields", "items", "values", "symbols", "size", "default",
             "logicalType", "precision", "scale", "aliases", "namespace", "properties",
             "required", "$ref", "$defs", "anyOf", "oneOf", "enum", "nullable", "metadata",
             "format", "additionalProperties", "title", "key", "value", "item", "unit", "tz"]
        ),
        children,
        max_size=5,
    ),
    max_leaves=25,
)  # fmt: skip
TYPE_NAMES = ["record", "enum", "array", "map", "fixed", "string", "int", "long", "null",
              "boolean", "bytes", "double", "float", "object", "integer", "number", "struct",
              "list", "decimal", "timestamp", "union", "dictionary", "int64", "utf8"]  # fmt: skip


@st.composite
def schema_documents(draw: st.DrawFn) -> Any:
    """JSON, often shaped like a schema: a type name where one is looked for."""
    doc = draw(json_values)
    if isinstance(doc, dict) and draw(st.booleans()):
        doc["type"] = draw(st.sampled_from(TYPE_NAMES))
    return doc


def survives(read: Any, *args: Any) -> None:
    with contextlib.suppress(SchemacatError):
        read(*args)


@FUZZ
@given(statements)
def test_any_statement_parses_or_is_a_syntax_error(text: str) -> None:
    survives(parse_statement, text)


@FUZZ
@given(st.lists(st.sampled_from([w for w in WORDS if "://" not in w]), max_size=25).map(" ".join))
async def test_any_statement_runs_or_is_a_schemacat_error(text: str) -> None:
    """What parses also runs: on a catalog with a stream, a statement of the words of the
    dialect is a result or a SchemacatError (no network: sources are local names)."""
    async with await catalog.Catalog.open(":memory:") as cat:
        await cat.execute("CREATE STREAM a (id BIGINT, note VARCHAR DEFAULT 'x')")
        with contextlib.suppress(SchemacatError):
            await cat.execute(text.replace("${v}", ""))


@FUZZ
@given(
    st.lists(st.sampled_from([*WORDS[51:64], "(", ")", "[]", "[3]", ",", "a", "-1"]), max_size=12)
)
def test_any_type_name_reads_or_is_a_type_error(words: list[str]) -> None:
    survives(parse_sql_type, " ".join(words))


@FUZZ
@given(schema_documents())
def test_any_avro_document_reads_or_is_an_avro_error(doc: Any) -> None:
    survives(Schema.from_avro, doc)
    survives(Schema.from_avro, json.dumps(doc))


@FUZZ
@given(schema_documents())
def test_any_json_schema_reads_or_is_a_schema_error(doc: Any) -> None:
    survives(Schema.from_json_schema, doc)


@FUZZ
@given(schema_documents())
def test_any_canonical_document_reads_or_is_a_schema_error(doc: Any) -> None:
    survives(Schema.from_json, doc)
    survives(Schema.from_json, json.dumps(doc))


def _seed_files() -> dict[str, bytes]:
    """Small valid files of each format the file provider reads, to corrupt."""
    import gzip
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    lines = b"".join(
        json.dumps({"id": i, "tags": {"k": [i, None]}, "at": "2024-01-02T03:04:05Z"}).encode()
        + b"\n"
        for i in range(20)
    )
    table = pa.table({"id": list(range(20)), "name": [f"n{i}" for i in range(20)]})
    parquet = io.BytesIO()
    pq.write_table(table, parquet)
    csv = b"id,name,score\n" + b"".join(f"{i},n{i},{i / 3}\n".encode() for i in range(20))
    return {
        "f.ndjson": lines,
        "f.csv": csv,
        "f.parquet": parquet.getvalue(),
        "f.ndjson.gz": gzip.compress(lines),
        "f.csv.zst": zstandard.ZstdCompressor().compress(csv),
        "part-00000": lines,  # told by its content
    }


SEEDS = _seed_files()


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[str, bytes]:
    """A seed file with some bytes overwritten, some cut, or some inserted."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["overwrite", "cut", "insert"]))
        chunk = draw(st.binary(min_size=1, max_size=16))
        if action == "overwrite":
            data[at : at + len(chunk)] = chunk
        elif action == "cut":
            del data[at : at + len(chunk)]
        else:
            data[at:at] = chunk
    return name, bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=corrupted())
def test_corrupted_files_are_read_or_refused(
    case: tuple[str, bytes], tmp_path_factory: Any
) -> None:
    name, data = case
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    with contextlib.suppress(SchemacatError):
        asyncio.run(catalog.discover_schema(str(path)))
