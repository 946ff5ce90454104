"""CSV and TSV sampling through DuckDB's CSV sniffer: dialect, header and column types.

The sampled bytes go to DuckDB as a file; ``sniff_csv`` reports the dialect,
``read_csv`` (with rejected rows stored, not fatal) returns the typed sample,
and the rows it rejected are the malformed count.  A user's ``delimiter``,
``nullstr`` (a word that means NULL, such as ``NA``; empty fields stay NULL too)
and ``max_line_size`` (in bytes; DuckDB's default is 2,000,000) go to the sniffer
and the reader as DuckDB's ``delim``, ``nullstr`` and ``max_line_size``.  When
DuckDB cannot read the sample, its reason is kept in the error, without the
line it quotes.

Like DuckDB, a word such as ``NA`` is a value unless ``nullstr`` says it means
NULL, so a column of numbers with ``NA`` in it is VARCHAR.  When a VARCHAR
column holds one of the usual such words and reading it as NULL would type the
column, the discovery carries a note saying which ``nullstr`` to give.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from catalog.errors import EmptySource, MalformedSource
from catalog.infer import Inference, discovered_schema
from catalog.infer.stats import table_stats
from catalog.types import parse_sql_type

NULL_WORDS = ("NA", "N/A", "n/a", "#N/A", "NULL", "null", "None", "NaN", "nan", "-", "?")
_DIALECT_KEYS = (
    "Delimiter",
    "Quote",
    "Escape",
    "NewLineDelimiter",
    "Comment",
    "SkipRows",
    "HasHeader",
)


def csv_settings(
    delimiter: str | None = None, nullstr: str | None = None, max_line_size: int | None = None
) -> dict[str, Any]:
    """The user's CSV options as DuckDB's ``read_csv`` arguments."""
    settings: dict[str, Any] = {}
    if delimiter:
        settings["delim"] = delimiter
    if nullstr:
        settings["nullstr"] = [nullstr, ""]
    if max_line_size:
        settings["max_line_size"] = max_line_size
    return settings


def infer_csv(
    data: bytes,
    complete: bool,
    sample_size: int,
    name: str,
    given: Mapping[str, Any],
    *,
    suggest_nullstr: bool = False,
) -> Inference:
    """The CSV sample's schema; ``suggest_nullstr`` where the source takes that option."""
    if not data.strip():
        raise EmptySource(f"{name} is empty", hint="point at a file or object with CSV rows")
    if not complete:
        data = data[: data.rfind(b"\n") + 1] or data  # drop the row the read cut in two
    with tempfile.TemporaryDirectory(prefix="schemacat-csv-") as tmp:
        path = Path(tmp) / "sample.csv"
        path.write_bytes(data)
        found = _sniff_and_read(str(path), sample_size, name, given)
        if not suggest_nullstr or "nullstr" in given:
            return found
        notes = _null_words(found, str(path), sample_size, name, given)
        return replace(found, details={**found.details, "notes": notes}) if notes else found


def _null_words(
    found: Inference, path: str, sample_size: int, name: str, given: Mapping[str, Any]
) -> list[str]:
    """A note for each usual null word that, read as NULL, would type VARCHAR columns."""
    assert found.table is not None
    text_columns = [f.name for f in found.schema if pa.types.is_string(f.type)]
    words = sorted(
        {
            word
            for column in text_columns
            for word in pc.unique(found.table.column(column)).to_pylist()
            if word in NULL_WORDS
        }
    )
    notes = []
    for word in words:
        again = _sniff_and_read(path, sample_size, name, {**given, **csv_settings(nullstr=word)})
        typed = [
            f"{f.name} {f.sql_type}"
            for f in again.schema
            if f.name in text_columns and not pa.types.is_string(f.type)
        ]
        if typed:
            notes.append(
                f"{word!r} is read as a value; with nullstr = {word!r} (it would mean NULL) "
                f"these VARCHAR columns would be typed: {', '.join(typed)}"
            )
    return notes


def _sniff_and_read(path: str, sample_size: int, name: str, given: Mapping[str, Any]) -> Inference:
    import duckdb

    con = duckdb.connect()
    try:
        # DuckDB's dialect as it finds it by default, and as it finds it skipping rows with
        # too few or too many fields; whichever reads more of the file (in cells) wins.
        dialects, refusal = _sniff(con, path, sample_size, given)
        candidates = [_read(con, path, d, sample_size, given) for d in dialects]
    except duckdb.Error as exc:
        raise _unreadable(name, path, exc) from None
    finally:
        con.close()
    if not candidates:
        raise _unreadable(name, path, refusal)
    dialect, described, table, malformed = max(
        candidates, key=lambda c: c[2].num_rows * max(c[2].num_columns, 1)
    )
    if table.num_rows == 0 and malformed:
        raise MalformedSource(
            f"every row sampled from {name} is malformed ({malformed} rows)",
            hint="check the delimiter (VALUE_DELIMITER) and quoting, or use format=text",
        )
    schema = pa.schema([pa.field(n, parse_sql_type(str(t))) for n, t in described])
    typed = pa.Table.from_arrays(
        [pc.cast(table.column(i), f.type) for i, f in enumerate(schema)], schema=schema
    )
    details = {k.lower(): _plain(dialect.get(k)) for k in _DIALECT_KEYS if k in dialect}
    if typed.num_rows == 0:
        details["notes"] = ["no data rows, so every column is VARCHAR"]
    return Inference(
        discovered_schema(schema), table_stats(typed), typed.num_rows, malformed, typed, details
    )


def _read(
    con: Any, path: str, dialect: dict[str, Any], sample_size: int, given: Mapping[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, Any]], pa.Table, int]:
    """The sample read with one dialect: the dialect, column types, rows, rows rejected."""
    settings = {**_read_settings(dialect), **given}
    args = "".join(f", {key} := ${key}" for key in settings)
    rel = con.sql(
        f"SELECT * FROM read_csv($path, auto_detect := false{args}, ignore_errors := true, "
        f"store_rejects := true) LIMIT {int(sample_size)}",
        params={"path": path, **settings},
    )
    described = list(zip(rel.columns, rel.types, strict=True))
    table = rel.to_arrow_table()
    rejected = con.execute("SELECT count(DISTINCT line) FROM reject_errors").fetchall()[0][0]
    con.execute("DELETE FROM reject_errors").fetchall()
    return dialect, described, table, int(rejected)


def _sniff(
    con: Any, path: str, sample_size: int, given: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], Exception | None]:
    """The dialects DuckDB finds, strictly and skipping rows with the wrong number of
    fields, and why it found none, if it did not."""
    import duckdb

    found, refusal = [], None
    for lenient in (False, True):
        options = {"sample_size": sample_size, "ignore_errors": lenient, **given}
        args = "".join(f", {key} := ${key}" for key in options)
        try:
            result = con.execute(f"SELECT * FROM sniff_csv($path{args})", {"path": path, **options})
        except duckdb.Error as exc:
            refusal = exc
            continue
        columns = [d[0] for d in result.description]
        dialect = dict(zip(columns, result.fetchall()[0], strict=True))
        if dialect not in found:
            found.append(dialect)
    return found, refusal


def _unreadable(name: str, path: str, exc: Exception | None) -> MalformedSource:
    """DuckDB's reason for not reading the sample, in a line: without the row it quotes (up
    to 10,000 characters of it), its suggestion and the settings it lists."""
    if exc is None:
        return MalformedSource(f"{name} is not CSV that DuckDB's sniffer can read")
    text = str(exc).replace(path, name)
    lines = text.split("\n\n")[0].splitlines()
    reason = "; ".join(
        re.sub(r"^[A-Za-z ]+ Error: ", "", line)
        for line in lines
        if line.strip() and not line.startswith(("Original Line:", "Possible Solution:"))
    )
    longest = re.search(r"max_line_size=(\d+)", text)
    hint = (
        f"give the option max_line_size = {longest.group(1)} (in bytes) to read lines that long"
        if longest
        else "check the delimiter (VALUE_DELIMITER) and quoting, or use format=text"
    )
    return MalformedSource(f"{name} could not be read as CSV: {reason}", hint=hint)


def _read_settings(dialect: dict[str, Any]) -> dict[str, Any]:
    def text(key: str) -> str:
        value = dialect.get(key)
        return "" if value in (None, "(empty)") else str(value)

    settings: dict[str, Any] = {
        "delim": text("Delimiter"),
        "quote": text("Quote"),
        "escape": text("Escape"),
        "comment": text("Comment"),
        "skip": int(dialect.get("SkipRows") or 0),
        "header": bool(dialect.get("HasHeader")),
        "columns": {c["name"]: c["type"] for c in dialect["Columns"]},
    }
    for key, option in (("DateFormat", "dateformat"), ("TimestampFormat", "timestampformat")):
        if dialect.get(key):
            settings[option] = str(dialect[key])
    return settings


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)
