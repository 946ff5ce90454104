"""Writing a whole catalog as it was (``Store.load``): ids, version numbers, deleted marks
and times kept, for restoring a backup and importing another registry.

A load is planned first (reads only: what is new, what is there the same, what
conflicts), then applied in the same transaction, so a conflict stops it before it
writes anything, and a failure part way leaves the catalog as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from catalog.errors import CatalogError
from catalog.registration import Registration
from catalog.store.base import (
    MAX_NUMBER,
    CatalogDump,
    LoadReport,
    SchemaVersion,
    StreamRecord,
    StreamSpec,
    dump_json,
    stream_key,
)

if TYPE_CHECKING:
    from catalog.store.sql import Tx

#: how many conflicts an error names before it counts the rest
SHOWN = 5


async def insert_schema(tx: Tx, schema_id: int, registration: Registration) -> None:
    """A new row of ``schemas``, with its references."""
    await tx.execute(
        "INSERT INTO schemas (id, schema_type, identity, text, refs) VALUES ($1, $2, $3, $4, $5)",
        schema_id,
        registration.schema_type,
        registration.identity,
        registration.text,
        dump_json([r.to_json() for r in registration.references]),
    )
    for ref in registration.references:
        await tx.execute(
            "INSERT INTO schema_refs (schema_id, name, subject_key, version) "
            "VALUES ($1, $2, $3, $4)",
            schema_id,
            ref.name,
            stream_key(ref.subject),
            ref.version,
        )


@dataclass
class Plan:
    """What a load writes."""

    schemas: list[tuple[int, Registration]] = field(default_factory=list)
    streams: list[StreamRecord] = field(default_factory=list)
    settings_of: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    versions: list[tuple[str, SchemaVersion]] = field(default_factory=list)
    marks: list[tuple[str, int, bool]] = field(default_factory=list)  # deleted marks to set
    settings: dict[str, str] = field(default_factory=dict)
    kept: int = 0

    @property
    def report(self) -> LoadReport:
        return LoadReport(
            schemas=len(self.schemas),
            versions=len(self.versions),
            settings=len(self.settings) + sum(len(c) for _, c in self.settings_of),
            kept=self.kept,
            added=tuple(
                (v.stream, v.version, v.schema_id or 0, v.deleted) for _, v in self.versions
            ),
        )

    async def apply(self, tx: Tx) -> None:
        for schema_id, registration in self.schemas:
            await insert_schema(tx, schema_id, registration)
        for s in self.streams:
            await tx.execute(
                "INSERT INTO streams (key, name, datasource, format, options, compatibility, "
                "lineage, query, mode, latest_version, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11)",
                stream_key(s.name),
                s.name,
                s.datasource,
                s.format,
                dump_json(dict(s.options)),
                s.compatibility or "",
                dump_json(list(s.lineage)),
                s.query,
                s.mode,
                s.created_at,
                s.updated_at,
            )
        for key, changes in self.settings_of:
            for column, value in changes.items():  # compatibility, mode: known names
                await tx.execute(f"UPDATE streams SET {column} = $2 WHERE key = $1", key, value)
        for key, v in self.versions:
            await tx.execute(
                "INSERT INTO schema_versions (stream_key, version, schema, fingerprint, origin, "
                "change, discovery, created_at, schema_id, deleted) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                key,
                v.version,
                v.schema.canonical,
                v.fingerprint,
                v.origin,
                v.change,
                None if v.discovery is None else dump_json(v.discovery),
                v.created_at,
                v.schema_id,
                int(v.deleted),
            )
        for key, number, deleted in self.marks:
            await tx.execute(
                "UPDATE schema_versions SET deleted = $3 WHERE stream_key = $1 AND version = $2",
                key,
                number,
                int(deleted),
            )
        touched = {k for k, _ in self.versions} | {k for k, _, _ in self.marks}
        for key in sorted(touched):
            await tx.execute(
                "UPDATE streams SET latest_version = COALESCE((SELECT MAX(version) FROM "
                "schema_versions WHERE stream_key = $1 AND deleted = 0), 0) WHERE key = $1",
                key,
            )
        for key, value in self.settings.items():
            await tx.execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                key,
                value,
            )


async def plan_load(tx: Tx, dump: CatalogDump, *, merge: bool) -> Plan:
    """What loading ``dump`` writes into the catalog ``tx`` reads; an error naming every
    conflict (or, without ``merge``, saying the catalog is not empty) if it cannot."""
    streams = {r["key"]: r for r in await tx.fetch("SELECT key, compatibility, mode FROM streams")}
    ids = {int(r["id"]): r["identity"] for r in await tx.fetch("SELECT id, identity FROM schemas")}
    if not merge and (streams or ids):
        raise CatalogError(
            f"the catalog is not empty: it holds {len(streams)} streams and {len(ids)} schema "
            "ids, and a restore writes into an empty catalog",
            hint="load into a new catalog, or merge into this one",
            code="CATALOG_NOT_EMPTY",
        )
    plan, problems = Plan(), _out_of_range(dump)
    owner = {identity: schema_id for schema_id, identity in ids.items()}
    for schema_id, registration in sorted(dump.schemas.items()):
        if not 1 <= schema_id <= MAX_NUMBER:
            continue  # named by _out_of_range
        held = ids.get(schema_id)
        if held == registration.identity:
            continue
        if held is not None:
            problems.append(f"the id {schema_id} is another schema here")
        elif registration.identity in owner:
            problems.append(
                f"the schema of id {schema_id} has the id {owner[registration.identity]} here "
                "(schemacat gives a schema one id)"
            )
        else:
            plan.schemas.append((schema_id, registration))
            owner[registration.identity] = schema_id
    rows = await tx.fetch("SELECT stream_key, version, schema_id, deleted FROM schema_versions")
    held_versions = {(r["stream_key"], r["version"]): r for r in rows}
    known_ids = set(ids) | set(dump.schemas)
    for record, versions in dump.streams:
        key = stream_key(record.name)
        there = streams.get(key)
        if not versions:  # a stream is never without a version
            continue
        if there is None:
            plan.streams.append(_redacted(record))
        else:
            changes = {
                column: value
                for column, value, now in (
                    ("compatibility", record.compatibility or "", there["compatibility"]),
                    ("mode", record.mode, there["mode"]),
                )
                if value and value != now
            }
            if changes:
                plan.settings_of.append((key, changes))
        for v in versions:
            if v.schema_id is None or v.schema_id not in known_ids:
                problems.append(f"version {v.version} of {record.name!r} has no schema id known")
                continue
            held = held_versions.get((key, v.version))
            if held is None:
                plan.versions.append((key, v))
            elif int(held["schema_id"]) != v.schema_id:
                problems.append(
                    f"version {v.version} of {record.name!r} holds the id {held['schema_id']} "
                    f"here, not {v.schema_id}"
                )
            elif bool(held["deleted"]) != v.deleted:
                plan.marks.append((key, v.version, v.deleted))
            else:
                plan.kept += 1
    current = {r["key"]: r["value"] for r in await tx.fetch("SELECT key, value FROM settings")}
    plan.settings = {k: v for k, v in dump.settings.items() if current.get(k) != v}
    if problems:
        more = f" and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        raise CatalogError(
            f"cannot load: {'; '.join(problems[:SHOWN])}{more}; nothing was written",
            hint="load into an empty catalog, or remove what conflicts first",
            code="LOAD_CONFLICT",
        )
    return plan


def _redacted(record: StreamRecord) -> StreamRecord:
    """A stream's metadata without secrets, as ``create_stream`` stores a spec's."""
    spec = StreamSpec(
        record.name, record.datasource, record.format, record.options, record.compatibility,
        record.lineage, record.query, record.mode,
    ).redacted()  # fmt: skip
    return replace(
        record, datasource=spec.datasource, options=spec.options, lineage=spec.lineage,
        query=spec.query,
    )  # fmt: skip


def _out_of_range(dump: CatalogDump) -> list[str]:
    """The ids and version numbers of ``dump`` a registry client could not carry."""
    problems = [
        f"the id {i} is not between 1 and {MAX_NUMBER}"
        for i in sorted(dump.schemas) if not 1 <= i <= MAX_NUMBER
    ]  # fmt: skip
    for record, versions in dump.streams:
        problems.extend(
            f"version {v.version} of {record.name!r} is not between 1 and {MAX_NUMBER}"
            for v in versions if not 1 <= v.version <= MAX_NUMBER
        )  # fmt: skip
    return problems
