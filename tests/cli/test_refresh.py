"""The same data gives the same schema, and REFRESH of an unchanged source registers
nothing, through ``schemacat``: a 4-partition topic whose objects bring their keys in
varying orders, refreshed 10 times; a file whose columns moved; a renamed column."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.cli.process import schemacat
from tests.providers.kafka_util import Out, create_topic, produce
from tests.services import Service

CARS = Path(__file__).parents[2] / "sql_examples" / "data" / "cars.ndjson"
KEYS = ["k1", "k2", "k3", "k4", "k5"]


def versions(db: Path, stream: str) -> list[dict[str, object]]:
    out = schemacat(
        "--catalog", str(db), "run", "-c", f"SHOW SCHEMA VERSIONS FOR {stream}", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    rows: list[dict[str, object]] = json.loads(out.stdout)["rows"]
    return rows


async def test_an_unchanged_topic_refreshed_ten_times_keeps_one_version(
    kafka: Service, tmp_path: Path
) -> None:
    topic = f"varying-{uuid.uuid4().hex[:8]}"
    await create_topic(kafka.address, topic, 4)
    messages = []
    for i in range(200):  # every message a different choice and order of tag keys
        keys = KEYS[i % 5 :] + KEYS[: i % 5]
        tags = {k: i for k in keys[: 2 + i % 3]}
        value = {"id": i, "tags": tags, **({"extra": i} if i % 7 == 0 else {})}
        messages.append(Out(json.dumps(value).encode(), partition=i % 4))
    await produce(kafka.address, topic, messages)
    uri = f"kafka://{kafka.address}/{topic}"

    discovered = {schemacat("discover", uri, "--format", "json").stdout for _ in range(4)}
    assert len(discovered) == 1, discovered  # the same schema, byte for byte, every time

    db = tmp_path / "c.db"
    created = schemacat(
        "--catalog", str(db), "run", "-c", f"CREATE STREAM t WITH (datasource = '{uri}')"
    )
    assert created.returncode == 0, created.stderr
    refresh = ";".join(["ALTER STREAM t REFRESH"] * 10)
    out = schemacat("--catalog", str(db), "run", "-c", refresh)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["stream t: unchanged after refresh (version 1)"] * 10
    assert len(versions(db, "t")) == 1


def test_a_file_whose_columns_moved_and_a_renamed_column_refresh_unchanged(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("id,name,score\n1,a,0.5\n2,b,1.5\n")
    db = tmp_path / "c.db"
    out = schemacat(
        "--catalog", str(db), "run", "-c",
        f"CREATE STREAM d WITH (datasource = '{data}');"
        "ALTER STREAM d RENAME COLUMN name TO caption;"
        "ALTER STREAM d ALTER COLUMN score SET DEFAULT 0.0;"
        f"CREATE STREAM cars WITH (datasource = '{CARS}');"
        'ALTER STREAM cars RENAME COLUMN "Name" TO model;',
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data.write_text("score,id,name\n0.5,1,a\n1.5,2,b\n")
    refreshed = schemacat(
        "--catalog", str(db), "run", "-c", "ALTER STREAM d REFRESH; ALTER STREAM cars REFRESH"
    )
    assert refreshed.returncode == 0, refreshed.stderr
    assert refreshed.stdout.splitlines() == [
        "stream d: unchanged after refresh (version 3)",  # the default is the catalog's
        "stream cars: unchanged after refresh (version 2)",
    ]
    data.write_text("score,id,name,extra\n0.5,1,a,x\n1.5,2,b,y\n")
    grown = schemacat("--catalog", str(db), "run", "-c", "ALTER STREAM d REFRESH")
    assert grown.stdout == "stream d: version 4 (added extra VARCHAR)\n"
    show = schemacat("--catalog", str(db), "run", "-c", "SHOW CREATE STREAM d", "--format", "json")
    statement = json.loads(show.stdout)["rows"][0]["statement"]
    assert (
        "id BIGINT,\n  caption VARCHAR ALIASES ('name'),\n  score DOUBLE DEFAULT 0.0," in statement
    )
