"""Keeping secrets out of what schemacat prints, logs and stores: one redaction for every door.

Errors redact their own message and hint (``SchemacatError``); the doors redact what
else they print, echo or keep (a script's line, a line of shell history, a log line).

A password in a URI's user info, a secret in its query string, and any option
whose name says it is secret (``password``, ``sasl_plain_password``,
``aws_secret_access_key``, ``token`` ...) are removed before a URI or an option
set is shown, logged or written to the catalog.  ``redact_text`` does the same
to free text (an error's message, the script line it echoes, a line of shell
history, a client library's log line): it redacts every URI in it, masks the
value of every secret assignment (``password = '...'``), and masks every secret
value seen so far (``remember_secret``), wherever it turns up.  Credentials reach
the sources through their own channels instead (``PGPASSWORD`` and ``~/.pgpass``,
boto3's chain, ``$SCHEMACAT_KAFKA_SASL_PASSWORD``).

A password in a URI should be percent-encoded; when it is not, the password is
taken up to the last ``@`` that a host follows (``AUTHORITY``, which
``catalog.uri.locate`` reads URIs by too), so that a password holding ``/``, ``#``,
``?`` or ``@`` is removed whole rather than shown in part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlencode

MASK = "***"
_SECRET_WORDS = ("password", "passwd", "secret", "token", "credential", "private_key")
_SECRET_NAME = "|".join(_SECRET_WORDS)
# scheme://[user[:password]@]host[...]: the password runs to the last @ a host follows
AUTHORITY = re.compile(
    r"(?P<userinfo>[^/@:]*(?::.*)?)@(?P<host>[\w.\-\[\]:,%]*)(?P<rest>(?:[/?#].*)?)", re.S
)
# A URI in text: a quoted one whole (a password may hold spaces), else up to a space or
# quote.  A scheme or a name is only tried where a run of the characters it is made of
# starts (the lookbehinds), and a name's run is read once (possessive): tried inside a
# run too, or read again backwards, a long run would cost its square.
_URI_IN_TEXT = re.compile(
    r"'(?P<single>[A-Za-z][\w+.\-]*://(?:[^']|'')*)'"
    r"|\"(?P<double>[A-Za-z][\w+.\-]*://(?:[^\"]|\"\")*)\""
    r"|(?<![\w+.\-])(?P<lead>[\d_+.\-]*)(?P<bare>[A-Za-z][\w+.\-]*://[^\s'\"]*)"
)
# name = 'value', name: "value", name=value where the name says it is secret
_ASSIGNMENT = re.compile(
    rf"(?P<name>(?<![\w.\-])(?=[\w.\-]*?(?:{_SECRET_NAME}))[\w.\-]++[\"']?\s*[=:]\s*)"
    r"(?P<value>'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|[^\s,;)&]+)",
    re.I,
)
_MIN_REMEMBERED = 4  # shorter values would mask ordinary words
_remembered: set[str] = set()


def is_secret_option(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def remember_secret(value: str | None) -> None:
    """Mask ``value`` wherever ``redact_text`` meets it from now on in this process."""
    if value and len(value) >= _MIN_REMEMBERED:
        _remembered.add(value)


def redact_options(options: Mapping[str, str]) -> dict[str, str]:
    """The options without the secret ones, and without passwords in URI values."""
    kept = {}
    for key, value in options.items():
        if is_secret_option(key):
            remember_secret(value)
        else:
            kept[key] = redact(value) if "://" in str(value) else value
    return kept


def redact(uri: str) -> str:
    """``uri`` without a password in its user info or secrets in its query string."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return uri
    authority = AUTHORITY.fullmatch(rest)
    if authority is not None:
        user, colon, password = authority["userinfo"].partition(":")
        if colon:
            remember_secret(password)
        rest = f"{user}@{authority['host']}" if user else authority["host"]
        rest += authority["rest"]
    base, mark, query = rest.partition("?")
    if mark and query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_secret_option(k)]
        for key, value in pairs:
            if is_secret_option(key):
                remember_secret(value)
        if len(kept) != len(pairs):
            rest = base + (f"?{urlencode(kept, quote_via=quote, safe='/,:*')}" if kept else "")
    return f"{scheme}://{rest}"


def redact_text(text: str) -> str:
    """Free text with every URI redacted and every secret value masked."""
    if not text:
        return text
    text = _URI_IN_TEXT.sub(_redacted_uri, text)
    text = _ASSIGNMENT.sub(lambda m: m["name"] + _masked(m["value"]), text)
    for secret in sorted(_remembered, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _redacted_uri(match: re.Match[str]) -> str:
    if match["bare"] is not None:
        return match["lead"] + redact(match["bare"])
    quote_mark, group = ("'", "single") if match["single"] is not None else ('"', "double")
    return quote_mark + redact(match[group]) + quote_mark


def _masked(value: str) -> str:
    quote_mark = value[0] if value[:1] in ("'", '"') else ""
    return f"{quote_mark}{MASK}{quote_mark}"
