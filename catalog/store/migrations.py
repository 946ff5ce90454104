"""Migrations both backends share that SQL alone cannot do: rewriting stored schemas.

A migration step is a SQL statement or one of these coroutines, run inside the
migration's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from catalog.field import HEADER, ROLE
from catalog.registration import of_columns
from catalog.schema import Schema
from catalog.store.sql import Step, Tx

_LEGACY_ROLES = {"kafka": ROLE, "kafka.header": HEADER}


async def canonical_schemas(tx: Tx) -> None:
    """Store 2: every schema in its canonical form, with its fingerprint.

    Types became canonical (a large string is a string), and the message roles of
    columns neutral (``role`` where catalogs of store 1 wrote ``kafka``); a version
    stored in the old form gets the form, and so the fingerprint, it would get today.
    """
    rows = await tx.fetch("SELECT stream_key, version, schema FROM schema_versions")
    for row in rows:
        doc = json.loads(row["schema"])
        for field in doc.get("fields", ()):
            _neutral_roles(field)
        schema = Schema.from_json(doc)
        if schema.canonical != row["schema"]:
            await tx.execute(
                "UPDATE schema_versions SET schema = $1, fingerprint = $2 "
                "WHERE stream_key = $3 AND version = $4",
                schema.canonical,
                schema.fingerprint,
                row["stream_key"],
                row["version"],
            )


def _neutral_roles(field: dict[str, Any]) -> None:
    metadata = field.get("metadata") or {}
    for old, new in _LEGACY_ROLES.items():
        if old in metadata:
            metadata[new] = metadata.pop(old)


async def fingerprints(tx: Tx) -> None:
    """Store 4: fingerprints leave out annotations (what a source said about a column);
    each version gets the fingerprint its schema has today."""
    rows = await tx.fetch("SELECT stream_key, version, schema, fingerprint FROM schema_versions")
    for row in rows:
        fingerprint = Schema.from_json(row["schema"]).fingerprint
        if fingerprint != row["fingerprint"]:
            await tx.execute(
                "UPDATE schema_versions SET fingerprint = $1 "
                "WHERE stream_key = $2 AND version = $3",
                fingerprint,
                row["stream_key"],
                row["version"],
            )


def registry_tables(id_type: str) -> list[str | Callable[[Tx], Awaitable[None]]]:
    """Store 5: the registry.  Every distinct schema has a global id (``schemas``: its
    type, its text as first registered, its references), every version the id of its
    schema and a soft-delete mark, every stream a mode; a stream whose compatibility is
    empty follows the catalog's default."""
    return [
        f"""CREATE TABLE schemas (
            id {id_type} PRIMARY KEY,
            schema_type TEXT NOT NULL,
            identity TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            refs TEXT NOT NULL
        )""",
        f"""CREATE TABLE schema_refs (
            schema_id {id_type} NOT NULL REFERENCES schemas (id),
            name TEXT NOT NULL,
            subject_key TEXT NOT NULL,
            version INTEGER NOT NULL
        )""",
        "CREATE INDEX schema_refs_target ON schema_refs (subject_key, version)",
        f"ALTER TABLE schema_versions ADD COLUMN schema_id {id_type} REFERENCES schemas (id)",
        "ALTER TABLE schema_versions ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX schema_versions_schema ON schema_versions (schema_id)",
        "ALTER TABLE streams ADD COLUMN mode TEXT",
        _schema_ids,
    ]


async def _schema_ids(tx: Tx) -> None:
    """Each version of a catalog made before store 5 gets the id of the Avro schema of its
    columns (JSON Schema where Avro cannot hold them), ids given in order of creation."""
    rows = await tx.fetch(
        "SELECT s.name, v.stream_key, v.version, v.schema FROM schema_versions v "
        "JOIN streams s ON s.key = v.stream_key ORDER BY s.created_at, s.key, v.version"
    )
    ids: dict[str, int] = {}
    for row in rows:
        registration = of_columns(Schema.from_json(row["schema"]), row["name"])
        if registration.identity not in ids:
            ids[registration.identity] = len(ids) + 1
            await tx.execute(
                "INSERT INTO schemas (id, schema_type, identity, text, refs) "
                "VALUES ($1, $2, $3, $4, '[]')",
                ids[registration.identity],
                registration.schema_type,
                registration.identity,
                registration.text,
            )
        await tx.execute(
            "UPDATE schema_versions SET schema_id = $1 WHERE stream_key = $2 AND version = $3",
            ids[registration.identity],
            row["stream_key"],
            row["version"],
        )


#: store 6: what a transitive check reads of a stream's live history (derived data, not
#: backed up), with the digest of the versions it summarises (``history``): a writer
#: uses it only while the stream's live versions are those, which it reads from an
#: index that holds all it reads of them (not the schema text each row holds)
HISTORY_SUMMARIES: list[Step] = [
    """CREATE TABLE history_summaries (
        stream_key TEXT PRIMARY KEY REFERENCES streams (key) ON DELETE CASCADE,
        history TEXT NOT NULL,
        summary TEXT NOT NULL
    )""",
    "CREATE INDEX schema_versions_live ON schema_versions (stream_key, deleted, version, "
    "fingerprint)",
]
