"""Keeping secrets out of what schemacat prints and stores.

A password in a URI's user info, and any option whose name says it is secret
(``password``, ``sasl_plain_password``, ``aws_secret_access_key``, ``token``
...), is removed before a URI or an option set is shown, logged or written to
the catalog.  Credentials reach the sources through their own channels instead
(``PGPASSWORD`` and ``~/.pgpass``, boto3's chain, ``$SCHEMACAT_KAFKA_SASL_PASSWORD``).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlsplit

_SECRET_WORDS = ("password", "passwd", "secret", "token", "credential", "private_key")


def is_secret_option(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def redact_options(options: Mapping[str, str]) -> dict[str, str]:
    """The options without the secret ones."""
    return {k: v for k, v in options.items() if not is_secret_option(k)}


def redact(uri: str) -> str:
    """``uri`` without a password in its user info or secrets in its query string."""
    if "://" not in uri:
        return uri
    parts = urlsplit(uri)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{hostport}" if user else hostport
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_secret_option(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept, quote_via=quote, safe="/,:*")
    return unsplit(parts._replace(netloc=netloc, query=query))


def unsplit(parts: SplitResult) -> str:
    """``urlunsplit`` that keeps ``//`` when the host is empty: urllib drops it for
    schemes it does not know, and ``postgresql:///db`` (a Unix socket, or the host
    in PGHOST) would become ``postgresql:/db``, which means something else."""
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}{query}{fragment}"
