"""Session-wide real services (Kafka, S3, PostgreSQL) and per-test catalogs."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import boto3
import pytest

from tests.services import Service, start_kafka, start_postgres, start_s3


@pytest.fixture(scope="session")
def service_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service-logs")


def _serve(service: Service, request: pytest.FixtureRequest) -> Iterator[Service]:
    yield service
    service.stop()
    if request.session.testsfailed and service.log is not None:
        print(f"\n{service.name} log kept at {service.log}")


@pytest.fixture(scope="session")
def kafka(service_logs: Path, request: pytest.FixtureRequest) -> Iterator[Service]:
    yield from _serve(start_kafka(service_logs), request)


@pytest.fixture(scope="session")
def s3(service_logs: Path, request: pytest.FixtureRequest) -> Iterator[Service]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "schemacat-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "schemacat-test")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    yield from _serve(start_s3(service_logs), request)


@pytest.fixture(scope="session")
def s3_with_auth(service_logs: Path, request: pytest.FixtureRequest) -> Iterator[Service]:
    """An S3 endpoint that checks credentials."""
    yield from _serve(start_s3(service_logs, enforce_auth=True), request)


@pytest.fixture
def bucket(s3: Service) -> Iterator[str]:
    """A fresh bucket for one test."""
    client = boto3.client("s3", endpoint_url=s3.address)
    name = f"schemacat-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    yield name
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", ())]
        if keys:
            client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
    client.delete_bucket(Bucket=name)


@pytest.fixture(autouse=True)
def _fresh_discovery_cache() -> None:
    """Each test discovers anew: a cached result from another test proves nothing."""
    from catalog.discover import clear_cache

    clear_cache()


@pytest.fixture(scope="session")
def postgres(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Service]:
    yield from _serve(start_postgres(tmp_path_factory.mktemp("pgdata")), request)


def with_query(dsn: str, **params: str) -> str:
    parts = urlsplit(dsn)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def with_database(dsn: str, database: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


@pytest.fixture
async def pg_database(postgres: Service) -> AsyncIterator[str]:
    """A fresh, empty database for one test; its DSN."""
    name = f"schemacat_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres.address)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield with_database(postgres.address, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def pg_catalog_url(postgres: Service) -> AsyncIterator[str]:
    """A catalog URL in its own PostgreSQL schema, dropped after the test."""
    schema = f"schemacat_test_{uuid.uuid4().hex[:12]}"
    yield with_query(postgres.address, schema=schema)
    await drop_schema(postgres.address, schema)


async def drop_schema(dsn: str, schema: str) -> None:
    """Drop a catalog's PostgreSQL schema, its tables with it."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each backend in turn: the store behaviour suite runs against both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.db'}"
    url: str = request.getfixturevalue("pg_catalog_url")
    return url
