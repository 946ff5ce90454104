"""The conformance suite of providers, ours and third parties', as fsspec ships one for filesystems.

Subclass ``ProviderConformance`` in a test module (named ``Test...`` so that pytest
collects it) and give it a ``known_source`` fixture: a small source of your
provider whose columns you know, and a URI of the same provider that names
nothing.  Every test then runs against your provider through a ``Discoverer``
with a cache of its own::

    from providers.testing import KnownSource, ProviderConformance

    class TestMyProvider(ProviderConformance):
        @pytest.fixture
        def known_source(self, my_server) -> KnownSource:
            return KnownSource(
                uri=f"my://{my_server}/orders",
                columns={"id": "BIGINT", "note": "VARCHAR"},
                missing=f"my://{my_server}/no-such-thing",
            )

What is checked: discovery, sampling and reaching the source; listing and URI
completion where the provider offers them; a clear error (a ``DiscoveryError``)
for a missing object and a ``BadOption`` for an unknown or malformed option; a
secret carried by the URI or the options never in a result, an error, or a
catalog; and the cache.  It needs pytest and pytest-asyncio.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pytest

from catalog.cache import TTLCache
from catalog.core import Catalog
from catalog.discover import Discoverer
from catalog.discovery import Discovery
from catalog.errors import BadOption, DiscoveryError, SchemacatError
from catalog.store import open_store


@dataclass(frozen=True)
class KnownSource:
    uri: str  # names one small source
    columns: Mapping[str, str]  # some of its columns, with the SQL types they must have
    missing: str  # a URI of the same provider that names nothing
    options: Mapping[str, str] = field(default_factory=dict)  # what the source needs
    many: str | None = None  # a URI naming many objects, the source among them ...
    name: str | None = None  # ... by this name
    prefix: str | None = None  # a URI being typed, whose completion offers ...
    completion: str | None = None  # ... this URI
    secret: str | None = None  # a secret the URI or options carry, to be seen nowhere


class ProviderConformance:
    """The tests; a subclass gives the ``known_source`` fixture."""

    @pytest.fixture
    def discoverer(self) -> Discoverer:
        return Discoverer(cache=TTLCache(ttl=300, size=100))

    async def found(self, discoverer: Discoverer, source: KnownSource) -> Discovery:
        return await discoverer.discover(source.uri, **source.options)

    @pytest.mark.asyncio
    async def test_discovery_finds_the_known_columns(
        self, discoverer: Discoverer, known_source: KnownSource
    ) -> None:
        found = await self.found(discoverer, known_source)
        assert isinstance(found, Discovery)
        types = {f.name: f.sql_type for f in found}
        assert {name: types.get(name) for name in known_source.columns} == dict(
            known_source.columns
        )
        assert found.format and found.sampled >= 0 and found.malformed >= 0
        assert set(found.stats) <= set(types)
        json.dumps(found.facts())  # the catalog stores the facts as JSON

    @pytest.mark.asyncio
    async def test_the_sample_has_the_discovered_columns(
        self, discoverer: Discoverer, known_source: KnownSource
    ) -> None:
        found = await self.found(discoverer, known_source)
        table = await discoverer.sample(known_source.uri, **known_source.options)
        assert isinstance(table, pa.Table)
        assert table.column_names == found.names

    @pytest.mark.asyncio
    async def test_the_source_can_be_reached(
        self, discoverer: Discoverer, known_source: KnownSource
    ) -> None:
        await discoverer.check(known_source.uri, **known_source.options)

    @pytest.mark.asyncio
    async def test_a_missing_object_is_a_discovery_error(
        self, discoverer: Discoverer, known_source: KnownSource
    ) -> None:
        with pytest.raises(DiscoveryError) as err:
            await discoverer.discover(known_source.missing, **known_source.options)
        assert err.value.message and err.value.code != DiscoveryError.code

    @pytest.mark.asyncio
    async def test_unknown_and_malformed_options_are_refused(
        self, discoverer: Discoverer, known_source: KnownSource
    ) -> None:
        with pytest.raises(BadOption) as unknown:
            await discoverer.discover(known_source.uri, no_such_option="1", **known_source.options)
        assert "no_such_option" in unknown.value.message
        with pytest.raises(BadOption):
            options = {**known_source.options, "sample_size": "many"}
            await discoverer.discover(known_source.uri, **options)

    @pytest.mark.asyncio
    async def test_listing(self, discoverer: Discoverer, known_source: KnownSource) -> None:
        """A URI naming one source lists nothing; one naming many lists the source."""
        assert await discoverer.list_objects(known_source.uri, **known_source.options) is None
        if known_source.many is None:
            return
        objects = await discoverer.list_objects(known_source.many, **known_source.options)
        assert objects is not None
        assert known_source.name in [o.name for o in objects]
        assert all(o.kind for o in objects)
        json.dumps([o.to_json() for o in objects])
        with pytest.raises(DiscoveryError):  # many objects are not one schema
            await discoverer.discover(known_source.many, **known_source.options)

    @pytest.mark.asyncio
    async def test_completion_offers_the_source(
        self, discoverer: Discoverer, known_source: KnownSource
    ) -> None:
        if known_source.prefix is None:
            return
        scope = discoverer.provider(known_source.prefix).completion_scope(known_source.prefix)
        assert scope is not None and known_source.prefix.startswith(scope.stem)
        names = await discoverer.children(scope.uri, **known_source.options) or []
        assert known_source.completion in [scope.stem + name for name in names]

    @pytest.mark.asyncio
    async def test_a_secret_is_seen_nowhere(
        self, discoverer: Discoverer, known_source: KnownSource
    ) -> None:
        secret = known_source.secret
        if secret is None:
            return
        found = await self.found(discoverer, known_source)
        said = [found.uri, found.summary(found.uri), json.dumps(found.facts(), default=str)]
        if known_source.many is not None:
            objects = await discoverer.list_objects(known_source.many, **known_source.options)
            said.append(json.dumps([o.to_json() for o in objects or ()]))
        try:
            await discoverer.discover(known_source.missing, **known_source.options)
        except SchemacatError as exc:
            said.append(f"{exc} {exc.hint}")
        async with Catalog(await open_store(":memory:"), discoverer) as cat:
            created = await cat.create_stream(
                "s", datasource=known_source.uri, options=known_source.options
            )
            stream = await cat.stream("s")
            said += [repr(stream), json.dumps(created.discovery, default=str)]
            described = await cat.describe("s", extended=True)
            said.append(str(described.basis))
        assert not [text for text in said if secret in text]

    @pytest.mark.asyncio
    async def test_discoveries_are_cached_until_invalidated(
        self, discoverer: Discoverer, known_source: KnownSource
    ) -> None:
        first = await self.found(discoverer, known_source)
        assert await self.found(discoverer, known_source) is first
        assert discoverer.invalidate(known_source.uri) == 1
        assert await self.found(discoverer, known_source) is not first
        assert discoverer.info()["hits"] == 1
