"""The registry's operations on the catalog: a subject is a stream, its versions the stream's.

``Catalog`` takes these as a mixin, so the REST door (and SQL, and Python) call one
Catalog method each.  A registered schema keeps its type and text (what a client
sent is what it reads back); the stream's columns are the Arrow view of it, which
SQL shows.  Avro schemas are checked by Avro's resolution rules on the Avro schemas
themselves, JSON Schemas by the JSON Schema rules; a stream made in SQL is served
as the Avro of its columns (``catalog.registration``).

Soft deletes keep a version (and its id readable) out of sight; a permanent delete
needs a soft one first; numbers and ids are never reused while a version holds
them.  Modes (READWRITE, READONLY, READONLY_OVERRIDE, IMPORT) and compatibility
are per stream, else the catalog's.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyarrow as pa

from catalog import avro
from catalog.compat import CompatibilityResult, Issue
from catalog.errors import (
    DeletedState,
    IncompatibleSchema,
    InvalidRequest,
    ReferenceExists,
    SchemaError,
    SchemaNotFound,
    StreamExists,
    StreamNotFound,
    VersionNotFound,
)
from catalog.field import KEY_ROLE, ROLE, Field
from catalog.modes import normalize_mode
from catalog.registration import AVRO, TYPES, Reference, Registration
from catalog.schema import Schema
from catalog.store import (
    NewVersion,
    SchemaVersion,
    Store,
    StreamSpec,
    StreamWriter,
)
from catalog.store.base import MAX_NUMBER
from catalog.subject_settings import SubjectSettings, valid_subject
from catalog.words import versions as versions_text

LATEST = -1  # "latest" and -1 name the newest version


@dataclass(frozen=True)
class Checked:
    """A schema ready to register: what was sent (normalized if asked), and its view."""

    registration: Registration
    view: Schema


class Subjects(SubjectSettings):
    """The registry's operations; mixed into ``Catalog``, which gives ``store``."""

    store: Store
    default_compatibility: Callable[[], Awaitable[str]]  # Catalog's

    # -- registering -------------------------------------------------------------
    async def register_schema(
        self,
        subject: str,
        registration: Registration,
        *,
        normalize: bool = False,
        schema_id: int | None = None,
        version: int | None = None,
    ) -> SchemaVersion:
        """Register a schema under ``subject`` (made if new), checked against the
        subject's mode first; the version that holds the same schema, if one does.

        As Confluent's registry does: a ``schema_id`` may be given only in IMPORT mode
        (42205 otherwise), and IMPORT mode takes nothing else; there the schema keeps the
        id and ``version`` given (the next number if none), unchecked for compatibility,
        unless another schema holds the id or the version exists (42205); the same again
        is its version.  Outside IMPORT mode, a ``version`` must be the next number
        (42201).  A negative id and a version under 1 count as none, as Confluent reads
        them."""
        valid_subject(subject)
        schema_id = None if schema_id is None or schema_id < 0 else schema_id
        version = None if version is None or version < 1 else version
        _in_range(schema_id, version)
        await self._registering(subject, imported=schema_id is not None)
        checked = await self.checked_schema(registration, normalize=normalize)
        if schema_id is not None:
            return await self._imported(subject, checked, schema_id, version)
        default = await self.default_compatibility()
        try:
            async with self.store.writing(subject, deleted=True) as writer:
                same = await writer.holding(checked.registration.identity)
                if same is not None and version in (None, same.version):
                    _REGISTRATIONS["existing"] += 1
                    return same
                if version is not None:
                    await _next_number(writer, version)
                mode = writer.stream.compatibility or default
                live = await _checked_against(writer.versions, writer.latest, mode)
                result = await check_registered(checked.registration, live, mode, writer.version_of)
                if not result.compatible:
                    raise incompatible(writer.stream.name, result)
                return _new(await writer.append(
                    NewVersion(checked.view, "registered", "registered",
                               registration=checked.registration)
                ))  # fmt: skip
        except StreamNotFound:
            if version not in (None, 1):
                raise _not_next(version, 1) from None
            spec = StreamSpec(name=subject, compatibility=None)
            new = NewVersion(checked.view, "registered", "created", None, checked.registration)
            try:
                return _new(await self.store.create_stream(spec, new))
            except StreamExists:  # made meanwhile by another process: checked against it
                return await self.register_schema(
                    subject, registration, normalize=normalize, version=version
                )

    async def _imported(
        self,
        subject: str,
        checked: Checked,
        schema_id: int,
        version: int | None,
    ) -> SchemaVersion:
        """IMPORT mode: the schema as version ``version`` (else the next) with ``schema_id``,
        unchecked; the version there already when it holds this id."""
        new = NewVersion(
            checked.view, "registered", "imported", None, checked.registration,
            number=version, schema_id=schema_id,
        )  # fmt: skip
        try:
            async with self.store.writing(subject, deleted=True) as writer:
                if version is None:
                    there = await writer.holding(checked.registration.identity)
                else:
                    held = await writer.versions(deleted=True)
                    there = next((v for v in held if v.version == version), None)
                if there is not None and there.schema_id == schema_id:
                    return there
                return await writer.append(new)
        except StreamNotFound:
            spec = StreamSpec(name=subject, compatibility=None)
            try:
                return await self.store.create_stream(spec, new)
            except StreamExists:  # made meanwhile by another process
                return await self._imported(subject, checked, schema_id, version)

    async def checked_schema(
        self, registration: Registration, *, normalize: bool, read: ReadVersion | None = None
    ) -> Checked:
        """A registration read (42201 when it is no valid schema of its type), its
        references resolved (40401, 40402 when one is missing) by ``read`` (the store's
        live versions if None), normalized if asked, and its Arrow view."""
        if registration.schema_type not in TYPES:
            raise SchemaError(
                f"schemaType {registration.schema_type} is not supported; "
                f"schemacat registers {' and '.join(TYPES)} schemas",
                hint="register it as AVRO or JSON",
            )
        referenced = await _referenced(registration, read or self._live_version)
        try:
            return _checked(registration, referenced, normalize=normalize)
        except RecursionError:  # a default or a property nested some hundred levels deep
            raise SchemaError(
                "the schema is nested too deeply to read",
                hint="a schema, its defaults and its properties may nest a few hundred levels",
            ) from None

    async def _live_version(self, subject: str, version: int) -> SchemaVersion:
        return await self.store.get_version(subject, version)

    async def lookup_schema(
        self,
        subject: str,
        registration: Registration,
        *,
        normalize: bool = False,
        deleted: bool = False,
    ) -> SchemaVersion:
        """The version of ``subject`` that holds this schema (40401, 40403)."""
        checked = await self.checked_schema(registration, normalize=normalize)
        found = await self.store.holding(subject, checked.registration.identity, deleted=deleted)
        if found is None:
            await self.store.get_stream(subject, deleted=deleted)  # StreamNotFound
            raise SchemaNotFound(f"subject {subject!r} holds no version of this schema")
        return found

    async def test_compatibility(
        self,
        subject: str,
        registration: Registration,
        version: int | None = None,
        *,
        normalize: bool = False,
    ) -> CompatibilityResult:
        """Whether the schema may follow ``version`` (-1: the latest; None: every version
        the subject's mode checks against)."""
        checked = await self.checked_schema(registration, normalize=normalize)
        stream = await self.store.get_stream(subject)
        mode = stream.compatibility or await self.default_compatibility()
        read = self._any_version
        if version is None:
            live = await _checked_against(
                lambda: self.store.list_versions(subject),
                lambda: self.store.get_version(subject),
                mode,
            )
            return await check_registered(checked.registration, live, mode, read)
        against = await self.subject_version(subject, version)
        return await check_registered(checked.registration, [against], _one_step(mode), read)

    async def _any_version(self, subject: str, version: int) -> SchemaVersion:
        return await self.store.get_version(subject, version, deleted=True)

    # -- reading -----------------------------------------------------------------
    async def schema_by_id(self, schema_id: int) -> Registration:
        found = await self.store.registered_schema(schema_id)
        if found is None:
            raise SchemaNotFound(f"no schema has the id {schema_id}")
        return found

    async def schema_subjects(self, schema_id: int, *, deleted: bool = False) -> list[str]:
        await self.schema_by_id(schema_id)
        pairs = await self.store.schema_versions(schema_id, deleted=deleted)
        return list(dict.fromkeys(name for name, _ in pairs))

    async def schema_versions_of(
        self, schema_id: int, *, deleted: bool = False
    ) -> list[tuple[str, int]]:
        await self.schema_by_id(schema_id)
        return await self.store.schema_versions(schema_id, deleted=deleted)

    async def schema_ids(self) -> list[int]:
        return await self.store.schema_ids()

    async def subjects(
        self, prefix: str = "", *, deleted: bool = False, deleted_only: bool = False
    ) -> list[str]:
        streams = await self.store.list_streams(deleted=deleted or deleted_only)
        out = []
        for stream in streams:
            soft = stream.latest_version == 0
            if deleted_only and not soft:
                held = await self.store.list_versions(stream.name, deleted=True)
                soft = any(v.deleted for v in held)
            if stream.name.startswith(prefix) and (soft or not deleted_only):
                out.append(stream.name)
        return out

    async def subject_versions(
        self, subject: str, *, deleted: bool = False, deleted_only: bool = False
    ) -> list[int]:
        held = await self.store.list_versions(subject, deleted=deleted or deleted_only)
        numbers = [v.version for v in held if not deleted_only or v.deleted]
        if not held:
            raise StreamNotFound(f"subject {subject!r} does not exist")
        return numbers

    async def subject_version(
        self, subject: str, version: int = LATEST, *, deleted: bool = False
    ) -> SchemaVersion:
        """One version; ``LATEST`` (-1) the newest not deleted."""
        if version != LATEST and version < 1:
            raise VersionNotFound(f"version {version} of {subject!r} does not exist")
        return await self.store.get_version(
            subject, None if version == LATEST else version, deleted=deleted
        )

    async def subject_columns(
        self, subject: str, schema_id: int | None = None, *, key: bool = False
    ) -> Schema:
        """The columns ksqlDB's bridge takes from ``subject``: its latest version's, or
        those of the schema ``schema_id`` (VALUE_SCHEMA_ID).  For a key (``<topic>-key``)
        each has the KEY role, and a schema that is no record is one column ``key``."""
        if schema_id is None:
            version = await self.subject_version(subject)
            registration, view = registered(version), version.schema
        else:
            registration = await self.schema_by_id(schema_id)
            view = (await self.checked_schema(registration, normalize=False)).view
        if not key:
            return view
        fields = list(view.fields)
        if not _is_record(registration):
            fields = [fields[0].replace(name="key")]
        return Schema([f.replace(metadata={**f.metadata, ROLE: KEY_ROLE}) for f in fields])

    async def referenced_by(self, subject: str, version: int = LATEST) -> list[int]:
        found = await self.subject_version(subject, version)
        return await self.store.referencing(subject, found.version)

    # -- deleting ----------------------------------------------------------------
    async def delete_subject(self, subject: str, *, permanent: bool = False) -> list[int]:
        """Soft delete every live version, or (after that) delete them for good."""
        await self._writable(subject)
        async with self.store.writing(subject, deleted=True) as writer:
            held = await writer.versions(deleted=True)
            live = [v.version for v in held if not v.deleted]
            if permanent and live:
                raise DeletedState(
                    f"subject {writer.stream.name!r} was not deleted first before being "
                    "permanently deleted",
                    "SUBJECT_NOT_SOFT_DELETED",
                    hint="delete it without permanent=true first",
                )
            if not permanent and not live:
                raise DeletedState(
                    f"subject {writer.stream.name!r} was soft deleted; set permanent=true "
                    "to delete it permanently",
                    "SUBJECT_SOFT_DELETED",
                )
            gone = [v.version for v in held] if permanent else live
            await _unreferenced(writer, gone)
            await writer.delete(gone, permanent=permanent)
            return gone

    async def delete_version(
        self, subject: str, version: int = LATEST, *, permanent: bool = False
    ) -> int:
        await self._writable(subject)
        async with self.store.writing(subject, deleted=True) as writer:
            held = {v.version: v for v in await writer.versions(deleted=True)}
            number = (
                max((n for n, v in held.items() if not v.deleted), default=0)
                if version == LATEST
                else version
            )
            found = held.get(number)
            if found is None:
                raise VersionNotFound(
                    f"version {version if version != LATEST else 'latest'} of "
                    f"{writer.stream.name!r} does not exist"
                )
            if permanent and not found.deleted:
                raise DeletedState(
                    f"version {number} of {writer.stream.name!r} was not deleted first "
                    "before being permanently deleted",
                    "VERSION_NOT_SOFT_DELETED",
                    hint="delete it without permanent=true first",
                )
            if not permanent and found.deleted:
                raise DeletedState(
                    f"version {number} of {writer.stream.name!r} was soft deleted; set "
                    "permanent=true to delete it permanently",
                    "VERSION_SOFT_DELETED",
                )
            await _unreferenced(writer, [number])
            await writer.delete([number], permanent=permanent)
            return number


async def check_registered(
    registration: Registration,
    earlier: Sequence[SchemaVersion],
    mode: str,
    read: ReadVersion,
) -> CompatibilityResult:
    """Whether a registered schema may follow ``earlier`` (live versions, oldest first)
    under ``mode``, by the rules of its type; versions of another type break it.
    ``read`` reads the versions their references name."""
    numbers = [v.version for v in earlier]
    texts = [v.registration for v in earlier]
    other = [
        v.version for v, r in zip(earlier, texts, strict=True)
        if r is None or r.schema_type != registration.schema_type
    ]  # fmt: skip
    if other and normalize_mode(mode) != "NONE":
        return CompatibilityResult(
            normalize_mode(mode),
            tuple(
                Issue("", "TYPE_CHANGED", f"version {n} is not a {registration.schema_type} "
                      "schema", "register under a new subject", n)
                for n in other
            ),
            tuple(numbers),
        )  # fmt: skip
    held = [parse(r, await _referenced(r, read)) for r in texts if r is not None]
    module = _rules(registration.schema_type)
    new = parse(registration, await _referenced(registration, read))
    result: CompatibilityResult = module.check(new, held, mode, versions=numbers)
    return result


#: reads one version of a subject (a store's, or a writer's inside its transaction)
ReadVersion = Callable[[str, int], Awaitable[SchemaVersion]]


#: a referenced schema and the name it is referenced by (an Avro type's, a JSON $ref's)
Referenced = tuple[str, Registration]


async def _referenced(registration: Registration, read: ReadVersion) -> list[Referenced]:
    """The schemas ``registration`` references, directly or through others, each after
    the ones it references itself, once each."""
    out: dict[tuple[str, int], Referenced] = {}
    seen: set[tuple[str, int]] = set()

    async def visit(refs: Sequence[Reference]) -> None:
        for ref in refs:
            key = (ref.subject, ref.version)
            if key in seen:
                continue
            seen.add(key)
            found = (await read(ref.subject, ref.version)).registration
            if found is None:
                raise SchemaNotFound(f"version {ref.version} of {ref.subject!r} holds no schema")
            await visit(found.references)
            out[key] = (ref.name, found)

    await visit(registration.references)
    return list(out.values())


#: registrations this process answered: a new version, or a schema the subject held already
_REGISTRATIONS = {"new": 0, "existing": 0}


def _new(version: SchemaVersion) -> SchemaVersion:
    _REGISTRATIONS["new"] += 1
    return version


def registration_counts() -> dict[str, int]:
    """How many registrations this process answered, by outcome (the server's metrics)."""
    return dict(_REGISTRATIONS)


def parsed_schema_cache() -> tuple[int, int, int]:
    """Hits, misses and entries of this process's cache of parsed schemas."""
    info = _parse.cache_info()
    return info.hits, info.misses, info.currsize


def parse(registration: Registration, referenced: Sequence[Referenced] = ()) -> Any:
    """A registered schema read by the rules of its type, with the schemas it references."""
    texts = tuple((name, r.text) for name, r in referenced)
    return _parse(registration.schema_type, registration.text, texts)


@lru_cache(maxsize=4096)
def _parse(schema_type: str, text: str, referenced: tuple[tuple[str, str], ...]) -> Any:
    """Registered schemas are read again at every check: each is read once.  A JSON
    Schema's referenced documents go in its definitions, each with its reference's
    name as ``$id``, so that a ``$ref`` to that name resolves within one document."""
    rules = _rules(schema_type)
    if schema_type == AVRO:
        return rules.parse(text, references=[t for _, t in referenced])
    if not referenced:
        return rules.parse(text)
    document = rules.parse_json(text)
    if not isinstance(document, dict):
        return rules.parse(document)
    key = "$defs" if rules.dialect(document) in ("2019-09", "2020-12") else "definitions"
    bundled = {name: {**rules.parse_json(t), "$id": name} for name, t in referenced}
    return rules.parse({**document, key: {**document.get(key, {}), **bundled}})


def _rules(schema_type: str) -> Any:
    """The module of a schema type's rules, imported when first needed (``jsonschema``
    takes 40 ms to import, which ``schemacat run`` need not pay)."""
    if schema_type == AVRO:
        from catalog import avro_compat

        return avro_compat
    from catalog import jsonschema_compat

    return jsonschema_compat


async def _unreferenced(writer: StreamWriter, numbers: Sequence[int]) -> None:
    """42206 when a live version's schema references one of ``numbers``."""
    for number in numbers:
        users = await writer.referencing(number)
        if users:
            raise ReferenceExists(
                f"version {number} of {writer.stream.name!r} is referenced by the schemas "
                f"{', '.join(map(str, users))}",
                hint="delete the versions that reference it first",
            )


def _one_step(mode: str) -> str:
    """The mode, checked against one version only."""
    return normalize_mode(mode).removesuffix("_TRANSITIVE")


def registered(version: SchemaVersion) -> Registration:
    """The schema a version holds as registered."""
    if version.registration is None:  # every version has one since store 5
        raise SchemaNotFound(f"version {version.version} of {version.stream!r} has no schema")
    return version.registration


def _is_record(registration: Registration) -> bool:
    """Whether a schema's values are records (objects), whose fields are its columns."""
    node = json.loads(registration.text)
    if registration.schema_type == AVRO:
        return isinstance(node, dict) and node.get("type") in ("record", "error")
    return isinstance(node, dict) and node.get("type") == "object"


def _checked(
    registration: Registration, referenced: Sequence[Referenced], *, normalize: bool
) -> Checked:
    text = registration.text
    if registration.schema_type == AVRO:
        parsed = parse(registration, referenced)
        avro = _rules(AVRO)
        known = set().union(*(avro.names(parse(r)) for _, r in referenced))
        if normalize:
            text = avro.normalized(parsed, known)
        view = _avro_view(avro.canonical(parsed) if referenced else text)
    else:
        rules = _rules(registration.schema_type)
        document = parse(registration, referenced)
        if normalize:  # the text as sent, not the document with its references in it
            text = rules.normalized(rules.parse_json(text) if referenced else text)
        view = _json_view(document)
    return Checked(Registration(registration.schema_type, text, registration.references), view)


def _in_range(schema_id: int | None, version: int | None) -> None:
    """Ids and versions are Java ints in Confluent's registry: 42201, 42202 beyond."""
    if schema_id is not None and not 1 <= schema_id <= MAX_NUMBER:
        raise InvalidRequest(
            f"the schema id {schema_id} is not a valid id; ids go from 1 to {MAX_NUMBER}",
            hint="an id must fit a Java int, as registry clients read it",
            code="INVALID_SCHEMA",
        )
    if version is not None and version > MAX_NUMBER:
        raise InvalidRequest(
            f"the version {version} is not a valid version id; allowed values are between "
            f"[1, {MAX_NUMBER}]",
            code="INVALID_VERSION",
        )


async def _next_number(writer: StreamWriter, version: int) -> None:
    """42201 unless ``version`` is the subject's next number (outside IMPORT mode)."""
    held = await writer.versions(deleted=True)
    following = max((v.version for v in held), default=0) + 1
    if version != following:
        raise _not_next(version, following)


def _not_next(version: int, following: int) -> SchemaError:
    return SchemaError(
        "Version is not one more than previous version",
        hint=f"the next version is {following}, not {version}; a version may be chosen in "
        "IMPORT mode only",
    )


async def _checked_against(
    versions: Callable[[], Awaitable[list[SchemaVersion]]],
    latest: Callable[[], Awaitable[SchemaVersion]],
    mode: str,
) -> list[SchemaVersion]:
    """The live versions a new schema is checked against under ``mode``: all of them
    for a transitive mode, else the latest; none under NONE (only those are read)."""
    mode = normalize_mode(mode)
    if mode == "NONE":
        return []
    if mode.endswith("_TRANSITIVE"):
        return await versions()
    try:
        return [await latest()]
    except VersionNotFound:  # every version soft deleted
        return []


def incompatible(subject: str, result: CompatibilityResult) -> IncompatibleSchema:
    against = sorted({i.version for i in result.issues if i.version})
    return IncompatibleSchema(
        f"the schema is not {result.mode} compatible with {versions_text(against)} of "
        f"{subject}; nothing was registered",
        result.issues,
        hint=f"change it compatibly, or loosen the subject's compatibility: PUT "
        f"/config/{subject}, or ALTER STREAM \"{subject}\" SET (compatibility = 'NONE')",
    )


def _avro_view(text: str) -> Schema:
    """The columns SQL shows for an Avro schema: a record's fields (a type that refers to
    itself is JSON where it does), or one column ``value`` of another type."""
    node = json.loads(text)
    if not (isinstance(node, dict) and node.get("type") in ("record", "error")):
        node = {"type": "record", "name": "Value", "fields": [{"name": "value", "type": node}]}
    fields, name = avro.read_record(node, recursion_as_json=True)
    return Schema(fields, name)


def _json_view(document: Mapping[str, Any] | bool) -> Schema:
    """The columns SQL shows for a JSON Schema: an object's properties, or one JSON
    column ``value`` for any other schema."""
    if isinstance(document, Mapping):
        try:
            return Schema.from_json_schema(document)
        except SchemaError:
            pass
    return Schema([Field("value", pa.json_())])
