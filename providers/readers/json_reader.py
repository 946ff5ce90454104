"""JSON sampling: newline-delimited JSON, JSON arrays, and concatenated or pretty documents.

The fast path hands the sampled lines to pyarrow's JSON reader (C++, several
threads) and refines its types; if pyarrow cannot read them (types that
conflict, malformed lines, objects that are really maps) the records are parsed
one by one and inferred value by value, which counts malformed records instead
of failing.  ``bench/json_inference.py`` measures both against DuckDB.

A malformed line is counted whichever line it is, the first too; only a sample
in which every record is malformed is an error.  A record nested deeper than
Python's parser follows (about 1,000 levels) is malformed.  Hostile input costs
what its bytes do: pyarrow, whose cost grows with rows times distinct keys (and
with the square of one object's keys), and which crashes on nesting some
thousands deep, only infers from leading lines of few keys and brackets (see
``read_raw``); other samples go value by value.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.json as pa_json

from catalog.errors import EmptySource, MalformedSource
from catalog.infer import Inference, infer_records, infer_table
from catalog.infer.arrow import arrow_shaped
from catalog.visit import transform

_DECODER = json.JSONDecoder()
PROBE_BYTES = 16 << 10
PROBE_MAX_MARKS = 4096  # keys and arrays in the leading lines pyarrow infers from
MAX_DOCUMENT = 64 << 20  # as DuckDB's read_json, which stops at 16 MB by default
_WHITESPACE = " \t\r\n"
_TOO_DEEP = "nested too deeply to read"
MAX_DEPTH = 500  # levels of a record kept when one is too deep to write back as JSON


def infer_json(
    data: bytes, complete: bool, sample_size: int, name: str, newlines: int | None = None
) -> Inference:
    """Infer from the leading bytes of a JSON source (``complete`` if that is all of it;
    ``newlines``: how many it holds, if the reader counted them)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    start = len(data) - len(data.lstrip())
    if start == len(data):
        raise EmptySource(f"{name} is empty", hint="point at a file or object with JSON records")
    first_line = data[start : (data.find(b"\n", start) + 1 or len(data))]
    if data[start : start + 1] == b"[":
        records, malformed, first_error = _values(data, start, sample_size, complete)
    else:
        body = _cut(data, sample_size, complete, newlines)
        fast = _with_pyarrow(body)  # it reads lines of JSON, and nothing else
        if fast is not None:
            return fast
        if _is_json(first_line):
            records, malformed, first_error = _records(body)
        else:  # documents spanning lines, or lines of JSON whose first is malformed
            records, malformed, first_error = _values(data, start, sample_size, complete)
            if malformed and not records:
                lines = _records(body)
                if any(isinstance(record, dict) for record in lines[0]):
                    records, malformed, first_error = lines
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
    try:
        return infer_records(records, malformed=malformed)
    except RecursionError:  # a record Python could parse, but not write back as JSON text
        shallow = [record for record in records if _depth(record) <= MAX_DEPTH]
        if not shallow:
            raise MalformedSource(
                f"every record sampled from {name} is {_TOO_DEEP}",
                hint=f"schemacat reads records nested up to {MAX_DEPTH} levels",
            ) from None
        return infer_records(shallow, malformed=malformed + len(records) - len(shallow))


class ValueCutOff(MalformedSource):
    """The read ended inside the first value: a single document larger than the sample
    read; the caller reads again, up to MAX_DOCUMENT bytes."""


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def _cut(data: bytes, sample_size: int, complete: bool, newlines: int | None) -> bytes:
    """The first ``sample_size`` whole lines: their newlines found from the start, or, when
    fewer lines follow them, from the end (a find a line costs 30 ms on 100,000 lines, and
    a read holds few lines more than the sample)."""
    total = data.count(b"\n") if newlines is None else newlines
    if total < sample_size:
        return data if complete else data[: data.rfind(b"\n") + 1]
    if total - sample_size < sample_size:
        end = len(data)
        for _ in range(total - sample_size + 1):  # newline number total, ..., sample_size
            end = data.rfind(b"\n", 0, end)
    else:
        end = -1
        for _ in range(sample_size):
            end = data.find(b"\n", end + 1)
    return data[: end + 1]


def _with_pyarrow(body: bytes) -> Inference | None:
    """pyarrow's reader on whole lines; None if it cannot read them or only Python can type them."""
    raw = read_raw(body)
    return None if raw is None else infer_table(raw)


def read_raw(body: bytes) -> pa.Table | None:
    """The lines as pyarrow reads them, strings left as strings; None if it cannot, or
    should not (the value-by-value path reads them then).

    pyarrow infers a schema from the leading lines, if they hold few keys and arrays
    (``PROBE_MAX_MARKS``) and the schema is one the Arrow path can type (no map-like
    width, no deep nesting).  It then reads every line held to that schema, with
    timestamps as strings (pyarrow turns ISO strings into timestamps, losing whether
    they had a zone or were dates); a key or a type the leading lines did not show
    stops it, so what it builds is never wider or deeper than they are.
    """
    head = body[: body.find(b"\n", PROBE_BYTES) + 1 or len(body)]
    if head.count(b'":') + head.count(b"[") > PROBE_MAX_MARKS or not _utf8(body):
        return None  # pyarrow would keep bytes that are not UTF-8 in its strings
    block = max(len(head), 1 << 20)  # a block holds a line whole: the first may be huge
    try:
        probe = _read(head, None, block)
        if not arrow_shaped(probe.schema):
            return None
        schema = pa.schema(
            [f.with_type(transform(f.type, _string_for_timestamp)) for f in probe.schema]
        )
        if len(head) == len(body) and schema.equals(probe.schema):
            return probe  # the probe read it all
        return _read(body, schema, block)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _utf8(body: bytes) -> bool:
    if body.isascii():  # checked in C without building the text
        return True
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True


def _read(body: bytes, explicit: pa.Schema | None, block: int) -> pa.Table:
    """pyarrow's reader, on its thread pool only when there are several blocks to share
    out: one block is parsed by one thread anyway, and handing it over costs more than a
    small file's parse (a folder of small files pays it on every file)."""
    behavior = "infer" if explicit is None else "error"
    parse = pa_json.ParseOptions(explicit_schema=explicit, unexpected_field_behavior=behavior)
    read = pa_json.ReadOptions(block_size=block, use_threads=len(body) > block)
    return pa_json.read_json(pa.BufferReader(body), read_options=read, parse_options=parse)


def _string_for_timestamp(dtype: pa.DataType) -> pa.DataType:
    return pa.string() if pa.types.is_timestamp(dtype) else dtype


def _records(body: bytes) -> tuple[list[Any], int, str]:
    """One record a non-blank line; a line that is not JSON (or not UTF-8, or nested too
    deeply) is counted as malformed."""
    records: list[Any] = []
    malformed, first_error = 0, ""
    lines = (line for line in body.split(b"\n") if line.strip())
    for number, line in enumerate(lines, start=1):
        try:
            records.append(json.loads(line))
        except UnicodeDecodeError as exc:
            malformed += 1
            first_error = first_error or f"line {number}: invalid UTF-8 ({exc.reason})"
        except ValueError as exc:
            malformed += 1
            first_error = first_error or f"line {number}: {exc}"
        except RecursionError:
            malformed += 1
            first_error = first_error or f"line {number}: {_TOO_DEEP}"
    return records, malformed, first_error


def _values(
    data: bytes, start: int, sample_size: int, complete: bool
) -> tuple[list[Any], int, str]:
    """The elements of a top-level array, or whitespace-separated documents, one at a time.

    A value the read cut off is dropped; a malformed one ends the sample (there is
    no line to resynchronise on), counted as malformed.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if complete or exc.start < len(data) - 4:
            return [], 1, f"invalid UTF-8 at byte {exc.start}"
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
            if not complete and _ends_inside(exc, text):
                break  # the read ended inside this value
            return records, 1, str(exc)
        except RecursionError:
            return records, 1, f"the value at character {position}: {_TOO_DEEP}"
        records.append(value)
    return records, 0, ""


def _ends_inside(exc: json.JSONDecodeError, text: str) -> bool:
    """Whether the text ends inside the value in error (else the value is malformed): in a
    string that runs to the end, or within the last few characters (``fals``, ``1e``)."""
    return exc.msg.startswith("Unterminated string") or len(text.rstrip()) - exc.pos < 6


def _depth(value: Any) -> int:
    """How many levels a parsed value nests, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        inner = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in inner)
    return deepest
