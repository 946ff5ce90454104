"""Discovery as a service: providers by URI scheme (a ``Registry``) and a cache of results.

A ``Discoverer`` is what a ``Catalog`` discovers through; it is given one, or
shares the default (the registry ``register_provider`` adds to, and one cache).
The module's functions (``discover_schema``, ``invalidate`` ...) are the
default discoverer's, for Python code that has no catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from catalog.cache import TTLCache
from catalog.discovery import Discovery, Provider, SourceObject, notes, sample_basis, with_notes
from catalog.drift import Drift
from catalog.errors import BadOption, DiscoveryError, SchemacatError, did_you_mean
from catalog.progress import report
from catalog.registry import Registry, SourceURI, default_registry, parse_uri
from catalog.schema import Schema


class Discoverer:
    """Discovers through a registry's providers, caching results by URI and options."""

    def __init__(
        self, registry: Registry | None = None, cache: TTLCache[Discovery] | None = None
    ) -> None:
        self.registry = registry or default_registry
        self.cache: TTLCache[Discovery] = cache if cache is not None else TTLCache()

    def provider(self, uri: str) -> Provider:
        """The provider of ``uri``'s scheme."""
        return self.registry.get(parse_uri(uri).scheme)

    def source(self, uri: str, options: dict[str, Any]) -> SourceURI:
        """``uri`` parsed, with ``options`` merged in and checked against its provider's."""
        source = parse_uri(uri, options)
        accepted = self.registry.get(source.scheme).options
        for key in source.options.values:
            if key not in accepted:
                raise BadOption(
                    f"unknown option {key!r} for {source.scheme} sources; "
                    f"the options are {', '.join(sorted(accepted))}",
                    hint=did_you_mean(key, accepted),
                )
        for key in ("sample_size", "timeout"):  # a provider may not need them: check anyway
            if key in source.options.values:
                getattr(source.options, key)
        return source

    async def discover(self, uri: str, **options: Any) -> Discovery:
        """Sample the source at ``uri`` and infer its schema (a ``Schema`` with discovery facts).

        Options go as keyword arguments or in the URI's query string (``sample_size``,
        ``timeout``, ``format``, and each provider's own); keyword arguments win.
        """
        source = self.source(uri, options)
        key = (source.scheme, source.uri, tuple(sorted(source.options.values.items())))
        return await self.cache.get(key, lambda: self._discover(source))

    async def _discover(self, source: SourceURI) -> Discovery:
        report(f"discovering {source.redacted}")
        provider = self.registry.get(source.scheme)
        listing = await provider.list_objects(source.uri, source.options)
        if listing is not None:
            names = ", ".join(o.name for o in listing[:10]) or "nothing"
            raise DiscoveryError(
                f"{source.redacted} names {len(listing)} objects, not one ({names})",
                hint="name one of them in the URI (a topic, or ?table=)",
            )
        return await provider.discover(source.uri, source.options)

    async def list_objects(self, uri: str, **options: Any) -> list[SourceObject] | None:
        """What a URI naming many objects (a broker, a database) holds; None for one source."""
        source = self.source(uri, options)
        return await self.registry.get(source.scheme).list_objects(source.uri, source.options)

    async def children(self, uri: str, **options: Any) -> list[str] | None:
        """The names one level inside ``uri``, as its provider lists them (for completion)."""
        source = self.source(uri, options)
        return await self.registry.get(source.scheme).children(source.uri, source.options)

    async def sample(self, uri: str, **options: Any) -> pa.Table:
        """The records discovery looks at, as a table."""
        source = self.source(uri, options)
        return await self.registry.get(source.scheme).sample(source.uri, source.options)

    async def validate(self, uri: str, schema: Schema, **options: Any) -> list[Drift]:
        """How the data at ``uri`` differs from ``schema`` (never cached: it looks again)."""
        source = self.source(uri, options)
        report(f"discovering {source.redacted}")
        return await self.registry.get(source.scheme).validate(source.uri, schema, source.options)

    async def check(self, uri: str, **options: Any) -> None:
        """Raise if the source cannot be reached."""
        source = self.source(uri, options)
        await self.registry.get(source.scheme).check(source.uri, source.options)

    def basis(self, facts: Mapping[str, Any]) -> str:
        """What a stored discovery (``Discovery.facts()``) rests on, in its provider's words,
        then its notes: DESCRIBE EXTENDED's message."""
        try:
            parts = self.provider(str(facts.get("uri"))).basis(facts)
        except SchemacatError:  # a provider no longer installed: the sample alone
            parts = [sample_basis(facts)]
        stats = facts.get("stats") or {}
        conflicts = {name: s.get("conflicts", ()) for name, s in stats.items()}
        return with_notes("; ".join(parts), notes(facts.get("details") or {}, conflicts))

    def invalidate(self, uri: str) -> int:
        """Forget cached discoveries of ``uri`` (with any options); how many were forgotten."""
        base = parse_uri(uri).uri
        return self.cache.invalidate(lambda key: isinstance(key, tuple) and key[1] == base)

    def clear(self) -> None:
        self.cache.clear()

    def info(self) -> dict[str, Any]:
        return self.cache.info()


#: the discoverer of catalogs opened without one, and of the functions below
default_discoverer = Discoverer()


async def discover_schema(uri: str, **options: Any) -> Discovery:
    """Sample the source at ``uri`` and infer its schema (a ``Schema`` with discovery facts).

    Options go as keyword arguments or in the URI's query string (``sample_size``,
    ``timeout``, ``format``, and each provider's own); keyword arguments win.
    """
    return await default_discoverer.discover(uri, **options)


async def list_objects(uri: str, **options: Any) -> list[SourceObject] | None:
    """What a URI naming many objects (a broker, a database) holds; None for one source."""
    return await default_discoverer.list_objects(uri, **options)


async def children(uri: str, **options: Any) -> list[str] | None:
    """The names one level inside ``uri``, as its provider lists them (for completion)."""
    return await default_discoverer.children(uri, **options)


async def sample(uri: str, **options: Any) -> pa.Table:
    """The records discovery looks at, as a table."""
    return await default_discoverer.sample(uri, **options)


def invalidate(uri: str) -> int:
    """Forget cached discoveries of ``uri`` (with any options); how many were forgotten."""
    return default_discoverer.invalidate(uri)


def clear_cache() -> None:
    default_discoverer.clear()


def cache_info() -> dict[str, Any]:
    return default_discoverer.info()
