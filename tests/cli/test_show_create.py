"""SHOW CREATE STREAM recreates every stream, through ``schemacat run``: replayed into an
empty catalog, each statement gives the same fingerprint, for discovered, renamed, all-NULL
and derived streams; a derived stream keeps its query and lineage, and VALIDATE and
REFRESH derive it again from its sources."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.process import schemacat

DATA = Path(__file__).parents[2] / "sql_examples" / "data"


def results(db: Path, statements: str) -> list[dict[str, object]]:
    out = schemacat("--catalog", str(db), "run", "-c", statements, "--format", "json")
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def fingerprints(db: Path) -> dict[str, str]:
    [shown] = results(db, "SHOW SCHEMAS")
    return {row["name"]: row["fingerprint"] for row in shown["rows"]}


def test_every_stream_is_recreated_with_its_fingerprint(tmp_path: Path) -> None:
    nulls = tmp_path / "nulls.ndjson"
    nulls.write_text('{"id": 1, "coupon": null}\n{"id": 2, "coupon": null}\n')
    original = tmp_path / "original.db"
    results(
        original,
        f"CREATE STREAM cars WITH (datasource = '{DATA / 'cars.ndjson'}');"
        'ALTER STREAM cars RENAME COLUMN "Name" TO model;'
        f"CREATE STREAM coupons WITH (datasource = '{nulls}');"
        f"CREATE STREAM weather WITH (datasource = '{DATA / 'seattle_weather.parquet'}');"
        'CREATE STREAM by_origin AS SELECT "Origin" AS origin, count(*) AS n, '
        "max(model) AS last_model FROM cars GROUP BY 1;"
        f"CREATE STREAM birds AS SELECT species, island FROM '{DATA / 'penguins.csv'}';"
        "CREATE STREAM keyed (id BIGINT KEY, trace VARCHAR HEADER('t'), v STRUCT(a INT));",
    )
    streams = list(fingerprints(original))
    shown = results(original, ";".join(f"SHOW CREATE STREAM {s}" for s in streams))
    statements = {s: r["rows"][0]["statement"] for s, r in zip(streams, shown, strict=True)}
    assert statements["coupons"].startswith(
        'CREATE STREAM coupons (\n  id BIGINT,\n  coupon "NULL"'
    )
    assert "model VARCHAR ALIASES ('Name')" in statements["cars"]
    assert statements["by_origin"] == (
        "CREATE STREAM by_origin WITH (compatibility = 'BACKWARD') AS\n"
        'SELECT "Origin" AS origin, count(*) AS n, max(model) AS last_model FROM cars GROUP BY 1;'
    )
    replayed = tmp_path / "replayed.db"
    order = ["cars", "coupons", "weather", "by_origin", "birds", "keyed"]  # sources first
    results(replayed, "\n".join(statements[s] for s in order))
    assert fingerprints(replayed) == fingerprints(original)


def test_a_derived_stream_shows_its_lineage_and_is_derived_again(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    made = results(
        db,
        "CREATE STREAM src (id BIGINT, name VARCHAR);"
        "CREATE STREAM copy AS SELECT * FROM src;"
        f"CREATE STREAM mixed AS SELECT s.id, p.species FROM src s, '{DATA / 'penguins.csv'}' p;"
        "SHOW STREAMS; VALIDATE STREAM copy",
    )
    rows = {r["name"]: r for r in made[3]["rows"]}
    assert (rows["copy"]["datasource"], rows["copy"]["format"]) == ("src", "derived")
    assert rows["mixed"]["datasource"] == f"src, {DATA / 'penguins.csv'}"
    assert {r["status"] for r in made[4]["rows"]} == {"ok"}

    results(db, "ALTER STREAM src ADD COLUMN note VARCHAR")
    [drifted] = results(db, "VALIDATE STREAM copy")
    assert drifted["rows"][-1] == {
        "column": "note",
        "registered_type": None,
        "observed_type": "VARCHAR",
        "status": "new_in_source",
    }
    [refreshed] = results(db, "ALTER STREAM copy REFRESH")
    assert refreshed["message"] == "stream copy: version 2 (added note VARCHAR)"
    [again] = results(db, "ALTER STREAM copy REFRESH")
    assert again["message"] == "stream copy: unchanged after refresh (version 2)"

    altered = schemacat("--catalog", str(db), "run", "-c", "ALTER STREAM copy DROP COLUMN note")
    assert altered.returncode == 1
    assert "stream copy is derived from a query: its columns are its query's" in altered.stderr
    assert "CREATE OR REPLACE STREAM copy AS SELECT" in altered.stderr
