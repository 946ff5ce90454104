"""PostgreSQL's catalog, read in a fixed number of queries however many tables, and its types.

The json/jsonb columns, which are sampled, take one statement per few dozen columns
(``JSON_SAMPLE_BUILDER``): no statement grows with the number of tables.

Every query takes the relations it is about as bound parameters (oids, names);
no identifier is ever written into SQL text here.

Type mapping (PostgreSQL -> the type as DuckDB prints it):

==============================  ==========================================
smallint, integer, bigint       SMALLINT, INTEGER, BIGINT
real, double precision          FLOAT, DOUBLE
numeric(p,s), p <= 38           DECIMAL(p,s)
numeric, numeric(p > 38)        DOUBLE (as DuckDB's postgres scanner does)
money                           DECIMAL(19,2)
text, varchar(n), char(n), name VARCHAR
bytea                           BLOB
boolean                         BOOLEAN
date, time, timetz              DATE, TIME, TIME WITH TIME ZONE
timestamp, timestamptz          TIMESTAMP, TIMESTAMP WITH TIME ZONE
interval                        INTERVAL
uuid                            UUID
json, jsonb                     STRUCT(...) when the sampled values agree, else JSON
T[] (any dimension)             T[] nested once per dimension
enum                            VARCHAR; the labels in metadata ``pg.enum``
domain                          its base type; NOT NULL if the domain is
composite                       STRUCT(...) of its attributes
inet, cidr, macaddr, macaddr8,
tsvector, bit, varbit, ranges,
xml and other types             VARCHAR; the type in metadata ``pg.type``
oid                             UINTEGER
==============================  ==========================================
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from catalog.errors import SchemacatError
from catalog.evolve import check_default
from catalog.field import NO_DEFAULT
from catalog.types import TimeTzType

RELATION_KINDS = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
}

RELATIONS = """
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       obj_description(c.oid, 'pg_class') AS comment, greatest(c.reltuples, 0)::bigint AS rows,
       has_table_privilege(c.oid, 'SELECT') AS readable,
       coalesce(array_position(current_schemas(false), n.nspname), 1000) AS search_rank
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = ANY($1::text[]::"char"[]) AND NOT c.relispartition
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
  AND ($2::text IS NULL OR n.nspname = $2) AND ($3::text IS NULL OR c.relname = $3)
ORDER BY n.nspname, c.relname
"""

COLUMNS = """
SELECT a.attrelid, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.attndims,
       a.attidentity::text AS identity, a.attgenerated::text AS generated,
       pg_get_expr(d.adbin, d.adrelid) AS default_text, col_description(a.attrelid, a.attnum) AS comment
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""

TYPES = """
WITH RECURSIVE wanted(oid) AS (
    SELECT unnest($1::oid[])
  UNION
    SELECT ref FROM wanted w JOIN pg_type t ON t.oid = w.oid
    CROSS JOIN LATERAL (
        SELECT t.typelem UNION ALL SELECT t.typbasetype
        UNION ALL SELECT a.atttypid FROM pg_attribute a
        WHERE t.typrelid <> 0 AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
    ) AS refs(ref)
    WHERE ref <> 0
)
SELECT t.oid, t.typname, t.typtype::text AS typtype, t.typcategory::text AS category, t.typelem,
       t.typbasetype, t.typtypmod, t.typnotnull, format_type(t.oid, NULL) AS display,
       (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
        WHERE e.enumtypid = t.oid) AS labels,
       (SELECT json_agg(json_build_array(a.attname, a.atttypid::int8, a.atttypmod) ORDER BY a.attnum)
        FROM pg_attribute a WHERE t.typrelid <> 0 AND a.attrelid = t.typrelid
        AND a.attnum > 0 AND NOT a.attisdropped) AS attributes
FROM pg_type t WHERE t.oid IN (SELECT oid FROM wanted)
"""

CONSTRAINTS = """
SELECT c.conrelid, c.conname, c.contype::text AS kind, pg_get_constraintdef(c.oid) AS definition,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.pos) AS columns
FROM pg_constraint c WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('p', 'u', 'f')
ORDER BY c.conrelid, c.contype, c.conname
"""

INDEXES = """
SELECT i.indrelid, ic.relname AS name, i.indisunique AS is_unique, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid = ANY($1::oid[]) ORDER BY i.indrelid, ic.relname
"""

STATISTICS = """
SELECT c.oid AS relid, s.attname, s.null_frac, s.n_distinct,
       (s.histogram_bounds::text::text[])[1] AS low,
       (s.histogram_bounds::text::text[])[array_length(s.histogram_bounds::text::text[], 1)] AS high
FROM pg_stats s JOIN pg_namespace n ON n.nspname = s.schemaname
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
WHERE c.oid = ANY($1::oid[])
"""

# Builds, on the server, the statements sampling the json columns asked for, one per
# $5 columns (a UNION ALL of a few dozen branches: PostgreSQL plans a longer one in time
# growing with the square of its branches, and recurses over it until its stack runs
# out); rows (batch, statement) in order.  The identifiers are bound parameters quoted
# by format('%I'), never Python text.
JSON_SAMPLE_BUILDER = """
SELECT (t.ord - 1) / $5::int AS batch, string_agg(
    format('SELECT %s AS position, (SELECT array_agg(v::text) FROM '
           '(SELECT %I AS v FROM %I.%I WHERE %I IS NOT NULL LIMIT %s) s) AS sample',
           t.ord, t.col, t.nsp, t.rel, t.col, $4::int),
    ' UNION ALL ' ORDER BY t.ord) || ' ORDER BY position' AS statement
FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(nsp, rel, col, ord)
GROUP BY 1 ORDER BY 1
"""


def loads(text: str) -> Any:
    return json.loads(text)


@dataclass
class PgType:
    oid: int
    name: str
    typtype: str
    category: str
    element: int
    base: int
    base_typmod: int
    not_null: bool
    display: str
    labels: list[str] | None
    attributes: list[tuple[str, int, int]] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Any) -> PgType:
        attributes = json.loads(row["attributes"]) if row["attributes"] else []
        return cls(
            row["oid"],
            row["typname"],
            row["typtype"],
            row["category"],
            row["typelem"],
            row["typbasetype"],
            row["typtypmod"],
            row["typnotnull"],
            row["display"],
            list(row["labels"]) if row["labels"] else None,
            [tuple(a) for a in attributes],
        )


_BASE: dict[str, pa.DataType] = {
    "int2": pa.int16(),
    "int4": pa.int32(),
    "int8": pa.int64(),
    "float4": pa.float32(),
    "float8": pa.float64(),
    "money": pa.decimal128(19, 2),
    "bool": pa.bool_(),
    "text": pa.string(),
    "varchar": pa.string(),
    "bpchar": pa.string(),
    "char": pa.string(),
    "name": pa.string(),
    "citext": pa.string(),
    "bytea": pa.binary(),
    "date": pa.date32(),
    "time": pa.time64("us"),
    "timetz": TimeTzType(),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "interval": pa.month_day_nano_interval(),
    "uuid": pa.uuid(),
    "json": pa.json_(),
    "jsonb": pa.json_(),
    "oid": pa.uint32(),
}


def arrow_type(
    oid: int, typmod: int, dims: int, types: dict[int, PgType]
) -> tuple[pa.DataType, dict[str, str], bool]:
    """The Arrow type of a column or attribute, its metadata, and whether its domain forbids null."""
    t = types[oid]
    if t.category == "A" and t.element:
        item, meta, _ = arrow_type(t.element, typmod, 0, types)
        dtype: pa.DataType = item
        for _ in range(max(dims, 1)):
            dtype = pa.list_(dtype)
        return dtype, meta, False
    if t.typtype == "d":
        dtype, meta, not_null = arrow_type(t.base, t.base_typmod, dims, types)
        return dtype, {**meta, "pg.domain": t.display}, t.not_null or not_null
    if t.typtype == "e":
        return pa.string(), {"pg.enum": json.dumps(t.labels or []), "pg.type": t.display}, False
    if t.typtype == "c":
        children = []
        for name, child_oid, child_typmod in t.attributes:
            child, meta, _ = arrow_type(child_oid, child_typmod, 0, types)
            children.append(pa.field(name, child, metadata=meta or None))
        return pa.struct(children), {"pg.type": t.display}, False
    if t.name == "numeric":
        return _numeric(typmod), {}, False
    if t.name in _BASE:
        return _BASE[t.name], {}, False
    return pa.string(), {"pg.type": t.display}, False


def _numeric(typmod: int) -> pa.DataType:
    if typmod < 4:
        return pa.float64()
    precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    return (
        pa.decimal128(precision, scale)
        if 0 < precision <= 38 and scale <= precision
        else pa.float64()
    )


def is_json(dtype: pa.DataType) -> bool:
    return isinstance(dtype, pa.JsonType)


_LITERAL = re.compile(r"'((?:[^']|'')*)'::[\w .\"]+|(-?\d+(?:\.\d+)?)|(true|false)")


def column_default(column: Mapping[str, Any], dtype: pa.DataType) -> tuple[Any, str | None]:
    """A column's default as a schema default (a constant of its type), or else what the
    database generates for it (``nextval(...)``, ``now()``, an identity, a generated
    column), in words for ``pg.default``."""
    if column["identity"]:
        how = "always" if column["identity"] == "a" else "by default"
        return NO_DEFAULT, f"generated {how} as identity"
    text = column["default_text"]
    if text is None:
        return NO_DEFAULT, None
    if column["generated"]:
        return NO_DEFAULT, f"generated always as ({text}) stored"
    literal = _LITERAL.fullmatch(text)
    if literal is None or isinstance(dtype, pa.BaseExtensionType) or pa.types.is_nested(dtype):
        return NO_DEFAULT, text
    quoted, number, boolean = literal.groups()
    try:
        if boolean:
            value: Any = boolean == "true"
        elif number:
            value = json.loads(number)
        elif pa.types.is_string(dtype) or pa.types.is_temporal(dtype):
            value = quoted.replace("''", "'")  # a date or time default is its text
        else:
            value = json.loads(quoted)  # PostgreSQL writes -1 as '-1'::integer
        check_default(value, dtype, column["attname"])
    except (ValueError, SchemacatError):
        return NO_DEFAULT, text
    return value, None
