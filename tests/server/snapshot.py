"""Everything a registry answers over REST about its subjects, versions, ids, configs and
modes, as one comparable value: two registries with equal snapshots are the same."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


def registry_snapshot(url: str, *, global_mode: bool = True) -> dict[str, Any]:
    """The REST answers of the registry at ``url`` (soft-deleted versions included)."""
    with httpx.Client(base_url=url, timeout=30) as api:

        def get(path: str, **params: str) -> Any:
            answer = api.get(path, params=params)
            return answer.status_code, answer.json()

        out: dict[str, Any] = {
            "subjects": get("/subjects"),
            "all subjects": get("/subjects", deleted="true"),
            "config": get("/config"),
        }
        if global_mode:
            out["mode"] = get("/mode")
        ids: set[int] = set()
        for subject in sorted(api.get("/subjects", params={"deleted": "true"}).json()):
            s = quote(subject, safe="")
            numbers = api.get(f"/subjects/{s}/versions", params={"deleted": "true"}).json()
            out[subject] = {
                "versions": get(f"/subjects/{s}/versions"),
                "all versions": numbers,
                "config": get(f"/config/{s}"),
                "mode": get(f"/mode/{s}"),
                "each": [get(f"/subjects/{s}/versions/{n}", deleted="true") for n in numbers],
            }
            ids.update(v["id"] for _, v in out[subject]["each"])
        for schema_id in sorted(ids):
            out[f"id {schema_id}"] = (
                get(f"/schemas/ids/{schema_id}"),
                get(f"/schemas/ids/{schema_id}/versions", deleted="true"),
            )
        return out


def max_id(snapshot: dict[str, Any]) -> int:
    return max(int(key.split()[1]) for key in snapshot if key.startswith("id "))
