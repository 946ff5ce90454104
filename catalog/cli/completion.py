"""Completion in the shell: keywords, stream names, their columns, WITH keys and URIs.

What to offer depends on where the cursor is in the statement being typed:
inside a quoted string, URI schemes, local paths, and what a source holds
(the topics of a ``kafka://host:port/``, the tables of a
``postgresql://...?table=``, the objects of an ``s3://bucket/folder/``; asked
of the source at most every 30 s and for at most 2 s); right after ``WITH (`` or
a comma inside it, option keys; after a word that names a stream (``DESCRIBE``,
``STREAM``, ``FOR``, ``FROM`` ...), stream names; after ``COLUMN``, the columns
of the streams the statement mentions (not after ``ADD COLUMN``: a new name);
elsewhere, keywords first.  The stream names and columns come from the shell,
which refreshes them after every statement, so completing never waits for the
catalog.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from catalog.discover import Discoverer
from catalog.errors import SchemacatError
from catalog.options import option_keys
from catalog.sql.script import open_quote, split_statements
from catalog.sql.table import first_words, later_words

STARTS = tuple(first_words())
KEYWORDS = (  # the words of statements after their first, then what goes inside them
    *later_words(),
    *("OR", "REPLACE", "STREAM", "IF", "NOT", "EXISTS", "WITH", "AS", "SELECT"),
    *("FROM", "JOIN", "LEFT", "ON", "USING", "WHERE", "GROUP", "BY", "ORDER", "HAVING"),
    *("LIMIT", "UNNEST", "CAST", "CASE", "WHEN", "THEN", "ELSE", "END", "EMIT", "CHANGES"),
    *("ALTER", "ADD", "DROP", "RENAME", "COLUMN", "TO", "TYPE", "SET", "DEFAULT", "NULL"),
    *("COMMENT", "REFRESH"),
    *("FOR", "EXTENDED", "VERSION", "SCRIPT", "KEY", "HEADERS", "HEADER", "AND", "DISTINCT"),
    *("BIGINT", "INTEGER", "SMALLINT", "DOUBLE", "FLOAT", "DECIMAL", "VARCHAR", "BOOLEAN"),
    *("DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL", "BLOB", "UUID", "JSON"),
    *("STRUCT", "MAP"),
)
STREAM_BEFORE = ("STREAM", "FOR", "DESCRIBE", "DESC", "FROM", "JOIN", "EXTENDED")
COLUMN_BEFORE = ("COLUMN",)
_DATASOURCE = re.compile(r"datasource\s*=\s*'([^']*)'", re.IGNORECASE)


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # keyword, stream, column, option, scheme, path


class StatementCompleter(Completer):
    """Completes from ``streams`` (name -> column names), which the shell keeps fresh."""

    def __init__(self, discoverer: Discoverer) -> None:
        self.streams: Mapping[str, tuple[str, ...]] = {}
        self.discoverer = discoverer
        self.sources = SourceObjects(discoverer)

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        text = _current_statement(document.text_before_cursor)
        quote = open_quote(text)
        if quote is not None:
            prefix = text[quote + 1 :]
            for s in self._in_string(prefix, text[quote], text[:quote].split()):
                yield Completion(s.text, -len(prefix), display_meta=s.kind)
            return
        word = document.get_word_before_cursor(WORD=False)
        if word and not (word[-1].isalnum() or word[-1] == "_"):
            word = ""
        before = text[: len(text) - len(word)].split()
        datasource = _DATASOURCE.search(text)
        for s in self.suggest(before, word, datasource.group(1) if datasource else None):
            yield Completion(s.text, -len(word), display_meta=s.kind)

    def suggest(
        self, before: list[str], word: str, datasource: str | None = None
    ) -> Iterator[Suggestion]:
        """What fits after the words ``before``, starting with ``word`` (any case);
        ``datasource``, when the statement names one, adds its provider's options."""
        previous = before[-1].upper() if before else ""
        if _in_options(before) and previous.endswith(("(", ",")):
            keys = option_keys(self.discoverer.registry, datasource)
            yield from _matching(word, keys, "option")
            return
        guarded = _guarded(before)
        if previous in STREAM_BEFORE or guarded == "STREAM":
            yield from _matching(word, self.streams, "stream")
            return
        mentioned = [c for name in self._mentioned(before) for c in self.streams[name]]
        if previous in COLUMN_BEFORE or guarded == "COLUMN":
            if not _adding_column(before):  # a new column's name is the user's to choose
                yield from _matching(word, mentioned, "column")
            return
        if not before:
            yield from _matching(word, STARTS, "keyword", match_case=True)
            return
        if not word:
            return
        yield from _matching(word, KEYWORDS, "keyword", match_case=True)
        yield from _matching(word, dict.fromkeys(mentioned), "column")
        yield from _matching(word, self.streams, "stream")

    def _mentioned(self, words: list[str]) -> list[str]:
        lowered = {name.lower(): name for name in self.streams}
        found = (lowered.get(w.strip('"(),;').lower()) for w in words)
        return list(dict.fromkeys(name for name in found if name))

    def _in_string(self, prefix: str, quote: str, before: list[str]) -> Iterator[Suggestion]:
        if quote != "'":
            return
        if "".join(before[-2:]).lower().endswith("compatibility="):
            from catalog.modes import MODES

            yield from _matching(prefix, MODES, "mode", match_case=True)
        elif "://" not in prefix:
            for scheme in self.discoverer.registry.schemes():
                if scheme.startswith(prefix.lower()):
                    yield Suggestion(f"{scheme}://", "scheme")
            yield from _paths(prefix)
        else:
            yield from self._objects(prefix)

    def _objects(self, prefix: str) -> Iterator[Suggestion]:
        """What a source holds, one level inside the URI being typed (the topics after
        ``kafka://host:port/``, say), as its provider scopes and lists it."""
        try:
            scope = self.discoverer.provider(prefix).completion_scope(prefix)
        except SchemacatError:  # not a scheme anyone serves
            return
        if scope is None:
            return
        start = prefix[len(scope.stem) :]
        for name in self.sources.names(scope.uri):
            if name.startswith(start):
                yield Suggestion(scope.stem + name, "folder" if name.endswith("/") else scope.kind)


def _current_statement(text: str) -> str:
    pieces = split_statements(text)
    if not pieces or pieces[-1].terminated:
        return ""
    return text[pieces[-1].start :]


def _in_options(words: list[str]) -> bool:
    """Whether the last open parenthesis is a ``WITH (`` or ``SET (``."""
    depth = 0
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        depth += word.count(")") - word.count("(")
        if depth < 0:
            opener = word.upper().split("(")[0] or (words[i - 1].upper() if i else "")
            return opener in ("WITH", "SET")
    return False


def _guarded(words: list[str]) -> str:
    """``X`` when ``words`` end with ``X IF [NOT] EXISTS``, else ``""``."""
    upper = _upper(words[-4:])
    if upper[-1:] != ["EXISTS"]:
        return ""
    at = len(upper) - 2 - (upper[-2:-1] == ["NOT"])
    return upper[at - 1] if at > 0 and upper[at] == "IF" else ""


def _adding_column(words: list[str]) -> bool:
    """Whether the last ``COLUMN`` in ``words`` follows ``ADD``."""
    upper = _upper(words)
    at = len(upper) - 1 - upper[::-1].index("COLUMN")
    return at > 0 and upper[at - 1] == "ADD"


def _upper(words: Iterable[str]) -> list[str]:
    return [w.upper() for w in words]


def _matching(
    word: str, choices: Iterable[str], kind: str, *, match_case: bool = False
) -> Iterator[Suggestion]:
    lowered = word.lower()
    for choice in choices:
        if choice.lower().startswith(lowered):
            text = choice.lower() if match_case and word.islower() else choice
            yield Suggestion(text, kind)


class SourceObjects:
    """The names one level inside a source (``Provider.children``), remembered for a
    while; a source that does not answer quickly offers nothing rather than holding up
    the prompt."""

    TTL, TIMEOUT = 30.0, 2.0

    def __init__(self, discoverer: Discoverer) -> None:
        self.discoverer = discoverer
        self._seen: dict[str, tuple[float, list[str]]] = {}

    def names(self, uri: str) -> list[str]:
        """Run in the completer's own thread (the shell wraps it in ThreadedCompleter)."""
        import asyncio
        import time

        seen = self._seen.get(uri)
        if seen is not None and time.monotonic() - seen[0] < self.TTL:
            return seen[1]
        try:
            names = asyncio.run(self.discoverer.children(uri, timeout=self.TIMEOUT)) or []
        except SchemacatError:
            names = []
        self._seen[uri] = (time.monotonic(), names)
        return names


def _paths(prefix: str) -> Iterator[Suggestion]:
    folder, _, start = prefix.rpartition("/")
    where = os.path.expanduser(folder or ".") if folder or not prefix.startswith("/") else "/"
    try:
        names = sorted(os.listdir(where))
    except OSError:
        return
    for name in names:
        if name.startswith(start) and not name.startswith("."):
            path = f"{folder}/{name}" if folder or prefix.startswith("/") else name
            is_dir = os.path.isdir(os.path.join(where, name))
            yield Suggestion(path + ("/" if is_dir else ""), "folder" if is_dir else "file")
