"""``discover_schema(uri, **options)``: the schema of whatever a URI points at, cached.

The one place that joins the provider registry with the discovery cache; the
catalog, the SQL layer and the command line all discover through it.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from catalog.cache import TTLCache
from catalog.discovery import Discovery
from catalog.drift import Drift
from catalog.errors import BadOption, DiscoveryError, did_you_mean
from catalog.progress import report
from catalog.registry import SourceURI, get_provider, parse_uri
from catalog.schema import Schema

_cache: TTLCache[Discovery] = TTLCache()


def _source(uri: str, options: dict[str, Any]) -> SourceURI:
    source = parse_uri(uri, options)
    accepted = get_provider(source.scheme).options
    for key in source.options.values:
        if key not in accepted:
            raise BadOption(
                f"unknown option {key!r} for {source.scheme} sources; "
                f"the options are {', '.join(sorted(accepted))}",
                hint=did_you_mean(key, accepted),
            )
    return source


async def discover_schema(uri: str, **options: Any) -> Discovery:
    """Sample the source at ``uri`` and infer its schema (a ``Schema`` with discovery facts).

    Options go as keyword arguments or in the URI's query string (``sample_size``,
    ``timeout``, ``format``, and each provider's own); keyword arguments win.
    """
    source = _source(uri, options)
    key = (source.scheme, source.uri, tuple(sorted(source.options.values.items())))
    return await _cache.get(key, lambda: _discover(source))


async def _discover(source: SourceURI) -> Discovery:
    report(f"discovering {source.redacted}")
    provider = get_provider(source.scheme)
    listing = await provider.list_objects(source.uri, source.options)
    if listing is not None:
        names = ", ".join(str(o.get("name")) for o in listing[:10]) or "nothing"
        raise DiscoveryError(
            f"{source.redacted} names {len(listing)} objects, not one ({names})",
            hint="name one of them in the URI (a topic, or ?table=)",
        )
    return await provider.discover(source.uri, source.options)


async def list_objects(uri: str, **options: Any) -> list[dict[str, Any]] | None:
    """What a URI naming many objects (a broker, a database) holds; None for a single source."""
    source = _source(uri, options)
    return await get_provider(source.scheme).list_objects(source.uri, source.options)


async def children(uri: str, **options: Any) -> list[str] | None:
    """The names one level inside ``uri``, as its provider lists them (for completion)."""
    source = _source(uri, options)
    return await get_provider(source.scheme).children(source.uri, source.options)


async def sample(uri: str, **options: Any) -> pa.Table:
    """The records discovery looks at, as a table."""
    source = _source(uri, options)
    return await get_provider(source.scheme).sample(source.uri, source.options)


async def validate(uri: str, schema: Schema, **options: Any) -> list[Drift]:
    """How the data at ``uri`` differs from ``schema`` (never cached: it is asked to look again)."""
    source = _source(uri, options)
    report(f"discovering {source.redacted}")
    return await get_provider(source.scheme).validate(source.uri, schema, source.options)


async def check(uri: str, **options: Any) -> None:
    """Raise if the source cannot be reached."""
    source = _source(uri, options)
    await get_provider(source.scheme).check(source.uri, source.options)


def invalidate(uri: str) -> int:
    """Forget cached discoveries of ``uri`` (with any options); how many were forgotten."""
    base = parse_uri(uri).uri
    return _cache.invalidate(lambda key: isinstance(key, tuple) and key[1] == base)


def clear_cache() -> None:
    _cache.clear()


def cache_info() -> dict[str, Any]:
    return _cache.info()
