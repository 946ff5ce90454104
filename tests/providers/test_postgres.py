"""The PostgreSQL provider against a real server: every type, the catalog facts, errors."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

import catalog
from catalog.discover import list_objects
from catalog.errors import AccessDenied, DiscoveryError, SourceNotFound, SourceUnreachable
from providers.postgres import provider as postgres
from tests.cli.process import schemacat
from tests.conftest import with_query
from tests.services import free_port

SETUP = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS integer NOT NULL CHECK (VALUE > 0);
CREATE TYPE address AS (street text, zip varchar(10), geo numeric(9,6)[]);
CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, created timestamptz DEFAULT now());
COMMENT ON TABLE customers IS 'people who buy';
COMMENT ON COLUMN customers.email IS 'login e-mail';
CREATE TABLE all_types (
  c_smallint smallint, c_integer integer, c_bigint bigint, c_real real, c_double double precision,
  c_numeric numeric(10,2), c_numeric_free numeric, c_money money, c_text text, c_varchar varchar(20),
  c_char char(3), c_bytea bytea, c_boolean boolean, c_date date, c_time time, c_timetz timetz,
  c_timestamp timestamp, c_timestamptz timestamptz, c_interval interval, c_uuid uuid, c_json json,
  c_jsonb jsonb, c_int_array integer[], c_text_matrix text[][], c_json_array jsonb[], c_enum mood,
  c_domain positive, c_composite address, c_inet inet, c_cidr cidr, c_macaddr macaddr,
  c_tsvector tsvector, c_bit bit(4), c_varbit varbit, c_range int4range, c_oid oid
);
CREATE TABLE orders (
  id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id),
  status mood NOT NULL DEFAULT 'ok', payload jsonb, extra jsonb
);
CREATE INDEX orders_status ON orders (status);
INSERT INTO customers (email) VALUES ('a@example.com');
INSERT INTO orders (customer_id, payload, extra) VALUES
  (1, '{"sku": "a", "lines": [{"qty": 1}]}', '{"x": 1}'),
  (1, '{"sku": "b", "lines": []}', '{"x": "one"}');
CREATE VIEW open_orders AS SELECT id, status FROM orders;
CREATE TABLE events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE SCHEMA archive;
CREATE TABLE archive.orders (id bigint);
CREATE TABLE secret (id int);
ANALYZE;
"""

EXPECTED_TYPES = {
    "c_smallint": "SMALLINT", "c_integer": "INTEGER", "c_bigint": "BIGINT", "c_real": "FLOAT",
    "c_double": "DOUBLE", "c_numeric": "DECIMAL(10,2)", "c_numeric_free": "DOUBLE",
    "c_money": "DECIMAL(19,2)", "c_text": "VARCHAR", "c_varchar": "VARCHAR", "c_char": "VARCHAR",
    "c_bytea": "BLOB", "c_boolean": "BOOLEAN", "c_date": "DATE", "c_time": "TIME",
    "c_timetz": "TIME WITH TIME ZONE", "c_timestamp": "TIMESTAMP",
    "c_timestamptz": "TIMESTAMP WITH TIME ZONE", "c_interval": "INTERVAL", "c_uuid": "UUID",
    "c_json": "JSON", "c_jsonb": "JSON", "c_int_array": "INTEGER[]", "c_text_matrix": "VARCHAR[][]",
    "c_json_array": "JSON[]", "c_enum": "VARCHAR", "c_domain": "INTEGER",
    "c_composite": "STRUCT(street VARCHAR, zip VARCHAR, geo DECIMAL(9,6)[])", "c_inet": "VARCHAR",
    "c_cidr": "VARCHAR", "c_macaddr": "VARCHAR", "c_tsvector": "VARCHAR", "c_bit": "VARCHAR",
    "c_varbit": "VARCHAR", "c_range": "VARCHAR", "c_oid": "UINTEGER",
}  # fmt: skip


@pytest.fixture
async def db(pg_database: str) -> str:
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute(SETUP)
    finally:
        await conn.close()
    return pg_database


async def discover(db: str, table: str, **options: object) -> catalog.Discovery:
    return await catalog.discover_schema(with_query(db, table=table), **options)


async def test_every_type_maps(db: str) -> None:
    found = await discover(db, "all_types")
    assert {f.name: f.sql_type for f in found} == EXPECTED_TYPES
    assert found["c_enum"].metadata["pg.enum"] == '["sad", "ok", "happy"]'
    assert found["c_domain"].nullable is False
    assert found["c_domain"].metadata["pg.domain"] == "positive"
    assert found["c_inet"].metadata["pg.type"] == "inet"
    assert found["c_composite"].metadata["pg.type"] == "address"
    assert found.format == "postgres"


async def test_not_null_defaults_comments_and_keys(db: str) -> None:
    found = await discover(db, "public.customers")
    assert [(f.name, f.nullable) for f in found] == [
        ("id", False),
        ("email", False),
        ("created", True),
    ]
    assert found["id"].metadata["pg.default"] == "nextval('customers_id_seq'::regclass)"
    assert found["created"].metadata["pg.default"] == "now()"
    assert found["email"].comment == "login e-mail"
    assert found["created"].default is None and not found["id"].has_default
    assert found.name == "public.customers"
    details = found.details
    assert (details["primary_key"], details["unique"], details["comment"]) == (
        ["id"],
        [["email"]],
        "people who buy",
    )
    orders = await discover(db, "orders")
    assert orders.details["foreign_keys"] == [
        {"name": "orders_customer_id_fkey", "columns": ["customer_id"],
         "definition": "FOREIGN KEY (customer_id) REFERENCES customers(id)"}
    ]  # fmt: skip
    assert [i["name"] for i in orders.details["indexes"]] == ["orders_pkey", "orders_status"]


async def test_json_columns_are_sampled_into_structs_when_they_agree(db: str) -> None:
    orders = await discover(db, "orders")
    assert orders["payload"].sql_type == "STRUCT(sku VARCHAR, lines STRUCT(qty BIGINT)[])"
    assert orders["extra"].sql_type == "JSON"  # x is a number once and a string once


async def test_statistics_come_from_pg_stats(db: str) -> None:
    orders = await discover(db, "orders")
    assert orders.stats["customer_id"].null_fraction == 0.0
    assert orders.stats["customer_id"].distinct_count == 1


async def test_whole_database_listing(db: str) -> None:
    listing = await list_objects(db)
    assert listing is not None
    names = [o.name for o in listing]
    assert names == ["archive.orders", "public.all_types", "public.customers", "public.events",
                     "public.open_orders", "public.orders", "public.secret"]  # fmt: skip
    events = next(o for o in listing if o.name == "public.events")
    assert events.kind == "partitioned table"
    assert events.to_json()["columns"] == [
        {"name": "id", "type": "INTEGER", "nullable": False},
        {"name": "at", "type": "DATE", "nullable": False},
    ]
    no_views = await list_objects(db, include_views=False)
    assert no_views is not None and "public.open_orders" not in [o.name for o in no_views]
    archive = await list_objects(db, schema="archive")
    assert archive is not None and [o.name for o in archive] == ["archive.orders"]
    with pytest.raises(DiscoveryError, match="names 7 objects"):
        await catalog.discover_schema(db)


async def test_round_trips_do_not_grow_with_tables(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = await asyncpg.connect(db)
    try:
        for i in range(30):
            await conn.execute(f"CREATE TABLE extra_{i} (id int, payload jsonb)")
    finally:
        await conn.close()
    small = await discover(db, "orders")
    assert small.details["round_trips"] == 8  # 6 catalog queries, 2 to sample the json columns
    trips: list[int] = []
    original = postgres._Reader.describe

    async def counting(
        self: postgres._Reader, relations: list[postgres.Relation], uri: str
    ) -> list[catalog.Discovery]:
        found = await original(self, relations, uri)
        trips.append(self.round_trips)
        return found

    monkeypatch.setattr(postgres._Reader, "describe", counting)
    listing = await list_objects(db)
    assert listing is not None and len(listing) == 37
    assert trips == [8]


async def test_schema_qualified_and_search_path(db: str) -> None:
    archived = await discover(db, "archive.orders")
    assert [f.name for f in archived] == ["id"]
    default = await discover(db, "orders")
    assert default.name == "public.orders"


async def test_libpq_parameters_and_an_empty_host(db: str) -> None:
    """``postgresql:///db?host=...``: libpq's parameters in the query string, the host
    among them; the URI keeps its ``///`` (urllib would drop it)."""
    parts = urlsplit(db)
    user = f"user={parts.username or 'postgres'}&sslmode=disable&application_name=schemacat"
    uri = f"postgresql://{parts.path}?host={parts.hostname}&port={parts.port or 5432}&{user}"
    found = await catalog.discover_schema(f"{uri}&table=orders")
    assert found.uri == f"postgresql://{parts.path}"
    assert [f.name for f in found] == ["id", "customer_id", "status", "payload", "extra"]
    elsewhere = f"postgresql://{parts.path}?host={parts.hostname}&port={free_port()}&{user}"
    with pytest.raises(SourceUnreachable) as err:
        await catalog.discover_schema(f"{elsewhere}&table=orders", timeout=2)
    assert f"cannot reach PostgreSQL at {parts.hostname}:" in err.value.message
    assert err.value.hint is not None and "sslmode=disable" in err.value.hint


async def test_permission_denied(db: str) -> None:
    role = f"reader_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(db)
    try:
        await conn.execute(f"CREATE ROLE {role} LOGIN")
        await conn.execute(f"GRANT SELECT ON customers TO {role}")
        as_role = urlunsplit(
            urlsplit(db)._replace(netloc=f"{role}@{urlsplit(db).hostname}:{urlsplit(db).port}")
        )
        with pytest.raises(AccessDenied, match=r"permission denied on public\.secret"):
            await discover(as_role, "secret")
        listing = await list_objects(as_role)
        assert listing is not None
        secret = next(o for o in listing if o.name == "public.secret")
        assert secret.skipped == "permission denied"
        customers = next(o for o in listing if o.name == "public.customers")
        assert customers.schema is not None and len(customers.schema) == 3
    finally:
        await conn.execute(f"DROP OWNED BY {role}")
        await conn.execute(f"DROP ROLE {role}")
        await conn.close()


async def test_missing_table_and_database(db: str) -> None:
    with pytest.raises(SourceNotFound) as err:
        await discover(db, "ordrs")
    assert err.value.hint is not None and err.value.hint.startswith("did you mean orders")
    missing_db = urlunsplit(urlsplit(db)._replace(path=urlsplit(db).path + "x"))
    with pytest.raises(SourceNotFound) as dberr:
        await discover(missing_db, "orders")
    assert "does not exist" in dberr.value.message
    assert dberr.value.hint is not None and urlsplit(db).path.lstrip("/") in dberr.value.hint


async def test_connection_refused_and_unknown_role(db: str) -> None:
    with pytest.raises(SourceUnreachable, match="cannot reach PostgreSQL"):
        await catalog.discover_schema(
            f"postgresql://postgres@127.0.0.1:{free_port()}/x?table=t", timeout=2
        )
    parts = urlsplit(db)
    nobody = urlunsplit(parts._replace(netloc=f"nobody_here:pw@{parts.hostname}:{parts.port}"))
    with pytest.raises(AccessDenied) as err:
        await discover(nobody, "orders")
    assert "pw@" not in err.value.message and ":pw" not in err.value.message


async def test_quoted_names_dots_and_what_the_database_generates(db: str) -> None:
    """Through ``schemacat run``: ``?table=`` reads PostgreSQL's quoting, so a mixed-case
    table or one whose name holds a dot is reachable; DESCRIBE's ``default`` holds values
    a reader may assume, and marks what the database generates (a sequence, now(), an
    identity, a generated column) as the database's."""
    conn = await asyncpg.connect(db)
    try:
        await conn.execute(
            """CREATE SCHEMA shop;
            CREATE TABLE shop."Orders" (
              id int GENERATED ALWAYS AS IDENTITY, serial_id bigserial, price numeric(8,2),
              at timestamptz DEFAULT now(), status text DEFAULT 'new', qty int DEFAULT 1,
              total numeric GENERATED ALWAYS AS (price * 2) STORED);
            COMMENT ON COLUMN shop."Orders".qty IS 'how many';
            CREATE TABLE "odd.name" ("we""ird" int);"""
        )
    finally:
        await conn.close()
    orders_uri = with_query(db, table='shop."Orders"')
    odd_uri = with_query(db, table='"odd.name"')
    described = schemacat(
        "run", "-c", f"DESCRIBE '{orders_uri}'; DESCRIBE '{odd_uri}'", "--format", "json"
    )
    assert described.returncode == 0, described.stderr
    orders, odd = (json.loads(line) for line in described.stdout.splitlines())
    rows = {r["column"]: (r["default"], r["comment"]) for r in orders["rows"]}
    assert rows == {
        "id": ("database: generated always as identity", None),
        "serial_id": ("database: nextval('shop.\"Orders_serial_id_seq\"'::regclass)", None),
        "price": (None, None),
        "at": ("database: now()", None),
        "status": ("'new'", None),
        "qty": ("1", "how many"),
        "total": ("database: generated always as ((price * (2)::numeric)) stored", None),
    }
    assert [r["column"] for r in odd["rows"]] == ['we"ird']
    missing = schemacat("run", "-c", f"DESCRIBE '{with_query(db, table='shop.orders')}'")
    assert "did you mean shop.Orders," in missing.stderr  # unquoted names keep their case
    bad = schemacat("run", "-c", f"DESCRIBE '{with_query(db, table='a.b.c')}'")
    assert "table=a.b.c is not [schema.]table" in bad.stderr
