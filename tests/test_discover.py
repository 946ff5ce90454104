"""discover_schema: the provider registry, option handling and the discovery cache."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pytest

import catalog
from catalog.cache import TTLCache
from catalog.discover import cache_info, clear_cache, discover_schema, invalidate
from catalog.discovery import Discovery, Options, Provider, SourceObject
from catalog.errors import DiscoveryError, UnknownScheme
from catalog.registry import known_schemes, parse_uri, register_provider
from catalog.schema import Field
from catalog.secrets import redact


class CountingProvider(Provider):
    """A third-party provider: every discovery is counted and takes a little while."""

    schemes = ("counting",)
    options: ClassVar[tuple[str, ...]] = ("sample_size", "timeout", "format", "flavour")

    def __init__(self) -> None:
        self.calls = 0

    async def discover(self, uri: str, options: Options) -> Discovery:
        self.calls += 1
        await asyncio.sleep(0.05)
        flavour = options.text("flavour", "plain")
        return Discovery([Field(flavour, pa.int64())], uri=uri, format="test", sampled=1)

    async def sample(self, uri: str, options: Options) -> pa.Table:
        return pa.table({"x": [1]})

    async def check(self, uri: str, options: Options) -> None:
        return None

    async def list_objects(self, uri: str, options: Options) -> list[SourceObject] | None:
        return (
            [SourceObject("a", "thing"), SourceObject("b", "thing")] if uri.endswith("/") else None
        )


@pytest.fixture(scope="module")
def counting() -> CountingProvider:
    provider = CountingProvider()
    register_provider("counting", provider, clobber=True)
    return provider


async def test_third_party_provider_is_used(counting: CountingProvider) -> None:
    found = await discover_schema("counting://x/y?flavour=spicy")
    assert [f.name for f in found] == ["spicy"]
    assert "counting" in known_schemes()
    with pytest.raises(ValueError, match="already registered"):
        register_provider("counting", CountingProvider())
    with pytest.raises(ValueError, match="already registered"):
        register_provider("s3", CountingProvider())


async def test_hits_misses_and_single_flight(counting: CountingProvider) -> None:
    before = counting.calls
    results = await asyncio.gather(*(discover_schema("counting://same") for _ in range(10)))
    assert counting.calls == before + 1
    assert all(r is results[0] for r in results)
    await discover_schema("counting://same")
    info = cache_info()
    assert (info["misses"], info["hits"]) == (1, 10)


async def test_options_are_part_of_the_key_and_uri_options_equal_keywords(
    counting: CountingProvider,
) -> None:
    a = await discover_schema("counting://k?flavour=a")
    b = await discover_schema("counting://k", flavour="a")
    c = await discover_schema("counting://k", flavour="c")
    assert a is b and a is not c
    assert [f.name for f in c] == ["c"]
    override = await discover_schema("counting://k?flavour=a", flavour="z")
    assert [f.name for f in override] == ["z"]


async def test_invalidate_and_clear(counting: CountingProvider) -> None:
    first = await discover_schema("counting://inv", flavour="x")
    await discover_schema("counting://inv")
    assert invalidate("counting://inv?flavour=x") == 2
    assert await discover_schema("counting://inv", flavour="x") is not first
    clear_cache()
    assert cache_info()["entries"] == 0


async def test_ttl_and_lru() -> None:
    cache: TTLCache[int] = TTLCache(ttl=0.05, size=2)
    loads = 0

    async def load() -> int:
        nonlocal loads
        loads += 1
        return loads

    assert await cache.get("a", load) == 1
    assert await cache.get("a", load) == 1
    await asyncio.sleep(0.06)
    assert await cache.get("a", load) == 2  # expired
    await cache.get("b", load)
    await cache.get("c", load)  # evicts a, the least recently used
    assert cache.info()["entries"] == 2
    assert await cache.get("a", load) == 5


async def test_errors_are_not_cached(tmp_path: Path) -> None:
    path = tmp_path / "later.ndjson"
    with pytest.raises(DiscoveryError):
        await discover_schema(str(path))
    path.write_text('{"a": 1}\n')
    assert [f.name for f in await discover_schema(str(path))] == ["a"]


async def test_a_uri_that_names_many_objects(counting: CountingProvider) -> None:
    with pytest.raises(DiscoveryError) as err:
        await discover_schema("counting://broker/")
    assert "names 2 objects, not one (a, b)" in err.value.message


async def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(UnknownScheme) as err:
        await discover_schema("kafak://localhost:9092/t")
    assert "file, kafka, postgres, postgresql, s3" in err.value.message
    assert err.value.hint == "did you mean kafka://?"


def test_parse_uri() -> None:
    bare = parse_uri("data/*.json")
    assert (bare.scheme, bare.uri, dict(bare.options.values)) == ("file", "data/*.json", {})
    with_options = parse_uri("data/o.json?sample_size=5", {"timeout": 3})
    assert (with_options.uri, dict(with_options.options.values)) == (
        "data/o.json",
        {"sample_size": "5", "timeout": "3"},
    )
    single = parse_uri("data/o?.json")
    assert single.uri == "data/o?.json"
    file_uri = parse_uri("file:///tmp/my%20data.json?format=json")
    assert (file_uri.uri, file_uri.options.format) == ("/tmp/my data.json", "json")
    s3 = parse_uri("s3://bucket/key.parquet?endpoint_url=http://x:9000")
    assert (s3.scheme, s3.uri) == ("s3", "s3://bucket/key.parquet")
    secret = parse_uri("postgresql://u:pw@h/db?table=t")
    assert secret.redacted == "postgresql://u@h/db"
    socket = parse_uri("postgresql:///db?host=/var/run/postgresql&password=pw&table=t")
    assert (socket.uri, socket.redacted) == ("postgresql:///db", "postgresql:///db")
    assert redact("postgresql:///db?host=/tmp&password=pw") == "postgresql:///db?host=/tmp"


async def test_discovery_is_a_schema_with_facts(tmp_path: Path) -> None:
    path = tmp_path / "o.ndjson"
    path.write_text('{"a": 1}\n{"a": null}\n')
    found = await catalog.discover_schema(str(path))
    assert isinstance(found, catalog.Schema)
    assert found.schema == found and type(found.schema) is catalog.Schema
    facts = found.facts()
    assert (facts["format"], facts["sampled"], facts["stats"]["a"]["null_fraction"]) == (
        "json",
        2,
        0.5,
    )
    assert found.fingerprint == found.schema.fingerprint
    assert found.to_arrow().field("a").type == pa.int64()
