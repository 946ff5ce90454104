"""Migrations both backends share that SQL alone cannot do: rewriting stored schemas.

A migration step is a SQL statement or one of these coroutines, run inside the
migration's transaction.
"""

from __future__ import annotations

import json
from typing import Any

from catalog.field import HEADER, ROLE
from catalog.schema import Schema
from catalog.store.sql import Tx

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
