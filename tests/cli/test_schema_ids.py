"""Schema ids through ``schemacat run``: one global id per distinct schema, whichever stream
holds it; a catalog made before ids had them gets them in order of creation."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.process import schemacat


def versions(db: str, stream: str) -> list[dict[str, object]]:
    out = schemacat(
        "--catalog", db, "run", "-c", f"SHOW SCHEMA VERSIONS FOR {stream}", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    rows: list[dict[str, object]] = json.loads(out.stdout)["rows"]
    return rows


def test_one_id_per_distinct_schema(catalog_url: str, tmp_path: Path) -> None:
    script = (
        "CREATE STREAM a (id BIGINT, note VARCHAR) WITH (value_schema_full_name = 'acme.Row');"
        "CREATE STREAM b (id BIGINT, note VARCHAR) WITH (value_schema_full_name = 'acme.Row');"
        "ALTER STREAM a ADD COLUMN extra INT;"
        "ALTER STREAM a DROP COLUMN extra;"
        "ALTER STREAM b ALTER COLUMN note SET DEFAULT 'x';"
    )
    out = schemacat("--catalog", catalog_url, "run", "-c", script)
    assert out.returncode == 0, out.stderr
    a, b = versions(catalog_url, "a"), versions(catalog_url, "b")
    assert [v["schema_id"] for v in a] == [1, 2, 1]  # back to the first schema: its id
    assert [v["schema_id"] for v in b] == [1, 3]
