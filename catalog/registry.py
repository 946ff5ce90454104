"""URI scheme -> provider, in the manner of fsspec's registry.

Built-in providers are listed as lazy import paths, so that importing
``catalog`` imports none of their clients.  Third parties register theirs with
``register_provider(scheme, provider)`` or the ``schemacat.providers`` entry
point group (name: the scheme; value: ``module:attribute``, a Provider class or
instance).  ``parse_uri`` is the one place URIs are read: a bare path means
``file``; query parameters become options; explicit options win.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any
from urllib.parse import parse_qsl, unquote

from catalog.discovery import Options, Provider
from catalog.errors import UnknownScheme
from catalog.secrets import redact
from catalog.uri import locate

ENTRY_POINT_GROUP = "schemacat.providers"

#: scheme -> (import path, the pip extra or package that brings its client)
BUILTIN: dict[str, tuple[str, str]] = {
    "file": ("providers.files.local:FileProvider", "pyarrow"),
    "s3": ("providers.files.s3:S3Provider", "boto3"),
    "postgresql": ("providers.postgres.provider:PostgresProvider", "asyncpg"),
    "postgres": ("providers.postgres.provider:PostgresProvider", "asyncpg"),
    "kafka": ("providers.kafka.provider:KafkaProvider", "aiokafka"),
}


@dataclass(frozen=True)
class SourceURI:
    scheme: str
    uri: str  # without the options that were in its query string
    options: Options

    @property
    def redacted(self) -> str:
        return redact(self.uri)


class Registry:
    """Providers by scheme: registered ones, then the built-ins, then entry points."""

    def __init__(self) -> None:
        self._providers: dict[str, Provider] = {}

    def register(
        self, scheme: str, provider: Provider | type[Provider], *, clobber: bool = False
    ) -> None:
        """Serve ``scheme`` with ``provider``; an existing scheme needs ``clobber=True``."""
        scheme = scheme.lower()
        if not clobber and (scheme in self._providers or scheme in BUILTIN):
            raise ValueError(
                f"scheme {scheme!r} is already registered; pass clobber=True to replace it"
            )
        self._providers[scheme] = provider() if isinstance(provider, type) else provider

    def schemes(self) -> list[str]:
        return sorted(set(BUILTIN) | set(self._providers) | set(_entry_points()))

    def get(self, scheme: str) -> Provider:
        """The provider of ``scheme``, imported on first use."""
        scheme = scheme.lower()
        if scheme in self._providers:
            return self._providers[scheme]
        target = BUILTIN.get(scheme, (None, ""))[0] or _entry_points().get(scheme)
        if target is None:
            close = difflib.get_close_matches(scheme, self.schemes(), n=1)
            raise UnknownScheme(
                f"no provider for {scheme}:// URIs; the known schemes are "
                f"{', '.join(self.schemes())}",
                hint=f"did you mean {close[0]}://?"
                if close
                else "register one with register_provider()",
            )
        provider = _load(target, BUILTIN.get(scheme, ("", scheme))[1])
        self._providers[scheme] = provider
        return provider


#: the registry ``register_provider`` adds to, and every catalog uses unless given another
default_registry = Registry()


def register_provider(
    scheme: str, provider: Provider | type[Provider], *, clobber: bool = False
) -> None:
    """Serve ``scheme`` with ``provider`` everywhere; an existing scheme needs ``clobber=True``."""
    default_registry.register(scheme, provider, clobber=clobber)


def known_schemes() -> list[str]:
    return default_registry.schemes()


def get_provider(scheme: str) -> Provider:
    return default_registry.get(scheme)


def _load(target: str, package: str) -> Provider:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UnknownScheme(
            f"the provider {target} cannot be imported: {exc}",
            hint=f"install {package} (pip install {package})",
        ) from None
    value: Any = getattr(module, attribute)
    provider: Provider = value() if isinstance(value, type) else value
    return provider


@lru_cache(maxsize=1)
def _entry_points() -> dict[str, str]:
    return {ep.name.lower(): ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def parse_uri(uri: str, options: dict[str, Any] | None = None) -> SourceURI:
    """The scheme, the URI without query options, and the options (explicit ones win).

    A bare path means ``file``; its ``?key=value`` suffix holds options too (a ``?``
    that is not followed by ``key=value`` pairs is the glob wildcard).
    """
    scheme, base, query = _split(uri.strip())
    merged = dict(query)
    merged.update({k: str(v) for k, v in (options or {}).items() if v is not None})
    return SourceURI(scheme, base, Options(merged))


@lru_cache(maxsize=4096)
def _split(uri: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    if "://" not in uri:
        path, mark, query = uri.rpartition("?")
        if mark and query and all("=" in pair for pair in query.split("&")):
            return "file", path, tuple(parse_qsl(query))  # data.json?sample_size=5
        return "file", uri, ()  # a ? without key=value is a glob
    where = locate(uri)
    if where.scheme == "file":
        return "file", unquote(where.path), tuple(parse_qsl(where.query))
    return where.scheme, where.base(), tuple(parse_qsl(where.query, keep_blank_values=True))
