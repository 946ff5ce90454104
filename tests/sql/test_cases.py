"""Runs tests/sql/cases/*.slt against a fresh embedded catalog each, then recreates every stream."""

from __future__ import annotations

from pathlib import Path

import pytest

import catalog
from catalog.sql.session import Session
from tests.sql.recreate import assert_recreatable
from tests.sql.slt import case_files, matches, parse_cases, rendered

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
async def test_case_file(path: Path, tmp_path: Path) -> None:
    text = path.read_text().replace("${DATA}", str(DATA)).replace("${TMP}", str(tmp_path))
    async with await catalog.Catalog.open(str(tmp_path / "catalog.db")) as cat:
        session = Session(cat)
        for case in parse_cases(text):
            where = f"{path.name}:{case.line}"
            outcomes = [o async for o in session.outcomes(case.sql)]
            errors = [o.error for o in outcomes if o.error is not None]
            if case.kind == "error":
                assert errors, f"{where}: expected {case.code}, got results"
                error = errors[0]
                assert error.code == case.code, f"{where}: {error.code}: {error.message}"
                if case.where is not None:
                    assert error.position is not None
                    assert (error.position.line, error.position.column) == case.where, (
                        f"{where}: {error.message}"
                    )
                continue
            assert not errors, (
                f"{where}: {errors[0].code}: {errors[0].message} (hint: {errors[0].hint})"
            )
            if case.kind == "query":
                actual = rendered([r for o in outcomes for r in o.results])
                assert case.expected is not None
                assert matches(case.expected, actual), f"{where}:\n" + "\n".join(
                    " | ".join(r) for r in actual
                )
        await assert_recreatable(cat, tmp_path / "recreated.db")
