"""JSON sampling: newline-delimited JSON, JSON arrays, and concatenated or pretty documents.

The fast path hands the sampled lines to pyarrow's JSON reader (C++, several
threads) and refines its types; if pyarrow cannot read them (types that
conflict, malformed lines, objects that are really maps) the records are parsed
one by one and inferred value by value, which counts malformed records instead
of failing.  ``bench/json_inference.py`` measures both against DuckDB.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.json as pa_json

from catalog.errors import EmptySource, MalformedSource
from catalog.infer import Inference, infer_records, infer_table

_DECODER = json.JSONDecoder()
PROBE_BYTES = 16 << 10
MAX_DOCUMENT = 64 << 20  # as DuckDB's read_json, which stops at 16 MB by default
_WHITESPACE = " \t\r\n"


def infer_json(data: bytes, complete: bool, sample_size: int, name: str) -> Inference:
    """Infer from the leading bytes of a JSON source (``complete`` if that is all of it)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    start = len(data) - len(data.lstrip())
    if start == len(data):
        raise EmptySource(f"{name} is empty", hint="point at a file or object with JSON records")
    first_line = data[start : (data.find(b"\n", start) + 1 or len(data))]
    if data[start : start + 1] == b"[" or not _is_json(first_line):
        # a JSON array, or documents spanning lines: parse value after value
        records, malformed, first_error = _values(data, start, sample_size, complete, name)
    else:
        body = _cut(data, sample_size, complete)
        fast = _with_pyarrow(body)
        if fast is not None:
            return fast
        records, malformed, first_error = _records([ln for ln in body.split(b"\n") if ln.strip()])
    if not records and not malformed:
        raise ValueCutOff(
            f"the first JSON value in {name} is larger than the {len(data)} bytes read",
            hint=f"schemacat reads a document of up to {MAX_DOCUMENT >> 20} MB; "
            "split larger ones into newline-delimited records",
        )
    if not records:
        raise MalformedSource(
            f"every record sampled from {name} is malformed ({malformed} of {malformed}); "
            f"the first: {first_error}",
            hint="check that the source holds JSON, or give format=csv or format=text",
        )
    return infer_records(records, malformed=malformed)


class ValueCutOff(MalformedSource):
    """The read ended inside the first value: a single document larger than the sample
    read; the caller reads again, up to MAX_DOCUMENT bytes."""


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _cut(data: bytes, sample_size: int, complete: bool) -> bytes:
    """The first ``sample_size`` whole lines."""
    if data.count(b"\n") < sample_size:
        return data if complete else data[: data.rfind(b"\n") + 1]
    end = -1
    for _ in range(sample_size):
        end = data.find(b"\n", end + 1)
    return data[: end + 1]


def _with_pyarrow(body: bytes) -> Inference | None:
    """pyarrow's reader on whole lines; None if it cannot read them or only Python can type them."""
    raw = read_raw(body)
    return None if raw is None else infer_table(raw)


def read_raw(body: bytes) -> pa.Table | None:
    """The lines as pyarrow reads them, strings left as strings; None if it cannot.

    pyarrow turns ISO strings into timestamps, losing whether they had a zone or
    were dates.  A first read of the leading lines finds those columns; the full
    read is told they are strings (and infers the rest), which is one full read
    instead of two.
    """
    try:
        head = body[: body.find(b"\n", PROBE_BYTES) + 1 or len(body)]
        probed = _read(head, None)
        probe = probed.schema
        strings = [
            f.with_type(_strings_for_timestamps(f.type)) for f in probe if _has_timestamp(f.type)
        ]
        if not strings and len(head) == len(body):
            return probed  # the probe read it all
        raw = _read(body, pa.schema(strings) if strings else None)
        if any(_has_timestamp(f.type) for f in raw.schema):  # first seen after the probe
            everything = [f.with_type(_strings_for_timestamps(f.type)) for f in raw.schema]
            raw = _read(body, pa.schema(everything))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return _ordered_like(raw, probe) if strings else raw


def _read(body: bytes, explicit: pa.Schema | None) -> pa.Table:
    parse = pa_json.ParseOptions(explicit_schema=explicit, unexpected_field_behavior="infer")
    return pa_json.read_json(io.BytesIO(body), parse_options=parse)


def _has_timestamp(dtype: pa.DataType) -> bool:
    if pa.types.is_timestamp(dtype):
        return True
    if pa.types.is_struct(dtype):
        return any(_has_timestamp(f.type) for f in dtype)
    if pa.types.is_list(dtype):
        return _has_timestamp(dtype.value_type)
    return False


def _strings_for_timestamps(dtype: pa.DataType) -> pa.DataType:
    """The part of ``dtype`` that holds timestamps, with strings in their place."""
    if pa.types.is_timestamp(dtype):
        return pa.string()
    if pa.types.is_struct(dtype):
        return pa.struct(
            [f.with_type(_strings_for_timestamps(f.type)) for f in dtype if _has_timestamp(f.type)]
        )
    if pa.types.is_list(dtype):
        return pa.list_(_strings_for_timestamps(dtype.value_type))
    return dtype


def _ordered_like(table: pa.Table, like: pa.Schema) -> pa.Table:
    """Columns and struct fields in the order of ``like`` (the order first seen), then the rest;
    pyarrow puts the fields it was told about first."""
    rank = {f.name: i for i, f in enumerate(like)}
    order = sorted(
        range(table.num_columns), key=lambda i: rank.get(table.field(i).name, len(rank) + i)
    )
    return pa.table(
        {
            table.field(i).name: _ordered_array(
                table.column(i), _like_type(like, table.field(i).name)
            )
            for i in order
        }
    )


def _like_type(like: pa.Schema | pa.DataType, name: str) -> pa.DataType | None:
    index = like.get_field_index(name)
    return like.field(index).type if index >= 0 else None


def _ordered_array(array: Any, like: pa.DataType | None) -> Any:
    if like is None:
        return array
    if isinstance(array, pa.ChunkedArray):
        return pa.chunked_array([_ordered_array(c, like) for c in array.chunks])
    dtype = array.type
    if pa.types.is_struct(dtype) and pa.types.is_struct(like):
        rank = {f.name: i for i, f in enumerate(like)}
        fields = sorted(
            range(dtype.num_fields), key=lambda i: rank.get(dtype.field(i).name, len(rank) + i)
        )
        children = array.flatten()
        return pa.StructArray.from_arrays(
            [_ordered_array(children[i], _like_type(like, dtype.field(i).name)) for i in fields],
            fields=[dtype.field(i) for i in fields],
            mask=array.is_null() if array.null_count else None,
        )
    if pa.types.is_list(dtype) and pa.types.is_list(like):
        values = _ordered_array(array.values, like.value_type)
        return pa.ListArray.from_arrays(
            array.offsets, values, mask=array.is_null() if array.null_count else None
        )
    return array


def _records(lines: list[bytes]) -> tuple[list[Any], int, str]:
    """One record a line; a line that is not JSON (or not UTF-8) is counted as malformed."""
    records: list[Any] = []
    malformed, first_error = 0, ""
    for number, line in enumerate(lines, start=1):
        try:
            records.append(json.loads(line))
        except UnicodeDecodeError as exc:
            malformed += 1
            first_error = first_error or f"line {number}: invalid UTF-8 ({exc.reason})"
        except ValueError as exc:
            malformed += 1
            first_error = first_error or f"line {number}: {exc}"
    return records, malformed, first_error


def _values(
    data: bytes, start: int, sample_size: int, complete: bool, name: str
) -> tuple[list[Any], int, str]:
    """The elements of a top-level array, or whitespace-separated documents, one at a time.

    A value the read cut off is dropped; a malformed one ends the sample (there is
    no line to resynchronise on), counted as malformed.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if complete or exc.start < len(data) - 4:
            raise MalformedSource(f"{name} is not UTF-8 at byte {exc.start}") from None
        text = data[: exc.start].decode("utf-8")  # the read cut a character in two
    in_array = text[start] == "["
    position = start + 1 if in_array else start
    separators = _WHITESPACE + ("," if in_array else "")
    records: list[Any] = []
    while len(records) < sample_size:
        while position < len(text) and text[position] in separators:
            position += 1
        if position >= len(text) or (in_array and text[position] == "]"):
            break
        try:
            value, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            if complete:
                return records, 1, str(exc)
            break  # the read ended inside this value
        records.append(value)
    return records, 0, ""
