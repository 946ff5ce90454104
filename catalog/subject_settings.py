"""A subject's settings, as Schema Registry keeps them: its compatibility (a stream's mode
in SQL) and its mode (READWRITE, READONLY, READONLY_OVERRIDE, IMPORT), each falling back
to the catalog's; and the rules a mode sets for registering.  A mode or compatibility may
be set for a subject that does not exist yet, as Confluent's registry allows: it is kept as
a setting, which the subject takes when it is made (by a registration or in SQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from catalog.errors import InvalidRequest, NotConfigured, NotPermitted, StreamNotFound
from catalog.modes import normalize_mode
from catalog.store import Store, StreamRecord
from catalog.store.base import pending_compatibility_key, pending_mode_key

MODES = ("READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT")
MODE_SETTING = "mode"
COMPATIBILITY_SETTING = "compatibility"


class SubjectSettings:
    """Compatibility and modes per subject; mixed into ``Catalog`` through ``Subjects``."""

    store: Store
    default_compatibility: Callable[[], Awaitable[str]]  # Catalog's

    async def subject_compatibility(self, subject: str, *, default_to_global: bool) -> str:
        """A subject's own compatibility (set for it before it existed, if it does not
        yet), else the catalog's if ``default_to_global``, else 40408."""
        try:
            own = (await self.store.get_stream(subject, deleted=True)).compatibility
        except StreamNotFound:
            own = await self.store.get_setting(pending_compatibility_key(subject))
        if own:
            return own
        if default_to_global:
            return await self.default_compatibility()
        raise NotConfigured(
            f"subject {subject!r} does not have subject-level compatibility configured",
            hint="it follows the global compatibility; GET /config gives it",
        )

    async def set_subject_compatibility(self, subject: str, mode: str | None) -> str | None:
        """Set (or with None, drop) a subject's own mode; the mode it had.  A subject that
        does not exist yet keeps it for when it does."""
        await self._writable(subject, config=True)
        if mode is not None:
            mode = normalize_mode(mode)
        try:
            async with self.store.writing(subject, deleted=True) as writer:
                before = writer.stream.compatibility
                await writer.update(compatibility=mode)
                return before
        except StreamNotFound:
            valid_subject(subject)
            key = pending_compatibility_key(subject)
            before = await self.store.get_setting(key)
            if mode is None and before is None:
                raise
            if not await self.store.set_before_creation(subject, key, mode):
                return await self.set_subject_compatibility(subject, mode)  # made meanwhile
            return before

    async def mode(self, subject: str | None = None) -> str:
        """A subject's mode, else the catalog's (READWRITE unless set).  A subject that
        does not exist has the mode set for it, if one was (40401 if none was)."""
        if subject is not None:
            try:
                stream = await self.store.get_stream(subject, deleted=True)
            except StreamNotFound:
                pending = await self.store.get_setting(pending_mode_key(subject))
                if pending:
                    return pending
                raise
            if stream.mode:
                return stream.mode
        return await self.store.get_setting(MODE_SETTING) or "READWRITE"

    async def set_mode(
        self, mode: str | None, subject: str | None = None, *, force: bool = False
    ) -> str | None:
        """Set (None: drop) the catalog's or a subject's mode; the mode set.  A subject
        that does not exist yet keeps it for when it does.  As Confluent's registry does,
        IMPORT is refused (42205) where subjects with live versions exist (the catalog's, or
        the subject's), unless ``force``."""
        if mode is not None and mode.upper() not in MODES:
            raise InvalidRequest(
                f"{mode!r} is not a mode; the modes are {', '.join(MODES)}",
                code="INVALID_MODE",
            )
        mode = mode.upper() if mode else None
        if mode == "IMPORT" and not force:
            await self._importable(subject)
        if subject is None:
            await self.store.set_setting(MODE_SETTING, mode)
            return mode
        try:
            async with self.store.writing(subject, deleted=True) as writer:
                await writer.update(mode=mode)
        except StreamNotFound:
            valid_subject(subject)
            if not await self.store.set_before_creation(subject, pending_mode_key(subject), mode):
                return await self.set_mode(mode, subject, force=force)  # made meanwhile
            return mode
        if await self.store.get_setting(pending_mode_key(subject)) is not None:
            await self.store.set_setting(pending_mode_key(subject), None)
        return mode

    async def _importable(self, subject: str | None) -> None:
        """42205 unless the subject (None: the catalog) holds no live version, or is in
        IMPORT mode already."""
        try:
            if await self.mode(subject) == "IMPORT":
                return
        except StreamNotFound:
            return
        if subject is None:
            live = bool(await self.store.list_streams())
        else:
            live = (await self.store.get_stream(subject, deleted=True)).latest_version > 0
        if live:
            raise NotPermitted(
                "Cannot import since found existing subjects",
                hint="IMPORT mode is for an empty registry or subject; add force=true to set "
                "it anyway",
            )

    async def _registering(self, subject: str, *, imported: bool) -> None:
        """Confluent's rules of registering under a mode: 42205 in a read-only mode, for
        an id given outside IMPORT mode, and for none given in any other mode than
        READWRITE (the mode set for a subject before it existed counts)."""
        try:
            stream = await self.store.get_stream(subject, deleted=True)
            mode = stream.mode or await self.mode()
        except StreamNotFound:
            pending = await self.store.get_setting(pending_mode_key(subject))
            mode = pending or await self.mode()
        not_read_only(subject, mode)
        if imported and mode != "IMPORT":
            raise NotPermitted(
                f"Subject {subject} is not in import mode",
                hint="a schema id may be given in IMPORT mode only: PUT /mode/{subject} "
                '{"mode": "IMPORT"} first',
            )
        if not imported and mode != "READWRITE":
            raise NotPermitted(
                f"Subject {subject} is not in read-write mode",
                hint="in IMPORT mode every schema is registered with its id",
            )

    async def _writable(self, subject: str, *, config: bool = False) -> None:
        """42205 when the subject's mode (else the catalog's) keeps its schemas as they are."""
        try:
            stream: StreamRecord | None = await self.store.get_stream(subject, deleted=True)
        except StreamNotFound:
            stream = None
        mode = (stream.mode if stream else None) or await self.mode()
        if not config:
            not_read_only(subject, mode)


def not_read_only(subject: str, mode: str) -> None:
    if mode in ("READONLY", "READONLY_OVERRIDE"):
        raise NotPermitted(
            f"subject {subject!r} is in {mode} mode: its schemas cannot change",
            hint="PUT /mode/{subject} READWRITE first",
        )


def valid_subject(subject: str) -> None:
    """42208 for a name no subject may have: empty, or holding a control character (a NUL
    cannot even be stored in PostgreSQL)."""
    if not subject or any(not c.isprintable() and c != " " for c in subject):
        raise InvalidRequest(
            f"the subject {subject!r} is not a valid subject name: it is empty or holds a "
            "control character",
            hint="name subjects with printable characters, such as orders-value",
            code="INVALID_SUBJECT",
        )
