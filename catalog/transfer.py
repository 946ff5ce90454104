"""Backup, restore and import: a whole registry out of one catalog and into another,
every id and version number kept.

A backup is one JSON-lines file (UTF-8, one JSON object a line)::

    {"format": "schemacat-backup", "version": 1, "schemacat": "0.1.0", "created": "..."}
    {"kind": "config", "compatibility": "BACKWARD"}        the global config (null: unset)
    {"kind": "mode", "mode": null}                          the global mode (null: unset)
    {"kind": "setting", "key": ..., "value": ...}           any other catalog setting
    {"kind": "schema", "id": 1, "schemaType": "AVRO", "schema": "...", "references": []}
    {"kind": "subject", "subject": "orders-value", "compatibility": null, "mode": null,
     "datasource": null, "format": null, "options": {}, "lineage": [], "query": null,
     "created_at": "...", "updated_at": "..."}
    {"kind": "version", "subject": "orders-value", "version": 1, "id": 1, "deleted": false,
     "columns": {...}, "fingerprint": "...", "origin": "registered", "change": "created",
     "created_at": "...", "discovery": null}
    {"kind": "end", "subjects": 1, "versions": 1, "schemas": 1}

Every schema id the catalog ever gave is written, held by a version or not (so a
restored catalog never gives one again), every stream with every version, softly
deleted ones too, and what SQL shows of them (columns, origin, options, datasource,
query).  The last line counts the others: a file cut short is refused, and so is any
line that does not hold what it should (a mode or compatibility that is none, an id out
of a Java int's range, a schema that is not valid, a reference to a version neither the
file nor the catalog holds), naming its line.  A restore writes it all in one
transaction of the store, secrets removed from the streams' metadata as SQL removes
them: it happens entirely or not at all.

``import_registry`` reads any Confluent-compatible registry over REST and writes
what it holds the same way, versions after those they reference.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog._version import __version__
from catalog.errors import CatalogError, InvalidRequest, SchemacatError, VersionNotFound
from catalog.modes import normalize_mode
from catalog.registration import Registration, references
from catalog.schema import Schema
from catalog.store.base import (
    MAX_NUMBER,
    ORIGINS,
    CatalogDump,
    LoadReport,
    SchemaVersion,
    StreamRecord,
    now,
    stream_key,
)
from catalog.subject_settings import COMPATIBILITY_SETTING, MODE_SETTING, MODES
from catalog.subjects import ReadVersion, Subjects

if TYPE_CHECKING:
    from catalog.confluent import SourceRegistry, SourceVersion

FORMAT, FORMAT_VERSION = "schemacat-backup", 1
#: what a hand-edited or damaged backup's error says to do
_FIX = "correct that line, or restore another backup; nothing was restored"


@dataclass(frozen=True)
class Transferred:
    """What a backup, restore or import held, and what it wrote."""

    subjects: int
    versions: int
    schemas: int
    settings: int  # the catalog's (modes kept for subjects not made yet too), each subject's own
    written: LoadReport | None = None  # None for a backup


class Transfers(Subjects):
    """Backup, restore and import; mixed into ``Catalog``."""

    async def backup(self, path: str | os.PathLike[str]) -> Transferred:
        """Write the whole catalog to ``path`` (replaced whole, never left half written)."""
        if not await self.store.exists():
            raise CatalogError(
                f"there is no catalog at {self.store.url}: nothing to back up",
                hint="check the path of --catalog (or $SCHEMACAT_CATALOG); no file was made",
                code="CATALOG_NOT_FOUND",
            )
        dump = await self.store.dump()
        lines = [json.dumps(doc, ensure_ascii=False) + "\n" for doc in _lines(dump)]
        await asyncio.to_thread(_write, Path(path), "".join(lines))
        return _counts(dump)

    async def restore(self, path: str | os.PathLike[str], *, force: bool = False) -> Transferred:
        """Write the backup at ``path`` into this catalog, which must be empty unless
        ``force``: then what is there the same is kept, the file's settings win (the
        catalog's compatibility and mode, and each subject's where the file sets one), and
        a version or id that differs (an id held by another schema here, a version holding
        another id) stops the restore before it writes anything."""
        text = await asyncio.to_thread(_read, Path(path))
        reader = _parse(str(path), text)
        dump = reader.dump()
        await self._check_schemas(reader, dump)
        report = await self.store.load(dump, merge=force)
        return replace(_counts(dump), written=report)

    async def _check_schemas(self, reader: _Lines, dump: CatalogDump) -> None:
        """Each schema of a backup read by the rules of its type, with the versions it
        references (in the file, else in this catalog): an error naming its line if not."""
        held = {v.schema_id for _, versions in dump.streams for v in versions}
        in_file = {(stream_key(v.stream), v.version): v for _, vs in dump.streams for v in vs}
        for schema_id, registration in dump.schemas.items():
            if schema_id not in held and registration.references:
                continue  # a schema no version holds: its references may be gone for good
            number = reader.lines[schema_id]
            where = f"the schema of id {schema_id}"
            try:
                read = self._reader(in_file, _missing(reader.bad(number, where)))
                await self.checked_schema(registration, normalize=False, read=read)
            except _Bad:
                raise
            except SchemacatError as exc:
                raise reader.bad(
                    number, f"{where} is not a valid {registration.schema_type} schema: "
                    f"{exc.message}",
                ) from None  # fmt: skip

    def _reader(
        self,
        held: Mapping[tuple[str, int], SchemaVersion],
        missing: Callable[[str, int], SchemacatError],
    ) -> ReadVersion:
        """Reads a referenced version from ``held`` (by stream key and number), else from
        this catalog; ``missing(subject, version)`` is raised when neither holds it."""

        async def read(subject: str, version: int) -> SchemaVersion:
            found = held.get((stream_key(subject), version))
            if found is not None:
                return found
            try:
                return await self.store.get_version(subject, version, deleted=True)
            except SchemacatError:
                raise missing(subject, version) from None

        return read

    async def import_registry(
        self, url: str, *, auth: tuple[str, str] | None = None, dry_run: bool = False
    ) -> Transferred:
        """Copy every subject, version and id of the registry at ``url`` into this
        catalog, with the global compatibility and each subject's compatibility and mode
        (not the global mode: a registry being left is often read-only meanwhile; nor the
        mode of a subject without versions, which the source's API does not list).  What
        is there the same already is kept, so a second run writes nothing; a version or id
        that differs stops it before it writes (the source's settings win).  ``dry_run``
        writes nothing."""
        from catalog.confluent import read_registry  # httpx: only for an import

        source = await read_registry(url, auth)
        dump = await self._source_dump(source)
        report = await self.store.load(dump, merge=True, dry_run=dry_run)
        return replace(_counts(dump), written=report)

    async def _source_dump(self, source: SourceRegistry) -> CatalogDump:
        """The registry's content as a dump: each version checked and given its columns,
        after the versions it references."""
        ids: dict[int, Registration] = {}
        owners: dict[str, int] = {}
        names: dict[str, str] = {}
        for v in source.versions:
            where = f"version {v.version} of {v.subject!r} in {source.url}"
            other = names.setdefault(stream_key(v.subject), v.subject)
            if other != v.subject:
                raise InvalidRequest(
                    f"{source.url} holds the subjects {other!r} and {v.subject!r}, which are "
                    "one in schemacat (names are case-insensitive); nothing was imported",
                    code="IMPORT_CONFLICT",
                )
            for number, what in ((v.schema_id, "id"), (v.version, "version number")):
                if not 1 <= number <= MAX_NUMBER:
                    raise InvalidRequest(
                        f"{where} has the {what} {number}, which is not between 1 and "
                        f"{MAX_NUMBER} (a Java int, as registry clients read it); nothing "
                        "was imported",
                        code="IMPORT_CONFLICT",
                    )
            known = ids.setdefault(v.schema_id, v.registration)
            first = owners.setdefault(v.registration.identity, v.schema_id)
            if known.identity != v.registration.identity:
                raise InvalidRequest(
                    f"{where} says the id {v.schema_id} is another schema than an earlier "
                    "version does; nothing was imported",
                    code="IMPORT_CONFLICT",
                )
            if first != v.schema_id:
                raise InvalidRequest(
                    f"{source.url} gives one schema two ids, {first} and {v.schema_id} ({where}): "
                    "schemacat gives a schema one id; nothing was imported",
                    hint="the source may have registered it again in IMPORT mode, or with "
                    "metadata schemacat does not keep",
                    code="IMPORT_CONFLICT",
                )
        built: dict[tuple[str, int], SchemaVersion] = {}

        def missing(subject: str, number: int) -> SchemacatError:
            return VersionNotFound(
                f"version {number} of {subject!r} is referenced, but neither {source.url} "
                "nor this catalog holds it"
            )

        read = self._reader(built, missing)

        at = now()
        for v in _dependency_order(source.versions):
            try:
                checked = await self.checked_schema(v.registration, normalize=False, read=read)
            except SchemacatError as exc:
                exc.message = f"version {v.version} of {v.subject!r} (id {v.schema_id}) in " \
                    f"{source.url}: {exc.message}; nothing was imported"  # fmt: skip
                raise
            view = checked.view
            built[stream_key(v.subject), v.version] = SchemaVersion(
                v.subject, v.version, view, view.fingerprint, "registered",
                "created" if v.version == 1 else "imported", at, None, v.schema_id,
                v.deleted, v.registration,
            )  # fmt: skip
        by_subject: dict[str, list[SchemaVersion]] = {}
        for b in built.values():
            by_subject.setdefault(b.stream, []).append(b)
        streams = []
        for subject, held in by_subject.items():
            level = source.subject_compatibility.get(subject)
            mode = source.subject_mode.get(subject)
            record = StreamRecord(
                subject, None, None, {}, normalize_mode(level) if level else None, (), 0, at, at,
                None, _mode(mode) if mode else None,
            )  # fmt: skip
            streams.append((record, sorted(held, key=_number)))
        settings = {}
        if source.compatibility:
            settings[COMPATIBILITY_SETTING] = normalize_mode(source.compatibility)
        return CatalogDump(ids, streams, settings)


def _missing(bad: _Bad) -> Callable[[str, int], SchemacatError]:
    """``bad`` (a schema's line) saying which version it references is missing."""

    def missing(subject: str, version: int) -> SchemacatError:
        bad.message += (
            f" references version {version} of {subject!r}, which neither the file nor "
            "this catalog holds"
        )
        return bad

    return missing


def _number(version: SchemaVersion) -> int:
    return version.version


def _dependency_order(versions: tuple[SourceVersion, ...]) -> list[SourceVersion]:
    """Every version after the versions its references name (those the source holds)."""
    by_key = {(stream_key(v.subject), v.version): v for v in versions}
    order: list[SourceVersion] = []
    done: set[tuple[str, int]] = set()

    def visit(v: SourceVersion, path: tuple[tuple[str, int], ...]) -> None:
        key = (stream_key(v.subject), v.version)
        if key in done:
            return
        if key in path:
            raise InvalidRequest(
                f"version {v.version} of {v.subject!r} references itself through others",
                code="IMPORT_CONFLICT",
            )
        for ref in v.registration.references:
            found = by_key.get((stream_key(ref.subject), ref.version))
            if found is not None:
                visit(found, (*path, key))
        done.add(key)
        order.append(v)

    for v in versions:
        visit(v, ())
    return order


def _mode(mode: str) -> str:
    upper = mode.upper()
    if upper not in MODES:
        raise InvalidRequest(
            f"{mode!r} is not a mode; the modes are {', '.join(MODES)}", code="INVALID_MODE"
        )
    return upper


def _counts(dump: CatalogDump) -> Transferred:
    settings = len(dump.settings) + sum(
        bool(s.compatibility) + bool(s.mode) for s, _ in dump.streams
    )
    return Transferred(
        subjects=len(dump.streams),
        versions=sum(len(v) for _, v in dump.streams),
        schemas=len(dump.schemas),
        settings=settings,
    )


# -- writing ---------------------------------------------------------------------------


def _lines(dump: CatalogDump) -> Iterator[dict[str, Any]]:
    yield {"format": FORMAT, "version": FORMAT_VERSION, "schemacat": __version__,
           "created": now().isoformat()}  # fmt: skip
    settings = dict(dump.settings)
    yield {"kind": "config", "compatibility": settings.pop(COMPATIBILITY_SETTING, None)}
    yield {"kind": "mode", "mode": settings.pop(MODE_SETTING, None)}
    for key, value in sorted(settings.items()):
        yield {"kind": "setting", "key": key, "value": value}
    for schema_id, registration in sorted(dump.schemas.items()):
        yield {"kind": "schema", "id": schema_id, "schemaType": registration.schema_type,
               "schema": registration.text,
               "references": [r.to_json() for r in registration.references]}  # fmt: skip
    versions = 0
    for record, held in dump.streams:
        yield {
            "kind": "subject", "subject": record.name, "compatibility": record.compatibility,
            "mode": record.mode, "datasource": record.datasource, "format": record.format,
            "options": dict(record.options), "lineage": list(record.lineage),
            "query": record.query, "created_at": record.created_at.isoformat(),
            "updated_at": record.updated_at.isoformat(),
        }  # fmt: skip
        for v in held:
            versions += 1
            yield {
                "kind": "version", "subject": record.name, "version": v.version,
                "id": v.schema_id, "deleted": v.deleted, "columns": json.loads(v.schema.canonical),
                "fingerprint": v.fingerprint, "origin": v.origin, "change": v.change,
                "created_at": v.created_at.isoformat(), "discovery": v.discovery,
            }  # fmt: skip
    yield {"kind": "end", "subjects": len(dump.streams), "versions": versions,
           "schemas": len(dump.schemas)}  # fmt: skip


def _write(path: Path, text: str) -> None:
    """``text`` as the file at ``path``, through a temporary file beside it: a reader (or a
    crash) never sees half a backup."""
    if not path.name or path.is_dir():
        raise InvalidRequest(
            f"cannot write the backup {str(path)!r}: it names no file",
            hint="give the path of the file to write, such as registry.jsonl",
            code="BACKUP_FAILED",
        )
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InvalidRequest(
            f"cannot write the backup {path}: {exc.strerror}", code="BACKUP_FAILED"
        ) from None


# -- reading ---------------------------------------------------------------------------


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidRequest(
            f"cannot read the backup {path}: {exc.strerror}", code="BAD_BACKUP"
        ) from None
    except UnicodeDecodeError:
        raise InvalidRequest(
            f"{path} is not a schemacat backup: it is not UTF-8 text", code="BAD_BACKUP"
        ) from None


class _Bad(InvalidRequest):
    code = "BAD_BACKUP"


def _parse(path: str, text: str) -> _Lines:
    """The lines a backup holds, read; an error naming the line of anything malformed."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise _Bad(f"{path} is empty: a backup starts with its header line")
    header = _object(path, 1, lines[0])
    if header.get("format") != FORMAT:
        raise _Bad(f"{path}, line 1: not a schemacat backup (no format {FORMAT!r} header)")
    if type(header.get("version")) is not int:
        raise _Bad(
            f"{path}, line 1: the header's 'version' is {header.get('version')!r}, not the "
            "number of a format version",
            hint=f'a backup made by schemacat says "version": {FORMAT_VERSION}; {_FIX}',
        )
    if header.get("version") != FORMAT_VERSION:
        raise _Bad(
            f"{path} is a backup of format version {header.get('version')!r}; this schemacat "
            f"({__version__}) reads format version {FORMAT_VERSION}",
            hint=f"restore it with the schemacat that wrote it ({header.get('schemacat')}) "
            "or a later one",
        )
    reader = _Lines(path)
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            reader.take(number, _object(path, number, line))
    reader.finish(len(lines))
    return reader


def _object(path: str, number: int, line: str) -> dict[str, Any]:
    try:
        doc = json.loads(line)
    except ValueError as exc:
        raise _Bad(f"{path}, line {number}: not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise _Bad(f"{path}, line {number}: not a JSON object")
    return doc


class _Lines:
    """The lines of a backup after its header, read one by one."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.schemas: dict[int, Registration] = {}
        self.streams: dict[str, tuple[StreamRecord, list[SchemaVersion]]] = {}
        self.settings: dict[str, str] = {}
        self.lines: dict[int, int] = {}  # the line of each schema id
        self.end: dict[str, Any] | None = None

    def bad(self, number: int, what: str) -> _Bad:
        return _Bad(f"{self.path}, line {number}: {what}", hint=_FIX)

    def get(self, number: int, doc: Mapping[str, Any], key: str, kind: Any) -> Any:
        value = doc.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.bad(number, f"{key!r} is missing or not what it should be")
        return value

    def take(self, number: int, doc: Mapping[str, Any]) -> None:
        if self.end is not None:
            raise self.bad(number, "a line after the last one (kind 'end')")
        kind = doc.get("kind")
        try:
            if kind == "config":
                value = self.get(number, doc, "compatibility", (str, type(None)))
                if value is not None:
                    self.settings[COMPATIBILITY_SETTING] = normalize_mode(value)
            elif kind == "mode":
                value = self.get(number, doc, "mode", (str, type(None)))
                if value is not None:
                    self.settings[MODE_SETTING] = _mode(value)
            elif kind == "setting":
                key = self.get(number, doc, "key", str)
                value = self.get(number, doc, "value", str)
                if key in (COMPATIBILITY_SETTING, MODE_SETTING):
                    raise self.bad(number, f"the setting {key!r} belongs on its own line")
                if key.startswith(f"{MODE_SETTING}:"):  # set for a subject not made yet
                    value = _mode(value)
                elif key.startswith(f"{COMPATIBILITY_SETTING}:"):
                    value = normalize_mode(value)
                self.settings[key] = value
            elif kind == "schema":
                self.schema(number, doc)
            elif kind == "subject":
                self.subject(number, doc)
            elif kind == "version":
                self.version(number, doc)
            elif kind == "end":
                self.end = dict(doc)
            else:
                raise self.bad(number, f"unknown kind {kind!r}")
        except (SchemacatError, ValueError, TypeError, KeyError, AttributeError) as exc:
            if isinstance(exc, _Bad):
                raise
            why = (
                exc.message
                if isinstance(exc, SchemacatError)
                else f"{exc!r} is not as it should be"
            )
            raise self.bad(number, why) from None

    def schema(self, number: int, doc: Mapping[str, Any]) -> None:
        schema_id = self._number(number, doc, "id")
        if schema_id in self.schemas:
            raise self.bad(number, f"the id {schema_id} a second time")
        self.lines[schema_id] = number
        refs = references(self.get(number, doc, "references", list))
        self.schemas[schema_id] = Registration(
            self.get(number, doc, "schemaType", str), self.get(number, doc, "schema", str), refs
        )

    def subject(self, number: int, doc: Mapping[str, Any]) -> None:
        name = self.get(number, doc, "subject", str)
        if stream_key(name) in self.streams:
            raise self.bad(number, f"the subject {name!r} a second time")
        optional = (str, type(None))
        compatibility = self.get(number, doc, "compatibility", optional)
        mode = self.get(number, doc, "mode", optional)
        self.streams[stream_key(name)] = (
            StreamRecord(
                name=name,
                datasource=self.get(number, doc, "datasource", optional),
                format=self.get(number, doc, "format", optional),
                options=self.get(number, doc, "options", dict),
                compatibility=normalize_mode(compatibility) if compatibility else None,
                lineage=tuple(self.get(number, doc, "lineage", list)),
                latest_version=0,
                created_at=datetime.fromisoformat(self.get(number, doc, "created_at", str)),
                updated_at=datetime.fromisoformat(self.get(number, doc, "updated_at", str)),
                query=self.get(number, doc, "query", optional),
                mode=_mode(mode) if mode else None,
            ),
            [],
        )

    def version(self, number: int, doc: Mapping[str, Any]) -> None:
        name = self.get(number, doc, "subject", str)
        found = self.streams.get(stream_key(name))
        if found is None:
            raise self.bad(number, f"a version of {name!r} before its subject line")
        record, held = found
        version = self._number(number, doc, "version")
        schema_id = self._number(number, doc, "id")
        if schema_id not in self.schemas:
            raise self.bad(number, f"the id {schema_id} has no schema line before it")
        if any(v.version == version for v in held):
            raise self.bad(number, f"version {version} of {name!r} a second time")
        origin = self.get(number, doc, "origin", str)
        if origin not in ORIGINS:
            raise self.bad(number, f"unknown origin {origin!r}")
        discovery = self.get(number, doc, "discovery", (dict, type(None)))
        schema = Schema.from_json(self.get(number, doc, "columns", dict))
        held.append(
            SchemaVersion(
                stream=record.name,
                version=version,
                schema=schema,
                fingerprint=schema.fingerprint,  # of the columns, whatever the file says
                origin=origin,
                change=self.get(number, doc, "change", str),
                created_at=datetime.fromisoformat(self.get(number, doc, "created_at", str)),
                discovery=discovery,
                schema_id=schema_id,
                deleted=self.get(number, doc, "deleted", bool),
                registration=self.schemas[schema_id],
            )
        )

    def _number(self, number: int, doc: Mapping[str, Any], key: str) -> int:
        """An id or version number: from 1 to the largest Java int, as clients read them."""
        value: int = self.get(number, doc, key, int)
        if not 1 <= value <= MAX_NUMBER:
            raise self.bad(number, f"the {key} {value} is not between 1 and {MAX_NUMBER}")
        return value

    def finish(self, last: int) -> None:
        """An error unless the file ended with its last line, counting what it holds."""
        if self.end is None:
            raise _Bad(
                f"{self.path} ends at line {last} before its last line (kind 'end'): the "
                "file is incomplete; nothing was restored"
            )
        versions = sum(len(held) for _, held in self.streams.values())
        counted = {"subjects": len(self.streams), "versions": versions,
                   "schemas": len(self.schemas)}  # fmt: skip
        for key, value in counted.items():
            if self.end.get(key) != value:
                raise _Bad(
                    f"{self.path}: its last line counts {self.end.get(key)!r} {key}, but it "
                    f"holds {value}: the file was changed or cut; nothing was restored"
                )

    def dump(self) -> CatalogDump:
        return CatalogDump(self.schemas, list(self.streams.values()), self.settings)
