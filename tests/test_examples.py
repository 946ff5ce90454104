"""Every script in sql_examples/ runs, as its header says, against the real services."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import boto3
import pytest

from tests.cli.process import schemacat
from tests.providers.kafka_util import Out, create_topic, produce
from tests.services import Service

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "sql_examples"
DATA = EXAMPLES / "data"


def run(
    tmp_path: Path, script: str, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    out = schemacat(
        "--catalog", str(tmp_path / "catalog.db"), "run", f"sql_examples/{script}", *args,
        cwd=ROOT, env=env,
    )  # fmt: skip
    return out.returncode, out.stdout, out.stderr


def row(stdout: str, *cells: str) -> bool:
    """Whether a table in ``stdout`` has a row starting with ``cells``."""
    start = "| " + " | ".join(cells)
    return any(" ".join(line.split()).startswith(start) for line in stdout.splitlines())


@pytest.fixture
async def cars_topic(kafka: Service) -> str:
    """sql_examples/data/cars.ndjson on a topic, as `kcat -P -l` would produce it."""
    name = f"cars-{uuid.uuid4().hex[:8]}"
    await create_topic(kafka.address, name, 2)
    lines = DATA.joinpath("cars.ndjson").read_bytes().splitlines()
    await produce(kafka.address, name, [Out(line, partition=i % 2) for i, line in enumerate(lines)])
    return name


@pytest.fixture
async def shop(pg_database: str) -> str:
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute(EXAMPLES.joinpath("setup", "postgres.sql").read_text())
    finally:
        await conn.close()
    return pg_database


def test_quickstart(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "quickstart.sql")
    assert code == 0, err
    assert err == ""
    assert row(out, "penguins", "sql_examples/data/penguins.csv", "csv", "1", "8")
    assert row(out, "weather", "sql_examples/data/seattle_weather.parquet", "parquet", "1", "6")
    assert row(out, "cars", "sql_examples/data/cars.ndjson", "json", "1", "9")
    assert row(out, "body_mass_g", "BIGINT", "true")
    assert row(
        out, "date", "DATE", "true", "NULL", "NULL", "0.0", "NULL", "2012-01-01", "2015-12-31"
    )
    assert "stream car_models: version 1, 3 columns, declared" in out
    assert "stream penguins: version 3 (renamed sex to recorded_sex)" in out
    assert row(out, "mean_mass_g", "DOUBLE")
    assert "CREATE STREAM penguin_sizes WITH (compatibility = 'BACKWARD') AS" in out


def test_evolution_rejects_one_change_and_goes_on(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "evolution.sql", "--continue-on-error")
    assert code == 1
    assert err.splitlines()[0] == (
        "sql_examples/evolution.sql:37:1: error: the new schema of orders_full is not FULL "
        "compatible with version 3; nothing was registered"
    )
    assert "DECIMAL(10,2) cannot hold every DECIMAL(12,2) value" in err
    assert (
        "stream orders_backward: version 4 (amount DECIMAL(10,2) -> DECIMAL(12,2) (widened))" in out
    )
    assert row(out, "orders_backward", "5", "5", "3")
    assert row(out, "orders_full", "4", "4", "3")


def test_kafka(tmp_path: Path, kafka: Service, cars_topic: str) -> None:
    code, out, err = run(
        tmp_path, "kafka.sql", "--var", f"broker={kafka.address}", "--var", f"topic={cars_topic}"
    )
    assert code == 0, err
    assert row(out, cars_topic, "2", "406")
    assert row(out, "Miles_per_Gallon", "DOUBLE", "true")
    assert row(out, "Year", "DATE", "true")
    assert "stream car_specs: version 1, 3 columns, declared" in out
    assert row(out, "Name", "VARCHAR", "VARCHAR", "ok")
    assert "stream cars: unchanged after refresh (version 1)" in out


def test_postgres(tmp_path: Path, shop: str) -> None:
    code, out, err = run(tmp_path, "postgres.sql", "--var", f"pg={shop}")
    assert code == 0, err
    assert row(out, "origin", "VARCHAR", "false")
    assert row(out, "currency", "VARCHAR", "false", "NULL", "ISO 4217 code")
    assert row(out, "facts", "STRUCT(makers BIGINT, first_year BIGINT)", "true")
    assert row(out, "precipitation", "DECIMAL(4,1)", "false")
    assert row(out, "recorded_at", "TIMESTAMP WITH TIME ZONE", "false", "database: now()")
    assert row(out, "tags", "VARCHAR[]", "true")
    assert f"from {shop}; primary key (day); CREATE UNIQUE INDEX weather_days_pkey" in out
    assert "stream rainfall: version 1, 2 columns, declared" in out
    assert row(out, "day", "DATE", "DATE", "ok")


def test_s3_lake(tmp_path: Path, s3: Service, bucket: str) -> None:
    client = boto3.client("s3", endpoint_url=s3.address)
    client.upload_file(
        str(DATA / "seattle_weather.parquet"),
        bucket,
        "lake/weather/city=seattle/seattle_weather.parquet",
    )
    client.upload_file(str(DATA / "penguins.csv"), bucket, "lake/penguins/penguins.csv")
    code, out, err = run(
        tmp_path,
        "s3_lake.sql",
        "--var",
        f"bucket={bucket}",
        env={"AWS_ENDPOINT_URL_S3": s3.address},
    )
    assert code == 0, err
    assert row(out, "city", "VARCHAR")
    assert row(out, "bill_length_mm", "DOUBLE", "true", "NULL", "NULL", "0.005814", "164")
    assert row(out, "total_mm", "DOUBLE")
    assert row(out, "wet_days", "weather", "derived", "1", "4")


def test_pipeline_join(tmp_path: Path, kafka: Service, cars_topic: str, shop: str) -> None:
    code, out, err = run(
        tmp_path, "pipeline_join.sql",
        "--var", f"broker={kafka.address}", "--var", f"topic={cars_topic}", "--var", f"pg={shop}",
    )  # fmt: skip
    assert code == 0, err
    assert row(out, "continent", "VARCHAR")
    assert row(out, "horsepower", "INTEGER")
    assert row(out, "weight_kg", "DECIMAL(24,1)")  # BIGINT * 0.4536, rounded: as DuckDB types it
    assert row(out, "economy", "VARCHAR")
    assert row(out, "model_year", "BIGINT")
    assert row(out, "cylinder_counts", "BIGINT[]")
    assert "stream cars_by_continent: version 1, 7 columns, derived" in out


def test_python_api() -> None:
    out = subprocess.run(
        [sys.executable, "sql_examples/python_api.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "penguins.csv: csv, 344 rows sampled" in out.stdout
    assert "version 2: altered, added band_id VARCHAR" in out.stdout
    assert "{'column': 'bill_length_mm', 'type': 'DOUBLE', 'nullable': True}" in out.stdout
