"""Compatibility of schema versions: Avro's resolution rules, carried over to Arrow types.

A *reader* schema can read data written with a *writer* schema when:

* **Records** (structs, and the stream itself): every reader field finds a
  writer field of the same name (case-insensitive) or of one of its aliases,
  or has a default.  Writer fields the reader lacks are ignored.  Named types
  (records, enums, fixed carrying ``avro.name``) must agree on their
  unqualified name, or the reader must list the writer's name as an alias.
* **Nullability**: a NOT NULL reader cannot read a nullable writer field.
* **Promotions** (Avro): int -> long -> float -> double, int8/int16 -> wider
  ints, unsigned -> wider unsigned or strictly wider signed ints, any int ->
  float/double; string <-> bytes.  Nothing narrows.
* **Enums**: every writer symbol is a reader symbol, unless the reader enum has
  a default symbol.
* **Unions**: every writer branch resolves to some reader branch; a writer that
  is not a union must resolve to one of the reader's branches.
* **Fixed**: sizes match.  **Decimals**: the reader holds every writer value,
  that is the same scale and at least the precision (Avro demands equality;
  widening the precision is safe in every encoding, changing the scale is not,
  because Avro and Parquet store the unscaled integer).
* Lists, maps and structs recursively; list sizes (``T[n]``) must match.

Where Arrow goes beyond Avro the rule is "the reader can represent every value
the writer can produce, without loss":

* timestamps, times and durations: a finer unit reads a coarser one (ms -> us);
  a time zone cannot be added or removed (naive and zoned instants differ),
  but one zone reads another (Arrow stores UTC);
* large and view types equal their plain twins; ``T[]`` reads ``T[n]``;
  BLOB reads fixed-size binary; an int reads into a DECIMAL with enough
  integer digits; JSON reads anything; VARCHAR reads UUID, JSON and ENUM;
  INTERVAL reads any duration; a NULL-typed writer is read by any nullable reader.

With ``avro_binary=True`` (the data is Avro binary, decoded with the reader's
schema) those conversions that Avro's decoder would misread are refused:
units must match, and ENUM, fixed and other non-string writers do not turn
into strings or bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pyarrow as pa

from catalog.field import arrow_field_aliases, arrow_field_has_default
from catalog.modes import normalize_mode
from catalog.schema import Schema
from catalog.typerules import category, describe, representable
from catalog.visit import LIST, MAP, STRUCT, UNION, children, kind, partners


@dataclass(frozen=True)
class Issue:
    """One reason a change is incompatible."""

    path: str  # customer.address.zip, items[].qty, tags{} (map values)
    kind: str  # a stable code, e.g. FIELD_ADDED_WITHOUT_DEFAULT
    message: str
    hint: str | None = None
    version: int | None = None  # the earlier version this issue is against
    direction: str = "backward"  # backward: new reads old data; forward: old reads new data


@dataclass(frozen=True)
class CompatibilityResult:
    mode: str
    issues: tuple[Issue, ...]
    checked: tuple[int, ...]  # the earlier versions compared with

    @property
    def compatible(self) -> bool:
        return not self.issues


def check_compatibility(
    new: Schema,
    old: Schema | Sequence[Schema],
    mode: str = "BACKWARD",
    *,
    versions: Sequence[int] | None = None,
    labels: Sequence[str] | None = None,
    new_label: str = "the new schema",
    avro_binary: bool = False,
) -> CompatibilityResult:
    """Whether ``new`` may follow ``old`` (a schema, or every earlier one, oldest first).

    BACKWARD: a reader with ``new`` reads data written with the latest old schema;
    FORWARD: a reader with the latest old schema reads data written with ``new``;
    FULL: both; the ``_TRANSITIVE`` modes check against every earlier schema.
    ``versions`` numbers the earlier schemas in issues (default 1, 2, ...);
    ``labels`` names them in messages (default "version N"), ``new_label`` the new one.
    """
    mode = normalize_mode(mode)
    history = [old] if isinstance(old, Schema) else list(old)
    numbers = list(versions) if versions is not None else list(range(1, len(history) + 1))
    names = list(labels) if labels is not None else [f"version {n}" for n in numbers]
    if not len(numbers) == len(names) == len(history):
        raise ValueError("versions and labels must name every earlier schema")
    if mode == "NONE" or not history:
        return CompatibilityResult(mode, (), ())
    pairs = list(zip(numbers, names, history, strict=True))
    if not transitive(mode):
        pairs = pairs[-1:]
    issues: list[Issue] = []
    clear: set[tuple[Any, ...]] = set()  # earlier schemas alike to the rules, found compatible
    for number, name, earlier in pairs:
        alike = _index(earlier).key
        if alike is not None and alike in clear:
            continue
        found: list[Issue] = []
        if mode.startswith(("BACKWARD", "FULL")):
            resolver = _Resolver(number, name, "backward", avro_binary, new_label)
            found += resolver.schemas(new, earlier)
        if mode.startswith(("FORWARD", "FULL")):
            resolver = _Resolver(number, name, "forward", avro_binary, new_label)
            found += resolver.schemas(earlier, new)
        if not found and alike is not None:
            clear.add(alike)
        issues += found
    return CompatibilityResult(mode, tuple(issues), tuple(n for n, _, _ in pairs))


def transitive(mode: str) -> bool:
    """Whether ``mode`` checks a new version against every earlier one, not the latest."""
    return mode.endswith("_TRANSITIVE")


def avro_binary(data_format: str | None) -> bool:
    """Whether data of this format is Avro binary, decoded with the reader's schema (the
    stricter rules of ``avro_binary=True`` then apply)."""
    return data_format == "avro"


def history(
    schemas: Sequence[Schema],
    versions: Sequence[int],
    mode: str,
    *,
    avro_binary: bool = False,
) -> list[CompatibilityResult]:
    """Each schema checked against those before it, as ``mode`` says (the first against
    none): what SHOW SCHEMA COMPATIBILITY shows.  Under a transitive mode, the versions
    that ``_settled_in_turn`` clears are not compared pair by pair."""
    mode = normalize_mode(mode)
    settled = _settled_in_turn(schemas, mode) if transitive(mode) else [False] * len(schemas)
    return [
        CompatibilityResult(mode, (), tuple(versions[:i]))
        if clear
        else check_compatibility(
            schema,
            schemas[:i],
            mode,
            versions=versions[:i],
            new_label=f"version {versions[i]}",
            avro_binary=avro_binary,
        )
        for i, (schema, clear) in enumerate(zip(schemas, settled, strict=True))
    ]


def _settled_in_turn(schemas: Sequence[Schema], mode: str) -> list[bool]:
    """For each schema, whether the quick path clears it against every one before it
    (as ``_plainly_readable`` would, pair by pair), from the summary of the ones before
    it: a flat history of N schemas of W columns costs N x W, not N x N x W; a schema
    this cannot clear is checked pair by pair."""
    summary, out = HistorySummary(), []
    for schema in schemas:
        out.append(summary.clears(schema, mode))
        summary.add(schema)
    return out


#: a flat column as the quick path reads it: its type (``str`` of a flat Arrow type
#: names all of it: unit, zone, precision, width), nullable, Avro name
_Signature = tuple[str, bool, str | None]


@dataclass
class _Column:
    """A column across a history: the signatures it had, in how many schemas it was,
    whether one of them lacked a default."""

    signatures: set[_Signature]
    count: int = 0
    no_default: bool = False


class _View(NamedTuple):
    """A schema as a history summary reads it, made once per schema."""

    flat: bool
    name: str | None  # the short record name
    columns: dict[str, _Signature]  # lower-case name -> signature (empty if not flat)
    defaults: frozenset[str]  # the lower-case names of the columns with a default


def _view(schema: Schema) -> _View:
    return schema.memo("history", _make_view)


def _make_view(schema: Schema) -> _View:
    index = _index(schema)
    columns = {name: _signature(f) for name, f in index.by_name.items()} if index.flat else {}
    short = _short(schema.name) if schema.name else None
    return _View(index.flat, short, columns, index.defaults)


_SIGNATURES: dict[_Signature, _Signature] = {}


def _signature(f: pa.Field) -> _Signature:
    """One object per signature, so that the views of a long history share them (the
    table starts again past 65,536 signatures)."""
    avro_name = (f.metadata or {}).get(_AVRO_NAME)
    signature = (str(f.type), f.nullable, None if avro_name is None else avro_name.decode())
    if len(_SIGNATURES) > 65_536:
        _SIGNATURES.clear()
    return _SIGNATURES.setdefault(signature, signature)


class HistorySummary:
    """What the quick path of a transitive check reads of a history, kept per column: for
    each, the signatures it had, in how many schemas it was, whether one lacked a default;
    and the record names.  ``clears`` says, in O(width), whether the quick path clears a
    new schema against every schema summarised; ``add`` takes one more in.  A history
    with a schema that is not flat clears nothing, so its columns are not kept."""

    #: of the JSON, and of what it keeps (a release that keeps other things, or reads
    #: them otherwise, takes the next); a summary of another format is not read
    FORMAT = 1

    def __init__(self) -> None:
        self.count = 0  # the schemas summarised
        self.flat = True  # whether each of them is
        self.names: set[str] = set()
        self.columns: dict[str, _Column] = {}

    @classmethod
    def build(cls, schemas: Iterable[Schema]) -> HistorySummary:
        summary = cls()
        for schema in schemas:
            summary.add(schema)
        return summary

    def add(self, schema: Schema) -> None:
        """Take one more schema in."""
        view = _view(schema)
        self.count += 1
        self.flat = self.flat and view.flat
        if not self.flat:
            self.names.clear()
            self.columns.clear()
            return
        for name, signature in view.columns.items():
            column = self.columns.setdefault(name, _Column(set()))
            column.signatures.add(signature)
            column.count += 1
            column.no_default = column.no_default or name not in view.defaults
        if view.name is not None:
            self.names.add(view.name)

    def clears(self, new: Schema, mode: str) -> bool:
        """Whether ``_plainly_readable`` finds ``new`` and every schema summarised
        compatible, in the directions ``mode`` checks: then so does ``check_compatibility``."""
        view = _view(new)
        if not (self.flat and view.flat):
            return False
        if view.name is not None and not self.names <= {view.name}:
            return False
        if mode.startswith(("BACKWARD", "FULL")) and not self._read_by(view):
            return False
        return not mode.startswith(("FORWARD", "FULL")) or self._read(view)

    def _read_by(self, view: _View) -> bool:
        """Whether a reader with ``view`` reads each schema summarised: each of its
        columns had its signature wherever it was, and was in all of them or has a default."""
        for name, signature in view.columns.items():
            column = self.columns.get(name)
            signatures, count = (column.signatures, column.count) if column else ({signature}, 0)
            if signatures != {signature} or (count != self.count and name not in view.defaults):
                return False
        return True

    def _read(self, view: _View) -> bool:
        """Whether a reader with each schema summarised reads ``view``."""
        return all(
            column.signatures == {view.columns[name]}
            if name in view.columns
            else not column.no_default
            for name, column in self.columns.items()
        )

    def to_json(self) -> str:
        columns = {
            name: [c.count, c.no_default, sorted(c.signatures, key=str)]
            for name, c in self.columns.items()
        }
        return json.dumps(
            {
                "format": self.FORMAT,
                "count": self.count,
                "flat": self.flat,
                "names": sorted(self.names),
                "columns": columns,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> HistorySummary | None:
        """The summary ``to_json`` wrote; None for any other text (another format)."""
        try:
            data = json.loads(text)
            if data["format"] != cls.FORMAT:
                return None
            summary = cls()
            summary.count, summary.flat = int(data["count"]), bool(data["flat"])
            summary.names = {str(n) for n in data["names"]}
            summary.columns = {
                str(name): _Column({(str(t), bool(n), a) for t, n, a in sigs}, int(c), bool(d))
                for name, (c, d, sigs) in data["columns"].items()
            }
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return summary


def can_read(reader: Schema, writer: Schema, *, avro_binary: bool = False) -> list[Issue]:
    """The issues a reader with ``reader`` meets on data written with ``writer``."""
    return _Resolver(None, "the writer's schema", "backward", avro_binary).schemas(reader, writer)


class _Resolver:
    """Compares one reader with one writer and collects the issues."""

    def __init__(
        self,
        version: int | None,
        earlier: str,
        direction: str,
        avro_binary: bool,
        new_label: str = "the new schema",
    ) -> None:
        self.version = version
        self.earlier = earlier
        self.direction = direction
        self.avro_binary = avro_binary
        new = new_label
        self.reader_name, self.writer_name = (
            (new, earlier) if direction == "backward" else (earlier, new)
        )
        self.issues: list[Issue] = []

    def issue(self, path: str, kind: str, message: str, hint: str | None = None) -> None:
        self.issues.append(Issue(path, kind, message, hint, self.version, self.direction))

    def schemas(self, reader: Schema, writer: Schema) -> list[Issue]:
        if _plainly_readable(reader, writer):
            return self.issues
        return self.walk(reader, writer)

    def walk(self, reader: Schema, writer: Schema) -> list[Issue]:
        """Every issue, found by walking both schemas."""
        if reader.name and writer.name:
            self.names("", reader.name, writer.name, ())
        self.fields(list(reader.to_arrow()), list(writer.to_arrow()), "")
        return self.issues

    # -- records -------------------------------------------------------------------
    def fields(self, reader: Sequence[pa.Field], writer: Sequence[pa.Field], prefix: str) -> None:
        """Each reader field against the writer's of its name or alias; writer fields the
        reader lacks are ignored."""
        for wf, rf in partners(writer, reader, arrow_field_aliases):
            if rf is None:
                continue
            path = f"{prefix}{rf.name}"
            if wf is None:
                self.missing(rf, path)
            elif not (rf.equals(wf, check_metadata=True) or _same_to_read(rf, wf)):
                self.field(rf, wf, path)

    def missing(self, rf: pa.Field, path: str) -> None:
        if arrow_field_has_default(rf):
            return
        if self.direction == "backward":
            self.issue(
                path,
                "FIELD_ADDED_WITHOUT_DEFAULT",
                f"column {path} was added without a default, so {self.reader_name} cannot "
                f"read records written with {self.writer_name}",
                "give the new column a DEFAULT (a nullable column may use DEFAULT NULL)",
            )
        else:
            self.issue(
                path,
                "FIELD_REMOVED_WITHOUT_DEFAULT",
                f"column {path} was removed, but readers using {self.reader_name} need it "
                "and it has no default there",
                "keep the column, or first give it a DEFAULT in a version of its own",
            )

    def field(self, rf: pa.Field, wf: pa.Field, path: str) -> None:
        if not rf.nullable and (wf.nullable or pa.types.is_null(wf.type)):
            self.issue(
                path,
                "NULLABILITY_TIGHTENED",
                f"{path} is NOT NULL in {self.reader_name} but may be null in data written "
                f"with {self.writer_name}",
                "keep the column nullable",
            )
        if pa.types.is_null(wf.type):
            return  # its only value is null: nullability said it all
        self.types(rf.type, wf.type, _meta(rf), _meta(wf), path)

    def names(self, path: str, reader: str, writer: str, aliases: Sequence[str]) -> None:
        short = writer.rsplit(".", 1)[-1]
        if reader.rsplit(".", 1)[-1] == short or writer in aliases or short in aliases:
            return
        where = path or "the record"
        self.issue(
            path,
            "NAME_MISMATCH",
            f"{where} is named {reader} in {self.reader_name} but {writer} in {self.writer_name}",
            f"keep the name, or list {writer} among the type's aliases",
        )

    # -- types ---------------------------------------------------------------------
    def types(
        self,
        r: pa.DataType,
        w: pa.DataType,
        rmeta: dict[str, str],
        wmeta: dict[str, str],
        path: str,
    ) -> None:
        if kind(w) == UNION:
            self.writer_union(r, w, rmeta, path)
            return
        if kind(r) == UNION:
            self.reader_union(r, w, wmeta, path)
            return
        if "avro.name" in rmeta and "avro.name" in wmeta:
            self.names(
                path, rmeta["avro.name"], wmeta["avro.name"], _json_list(rmeta, "avro.aliases")
            )
        shape = kind(r)
        if shape == kind(w) == STRUCT:
            self.fields(children(r), children(w), f"{path}.")
        elif shape == kind(w) == MAP:
            self.field(r.key_field, w.key_field, f"{path}{{key}}")
            self.field(r.item_field, w.item_field, f"{path}{{}}")
        elif shape == kind(w) == LIST:
            self.lists(r, w, path)
        elif category(r) == category(w) == "enum":
            self.enums(r, w, path)
        else:
            verdict = representable(r, w, avro_binary=self.avro_binary)
            if verdict is not None:
                issue_kind, reason = verdict
                self.issue(
                    path,
                    issue_kind,
                    f"{path} is {describe(r)} in {self.reader_name} but {describe(w)} in "
                    f"{self.writer_name}: {reason}",
                    _TYPE_HINTS.get(issue_kind),
                )

    def lists(self, r: pa.DataType, w: pa.DataType, path: str) -> None:
        r_size = r.list_size if pa.types.is_fixed_size_list(r) else None
        w_size = w.list_size if pa.types.is_fixed_size_list(w) else None
        if r_size is not None and r_size != w_size:
            found = f"{w_size} elements" if w_size is not None else "any number of elements"
            self.issue(
                path,
                "FIXED_SIZE_MISMATCH" if w_size is not None else "TYPE_NARROWED",
                f"{path} holds exactly {r_size} elements in {self.reader_name} but {found} "
                f"in {self.writer_name}",
                "use a variable-length list (T[]) in the reader",
            )
            return
        self.field(r.value_field, w.value_field, f"{path}[]")

    def enums(self, r: pa.DataType, w: pa.DataType, path: str) -> None:
        missing = [s for s in w.symbols if s not in r.symbols]
        if missing and r.default is None:
            self.issue(
                path,
                "ENUM_SYMBOL_REMOVED",
                f"{path} in {self.reader_name} lacks the symbol{'s' * (len(missing) > 1)} "
                f"{', '.join(missing)} that {self.writer_name} can write",
                "keep every symbol, or give the enum a default symbol",
            )

    def writer_union(
        self, r: pa.DataType, w: pa.DataType, rmeta: dict[str, str], path: str
    ) -> None:
        for branch in children(w):
            label = f"{path}<{branch.name}>"
            if kind(r) == UNION:
                if not any(self.quietly(member, branch) for member in children(r)):
                    self.issue(
                        label,
                        "UNION_BRANCH_MISSING",
                        f"{label}: the union in {self.reader_name} has no branch that reads the "
                        f"{describe(branch.type)} values {self.writer_name} can write",
                        "keep every branch of the union (adding branches is safe)",
                    )
            else:
                self.types(r, branch.type, rmeta, _meta(branch), label)

    def reader_union(
        self, r: pa.DataType, w: pa.DataType, wmeta: dict[str, str], path: str
    ) -> None:
        probe = pa.field("w", w, metadata=_bytes_meta(wmeta))
        if not any(self.quietly(member, probe) for member in children(r)):
            self.issue(
                path,
                "UNION_BRANCH_MISSING",
                f"{path} is a union in {self.reader_name} with no branch that reads "
                f"{describe(w)}, its type in {self.writer_name}",
                f"add a {describe(w)} branch to the union",
            )

    def quietly(self, reader_branch: pa.Field, writer_branch: pa.Field) -> bool:
        """Whether one union branch reads another, without recording issues."""
        probe = _Resolver(self.version, self.earlier, self.direction, self.avro_binary)
        probe.types(
            reader_branch.type, writer_branch.type, _meta(reader_branch), _meta(writer_branch), ""
        )
        return not probe.issues


_TYPE_HINTS = {
    "TYPE_NARROWED": "widen instead (e.g. INTEGER to BIGINT), or use compatibility NONE",
    "TYPE_CHANGED": "add a new column with the new type instead of changing this one",
    "DECIMAL_MISMATCH": "keep the scale; the precision may only grow",
    "FIXED_SIZE_MISMATCH": "keep the size",
}


class _Index(NamedTuple):
    """A schema as the quick path reads it, made once per schema."""

    by_name: dict[str, pa.Field]  # lower-case name -> field
    fields: list[tuple[pa.Field, tuple[str, ...], bool]]  # field, lower-case names, default
    flat: bool  # no column with aliases or a nested type: the signatures say it all
    signatures: frozenset[tuple[Any, ...]]  # (lower-case name, type, nullable, Avro name)
    names: frozenset[str]  # the lower-case names of the columns
    defaults: frozenset[str]  # the lower-case names of the columns with a default
    #: for a flat schema, all the rules read of it: flat schemas with one key are alike
    #: (they differ at most in default values and comments), None for others
    key: tuple[Any, ...] | None


def _index(schema: Schema) -> _Index:
    return schema.memo("compat", _make_index)


def _make_index(schema: Schema) -> _Index:
    arrow = list(schema.to_arrow())
    fields = [
        (f, tuple(n.lower() for n in (f.name, *arrow_field_aliases(f))),
         arrow_field_has_default(f))
        for f in arrow
    ]  # fmt: skip
    flat = all(len(names) == 1 and _flat(f.type) for f, names, _ in fields)
    signatures = frozenset(
        (f.name.lower(), f.type, f.nullable, (f.metadata or {}).get(_AVRO_NAME)) for f in arrow
    )
    defaults = frozenset(names[0] for _, names, has_default in fields if has_default)
    name = _short(schema.name) if schema.name else None
    by_name = {f.name.lower(): f for f in arrow}
    return _Index(
        by_name,
        fields,
        flat,
        signatures,
        frozenset(by_name),
        defaults,
        _interned((name, signatures, defaults)) if flat else None,
    )


_KEYS: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _interned(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """One object per key, so that a long history finds its keys by identity, not by
    comparing their sets (the table starts again past 65,536 keys: ids then differ,
    verdicts do not)."""
    if len(_KEYS) > 65_536:
        _KEYS.clear()
    return _KEYS.setdefault(key, key)


def _plainly_readable(reader: Schema, writer: Schema) -> bool:
    """Whether ``reader`` reads ``writer`` with no issue at all, seen without walking the
    types: each reader column is the writer's of its name (or alias) with the same flat
    type, nullability and Avro name, or is missing there and has a default.  A check
    against a long history settles most pairs so (as set operations when both schemas
    are flat); False means: walk and explain."""
    if reader.name and writer.name and _short(reader.name) != _short(writer.name):
        return False
    r, w = _index(reader), _index(writer)
    if r.flat and w.flat:  # in set operations: the columns that differ are just those
        absent = r.names - w.names  # the writer lacks, and each of these has a default
        return len(r.signatures - w.signatures) == len(absent) and absent <= r.defaults
    for field, names, has_default in r.fields:
        match = next((w.by_name[n] for n in names if n in w.by_name), None)
        if match is None:
            if not has_default:
                return False
        elif not (field.equals(match, check_metadata=True) or _same_to_read(field, match)):
            return False
    return True


def _flat(t: pa.DataType) -> bool:
    return not (pa.types.is_nested(t) or isinstance(t, pa.ExtensionType))


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _same_to_read(rf: pa.Field, wf: pa.Field) -> bool:
    """Whether two fields differ at most in what no rule reads (a default's value, a
    comment): the same flat type, nullability and Avro name.  The common case of a long
    history, settled without walking the types."""
    if rf.nullable != wf.nullable or not rf.type.equals(wf.type) or not _flat(rf.type):
        return False
    rmeta, wmeta = rf.metadata or {}, wf.metadata or {}
    return rmeta.get(_AVRO_NAME) == wmeta.get(_AVRO_NAME)


_AVRO_NAME = b"avro.name"


def _meta(f: pa.Field) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}


def _bytes_meta(meta: dict[str, str]) -> dict[bytes, bytes] | None:
    return {k.encode(): v.encode() for k, v in meta.items()} or None


def _json_list(meta: dict[str, str], key: str) -> list[str]:
    return list(json.loads(meta[key])) if key in meta else []
