"""Sampled records -> a ``Schema`` with per-column statistics.

The rules (each has a test in tests/infer/):

* **Nullability.** Every inferred column and nested field is nullable, with a
  default of NULL (a key missing from a record reads as null).  NOT NULL comes
  only from sources that declare it completely: a Parquet footer, a Postgres
  catalog, an Avro header.
* **Scalars.** Booleans are BOOLEAN; integers BIGINT (wider ones DECIMAL(38,0),
  as DuckDB's HUGEINT); integers mixed with floats DOUBLE.
* **Strings** are VARCHAR, unless every one is an ISO-8601 date (DATE), a
  timestamp without zone (TIMESTAMP; dates mixed in are fine), a timestamp with
  a zone or ``Z`` (TIMESTAMP WITH TIME ZONE), a time of day (TIME), or a
  canonical UUID (UUID), as DuckDB's JSON reader decides.
* **Objects** are STRUCTs with the union of their keys in the order first seen.
  They are MAP(VARCHAR, T) instead, as in DuckDB, when they have no keys at all
  (T is JSON), when keys are sparse (on average a key is in fewer than 10% of
  the objects), or when there are more than 200 keys whose values share a type;
  and, unlike DuckDB, whenever there are more than 1,000 keys (T is JSON if
  their values differ), so that a schema stays a few kilobytes.
* **Arrays** are lists of the merged type of their elements; arrays that were
  only ever empty are JSON[]; elements that were only null are "NULL"[].
* **Nulls** alone do not decide a type: a column that was only null is "NULL".
* **Conflicts.** Kinds that cannot merge (number and string, object and
  scalar, list and object) make JSON; the kinds that met are recorded in the
  column's statistics (``conflicts``), never raised.
* **Depth.** Objects and arrays nested more than ``max_depth`` levels (default
  10) inside a column are kept as JSON.

Records that are not objects, among objects, are counted as malformed; a
sample in which no record is an object has a single column (``json``, as in DuckDB).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from catalog.infer.stats import ColumnStats, table_stats
from catalog.schema import Field, Schema
from catalog.visit import LIST, MAP, STRUCT, children, kind, rebuild

DEFAULT_MAX_DEPTH = 10

__all__ = ["ColumnStats", "Inference", "discovered_schema", "infer_records", "infer_table"]


@dataclass(frozen=True)
class Inference:
    schema: Schema
    stats: dict[str, ColumnStats]
    sampled: int
    malformed: int = 0
    table: pa.Table | None = field(default=None, repr=False)  # the typed sample
    details: Mapping[str, Any] = field(default_factory=dict)  # reader facts (a CSV dialect)

    @property
    def conflicts(self) -> dict[str, tuple[str, ...]]:
        return {name: s.conflicts for name, s in self.stats.items() if s.conflicts}


def infer_records(
    records: Iterable[Any],
    *,
    malformed: int = 0,
    max_depth: int = DEFAULT_MAX_DEPTH,
    column: str = "json",
) -> Inference:
    """Infer from parsed JSON values (dicts, lists, scalars); records that are not
    objects, or are maps, make one column named ``column``."""
    from catalog.infer.lattice import Node, Resolver
    from catalog.infer.typed import records_to_table

    items = list(records)
    objects = [r for r in items if isinstance(r, dict)]
    resolver = Resolver()
    if objects:
        malformed += len(items) - len(objects)
        top = Node()
        for record in objects:
            top.add(record, -1, max_depth)  # the record is the row; its values are at depth 0
        dtype = resolver.resolve(top, "")
        if pa.types.is_struct(dtype):
            arrow = pa.schema(list(dtype))
            rows: list[dict[str, Any]] = objects
        else:  # the records themselves are a map (or a conflict): one column
            arrow = pa.schema([pa.field(column, dtype)])
            rows = [{column: r} for r in objects]
    else:
        top = Node()
        for record in items:
            top.add(record, 0, max_depth)
        arrow = pa.schema([pa.field(column, resolver.resolve(top, column))])
        rows = [{column: r} for r in items]
    table = records_to_table(rows, arrow)
    stats = table_stats(table)
    for path, kinds in resolver.conflicts.items():
        top_column = path.split(".")[0].split("[")[0].split("{")[0] or column
        if top_column in stats:
            old = stats[top_column]
            stats[top_column] = ColumnStats(
                old.null_fraction, old.distinct_count, old.min, old.max, old.example, tuple(kinds)
            )
    return Inference(discovered_schema(table.schema), stats, len(rows), malformed, table)


def infer_table(raw: pa.Table) -> Inference | None:
    """Infer from a table an Arrow reader typed; None when records must be walked instead."""
    from catalog.infer.arrow import target_schema
    from catalog.infer.typed import cast_array

    target = target_schema(raw)
    if target is None:
        return None
    columns = [cast_array(raw.column(i), f.type) for i, f in enumerate(target)]
    table = pa.Table.from_arrays(columns, schema=target)
    return Inference(discovered_schema(target), table_stats(table), table.num_rows, 0, table)


_KNOWN: dict[
    tuple[bytes, tuple[str, ...], bool], Schema
] = {}  # discovered schemas by their Arrow form
_KNOWN_MAX = 256
_KNOWN_LOCK = threading.Lock()


def discovered_schema(arrow: pa.Schema, *, keep_nullability: bool = False) -> Schema:
    """A found schema: fields nullable (unless the source declares them not, and
    ``keep_nullability``), and nullable fields, nested ones too, defaulting to NULL.

    The files of a folder mostly share one Arrow schema, so each is built once: a
    ``Schema`` is immutable, and the key (the fields' IPC form: names, types,
    nullability and metadata, nested ones too; and the types' text) says everything it
    is built from."""
    try:
        form = arrow.remove_metadata().serialize().to_pybytes()
    except pa.ArrowException:  # a type IPC does not write: built every time
        return _discovered_schema(arrow, keep_nullability)
    # IPC writes an extension type as its storage with metadata: the types' text tells
    # it from a plain field that carries the same metadata
    key = (form, tuple(str(t) for t in arrow.types), keep_nullability)
    known = _KNOWN.get(key)
    if known is None:
        known = _discovered_schema(arrow, keep_nullability)
        with _KNOWN_LOCK:  # discoveries run in threads
            if len(_KNOWN) >= _KNOWN_MAX:
                del _KNOWN[next(iter(_KNOWN))]
            _KNOWN[key] = known
    return known


def _discovered_schema(arrow: pa.Schema, keep_nullability: bool) -> Schema:
    return Schema(Field.from_arrow(_discovered(f, keep_nullability)) for f in arrow)


def _discovered(f: pa.Field, keep: bool, item: bool = False) -> pa.Field:
    """List items and map values have no default: they are never missing; map keys are
    never null."""
    dtype, shape = f.type, kind(f.type)
    if shape in (STRUCT, LIST):
        dtype = rebuild(dtype, [_discovered(c, keep, shape == LIST) for c in children(dtype)])
    elif shape == MAP:
        dtype = rebuild(dtype, [dtype.key_field, _discovered(dtype.item_field, keep, item=True)])
    nullable = f.nullable or not keep
    base = Field.from_arrow(f).replace(type=dtype, nullable=nullable)
    if nullable and not item and not base.has_default:
        base = base.replace(default=None)
    return base.to_arrow()
