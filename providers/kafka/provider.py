"""Kafka topics: ``kafka://host:port[,host:port]/topic``; without a topic, the topics there are.

Sampling assigns partitions and seeks to computed offsets: no consumer group,
no committed offsets, nothing written to the cluster.  ``from=latest`` (the
default) takes the newest ``sample_size`` records, spread over the partitions
in proportion to how many each holds; ``from=earliest`` the oldest.  It stops
at the sample size or at the end of the data, and never waits for new
messages.  The value's format and schema, the key's (a ``key`` column marked
KEY) and the headers (a ``headers`` column, ``MAP(VARCHAR, BLOB)``, marked
HEADERS) are inferred separately; tombstones are counted, not inferred.
JSON in Confluent Schema Registry's framing is format ``json_sr``
(``providers.kafka.payloads``), its schema ids kept with the discovery.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from catalog.discovery import (
    COMMON_OPTIONS,
    CompletionScope,
    Deadline,
    Discovery,
    Options,
    Provider,
    SourceObject,
    reason,
)
from catalog.errors import (
    AccessDenied,
    BadOption,
    DiscoveryError,
    EmptySource,
    SourceNotFound,
    SourceUnreachable,
)
from catalog.field import HEADERS_ROLE, KEY_ROLE, ROLE, Field
from catalog.infer import Inference
from catalog.infer.stats import ColumnStats
from catalog.infer.typed import records_to_table
from catalog.progress import report
from catalog.secrets import redact
from catalog.uri import Location, locate
from providers.kafka.payloads import infer_payloads, unframe

SECURITY_OPTIONS = (
    "security_protocol",
    "sasl_mechanism",
    "sasl_plain_username",
    "sasl_plain_password",
    "ssl_cafile",
    "ssl_certfile",
    "ssl_keyfile",
)
SSL_FILES = {"ssl_cafile": "cafile", "ssl_certfile": "certfile", "ssl_keyfile": "keyfile"}
PASSWORD_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
PASSWORD_VARIABLE = "SCHEMACAT_KAFKA_SASL_PASSWORD"
POLL = 0.5  # seconds a fetch waits for records, at most


@dataclass(frozen=True)
class Message:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


class KafkaProvider(Provider):
    schemes = ("kafka",)
    options = (*COMMON_OPTIONS, "from", "key_format", *SECURITY_OPTIONS)

    async def discover(self, uri: str, options: Options) -> Discovery:
        messages, facts = await self._sample(uri, options)
        return await asyncio.to_thread(_discovery, uri, options, messages, facts)

    async def sample(self, uri: str, options: Options) -> pa.Table:
        messages, facts = await self._sample(uri, options)
        found = await asyncio.to_thread(_discovery, uri, options, messages, facts)
        if found.format == "csv":
            return await asyncio.to_thread(_value_table, messages, options, uri)
        return records_to_table(_rows(messages, found), found.to_arrow())

    async def check(self, uri: str, options: Options) -> None:
        async with _consumer(uri, options) as consumer:
            await consumer.topics()

    async def children(self, uri: str, options: Options) -> list[str] | None:
        async with _consumer(uri, options) as consumer:
            return sorted(t for t in await consumer.topics() if not t.startswith("__"))

    async def list_objects(self, uri: str, options: Options) -> list[SourceObject] | None:
        if _topic(uri):
            return None
        async with _consumer(uri, options) as consumer:
            return await _topics(consumer, options)

    def completion_scope(self, prefix: str) -> CompletionScope | None:
        broker, slash, _ = prefix.partition("://")[2].rpartition("/")
        if not slash:
            return None
        lookup = prefix[: prefix.index("://") + 3] + broker
        return CompletionScope(lookup, lookup + "/", "topic")

    def basis(self, facts: Mapping[str, Any]) -> list[str]:
        details = facts.get("details") or {}
        parts = super().basis(facts)
        for part in ("value", "key"):
            if details.get(f"{part}_schema_ids"):
                ids = ", ".join(map(str, details[f"{part}_schema_ids"]))
                parts.append(f"{part}s framed for Schema Registry ids {ids}")
        if details.get("offsets"):
            ranges = ", ".join(f"{p}: {a}-{b}" for p, (a, b) in details["offsets"].items())
            parts.append(f"partition offsets {ranges}")
        return parts

    async def _sample(self, uri: str, options: Options) -> tuple[list[Message], dict[str, Any]]:
        topic = _topic(uri)
        if not topic:
            raise DiscoveryError(
                f"{uri} names a broker, not a topic",
                hint="add the topic: kafka://host:port/topic (schemacat discover lists them)",
            )
        start = options.text("from", "latest")
        if start not in ("latest", "earliest"):
            raise BadOption(f"option from must be latest or earliest, not {start!r}")
        deadline = options.deadline()
        async with _consumer(uri, options, deadline) as consumer:
            try:
                return await asyncio.wait_for(
                    _fetch(consumer, uri, topic, start, options.sample_size, deadline=deadline),
                    deadline.left,
                )
            except TimeoutError:  # the offsets never came
                raise _silent(uri, topic, deadline, "the partitions' offsets") from None
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():  # Ctrl-C: cancelled, as asked
                    raise
                raise SourceUnreachable(  # aiokafka's own, when the broker went away
                    f"lost the connection to the Kafka broker at {locate(uri).netloc} while "
                    f"sampling {topic} ({deadline.took()})",
                    hint="check that the broker is up, then run it again",
                ) from None


def _topic(uri: str) -> str:
    return locate(uri).path.strip("/")


def _silent(uri: str, topic: str, deadline: Deadline, what: str) -> SourceUnreachable:
    return SourceUnreachable(
        f"the Kafka broker at {locate(uri).netloc} sent none of {what} of topic {topic} "
        f"within the timeout ({deadline.took()})",
        hint="the broker may advertise an address this machine cannot reach "
        "(advertised.listeners), or the link is slow: then raise timeout",
    )


@asynccontextmanager
async def _consumer(
    uri: str, options: Options, deadline: Deadline | None = None
) -> AsyncIterator[Any]:
    from aiokafka import AIOKafkaConsumer
    from aiokafka.errors import KafkaConnectionError

    place = locate(uri)
    place.hosts()  # the ports are numbers
    servers = [server for server in place.netloc.split(",") if server]
    if not servers:
        raise SourceNotFound(f"{redact(uri)} names no broker", hint="write kafka://host:port/topic")
    timeout_ms = int(options.timeout * 1000)
    where = ",".join(servers)
    security = _security(options, where, place)
    try:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=servers,
            group_id=None,
            enable_auto_commit=False,
            request_timeout_ms=max(timeout_ms, 1000),
            connections_max_idle_ms=max(timeout_ms * 2, 10_000),
            **security,
        )
    except (ValueError, AssertionError) as exc:  # aiokafka's checks of the security options
        raise BadOption(
            f"the Kafka security options for {where} do not fit together: {exc}",
            hint="see security_protocol, sasl_mechanism and sasl_plain_username",
        ) from None
    deadline = deadline or options.deadline()
    try:
        await asyncio.wait_for(consumer.start(), deadline.left)
    except (TimeoutError, KafkaConnectionError, OSError) as exc:
        await consumer.stop()
        why = "no answer within the timeout" if isinstance(exc, TimeoutError) else reason(exc)
        raise SourceUnreachable(
            f"cannot reach the Kafka broker at {where}: {why} ({deadline.took()})",
            hint="check host and port, and that the broker advertises an address you can reach"
            + (
                "; over TLS, also that ssl_cafile signed the broker's certificate and, "
                "if the broker asks for one, ssl_certfile and ssl_keyfile"
                if "ssl_context" in security
                else ""
            ),
        ) from None
    except Exception as exc:  # SASL failures surface as KafkaError or as a parsing error
        await consumer.stop()
        if "sasl_mechanism" in options.values:
            raise AccessDenied(
                f"the Kafka broker at {where} refused the credentials "
                f"({type(exc).__name__}: {exc})",
                hint="check sasl_mechanism, sasl_plain_username and sasl_plain_password",
            ) from None
        raise DiscoveryError(f"the Kafka broker at {where} failed: {exc}") from None
    try:
        yield consumer
    finally:
        await consumer.stop()


def _security(options: Options, where: str, place: Location) -> dict[str, Any]:
    """aiokafka's security arguments.  A user and password in the URI are the SASL login's
    (the options win).  The catalog never stores a password, so a stream read again
    (REFRESH, VALIDATE) finds it in $SCHEMACAT_KAFKA_SASL_PASSWORD."""
    security: dict[str, Any] = {
        k: options.values[k] for k in SECURITY_OPTIONS if k in options.values and k not in SSL_FILES
    }
    protocol = (options.text("security_protocol") or "PLAINTEXT").upper()
    if place.user or place.password:
        if not protocol.startswith("SASL_"):
            raise BadOption(
                f"kafka://{place.user or ''}:…@{where} gives a SASL login, but security_protocol "
                f"is {protocol}",
                hint="add security_protocol = 'SASL_SSL' (or SASL_PLAINTEXT) and sasl_mechanism "
                "('PLAIN', 'SCRAM-SHA-256' ...), or leave the user and password out of the URI",
            )
        security.setdefault("sasl_plain_username", place.user)
        if place.password is not None:
            security.setdefault("sasl_plain_password", place.password)
    if protocol in ("SSL", "SASL_SSL") or any(options.text(k) for k in SSL_FILES):
        security["ssl_context"] = _ssl_context(options)
    mechanism = (options.text("sasl_mechanism") or "").upper()
    if mechanism in PASSWORD_MECHANISMS and "sasl_plain_password" not in security:
        password = os.environ.get(PASSWORD_VARIABLE)
        if not password:
            raise AccessDenied(
                f"the Kafka broker at {where} needs a password for SASL {mechanism} "
                f"(user {options.text('sasl_plain_username') or 'not given'})",
                hint=f"set {PASSWORD_VARIABLE}, or give sasl_plain_password; "
                "schemacat never stores passwords in the catalog",
            )
        security["sasl_plain_password"] = password
    return security


def _ssl_context(options: Options) -> Any:
    """TLS with the system's CAs, or ``ssl_cafile``'s; a client certificate from
    ``ssl_certfile`` and ``ssl_keyfile`` when the broker asks for one."""
    import ssl

    from aiokafka.helpers import create_ssl_context

    files = {arg: options.text(key) for key, arg in SSL_FILES.items() if options.text(key)}
    try:
        return create_ssl_context(**files)
    except (OSError, ssl.SSLError) as exc:
        given = ", ".join(f"{key} = {options.text(key)}" for key in SSL_FILES if options.text(key))
        raise BadOption(
            f"cannot load the TLS files ({given}): {exc}",
            hint="ssl_cafile is the CA's certificate; ssl_certfile and ssl_keyfile are the "
            "client's certificate and unencrypted private key, all PEM",
        ) from None


async def _topics(consumer: Any, options: Options) -> list[SourceObject]:
    from aiokafka import TopicPartition

    names = sorted(t for t in await consumer.topics() if not t.startswith("__"))
    partitions = {t: sorted(consumer.partitions_for_topic(t) or ()) for t in names}
    every = [TopicPartition(t, p) for t in names for p in partitions[t]]
    begin = await consumer.beginning_offsets(every) if every else {}
    end = await consumer.end_offsets(every) if every else {}
    return [
        SourceObject(
            t,
            "topic",
            partitions=len(partitions[t]),
            messages=sum(end[tp] - begin[tp] for tp in every if tp.topic == t),
        )
        for t in names
    ]


def plan(
    begin: dict[int, int], end: dict[int, int], wanted: int, start: str
) -> dict[int, tuple[int, int]]:
    """Offsets to read per partition, [first, stop): ``wanted`` in all, in proportion to size."""
    sizes = {p: end[p] - begin[p] for p in begin}
    total = sum(sizes.values())
    if total <= wanted:
        return {p: (begin[p], end[p]) for p in begin if sizes[p]}
    shares = {p: sizes[p] * wanted // total for p in sizes}
    for p in sorted(sizes, key=lambda p: sizes[p] * wanted % total, reverse=True):
        if sum(shares.values()) >= wanted:
            break
        if shares[p] < sizes[p]:
            shares[p] += 1
    if start == "latest":
        return {p: (end[p] - n, end[p]) for p, n in shares.items() if n}
    return {p: (begin[p], begin[p] + n) for p, n in shares.items() if n}


async def _fetch(
    consumer: Any, uri: str, topic: str, start: str, wanted: int, *, deadline: Deadline
) -> tuple[list[Message], dict[str, Any]]:
    """The planned messages, read until every partition's range is read or the deadline:
    a slow link gets all its timeout, and what came by then is the sample."""
    from aiokafka import TopicPartition

    known = consumer.partitions_for_topic(topic)  # from the metadata read at start
    if not known:
        topics = await consumer.topics()  # fresh metadata: the topic may be new
        known = consumer.partitions_for_topic(topic) if topic in topics else None
        if not known:
            close = difflib.get_close_matches(topic, sorted(topics), n=5, cutoff=0.0)
            hint = f"the topics there, closest first: {', '.join(close)}" if close else None
            raise SourceNotFound(
                f"topic {topic} does not exist on {locate(uri).netloc}",
                hint=hint or "the broker has no topics",
            )
    partitions = [TopicPartition(topic, p) for p in sorted(known)]
    begins, ends = await asyncio.gather(
        consumer.beginning_offsets(partitions), consumer.end_offsets(partitions)
    )
    begin = {tp.partition: o for tp, o in begins.items()}
    end = {tp.partition: o for tp, o in ends.items()}
    ranges = plan(begin, end, wanted, start)
    facts: dict[str, Any] = {
        "topic": topic,
        "partitions": len(partitions),
        "from": start,
        "offsets": {str(p): list(r) for p, r in sorted(ranges.items())},
    }
    if not ranges:
        raise EmptySource(
            f"topic {topic} is empty: no message between the earliest and latest offsets "
            f"of its {len(partitions)} partitions",
            hint="produce to it first; schemacat never waits for new messages",
        )
    consumer.assign([TopicPartition(topic, p) for p in ranges])
    for p, (first, _) in ranges.items():
        consumer.seek(TopicPartition(topic, p), first)
    messages: list[Message] = []
    open_ranges = dict(ranges)
    planned = sum(stop - first for first, stop in ranges.values())
    what = f"sampling {redact(uri)}"
    report(what, 0, planned)
    while open_ranges and deadline.left > 0:
        batch = await consumer.getmany(
            *(TopicPartition(topic, p) for p in open_ranges),
            timeout_ms=max(int(min(deadline.left, POLL) * 1000), 1),
        )
        for tp, records in batch.items():
            stop = open_ranges.get(tp.partition, (0, 0))[1]
            for r in records:
                if r.offset < stop:
                    messages.append(
                        Message(tp.partition, r.offset, r.key, r.value, tuple(r.headers or ()))
                    )
        report(what, len(messages), planned)
        for tp in list(batch):
            if await consumer.position(tp) >= open_ranges.get(tp.partition, (0, 0))[1]:
                open_ranges.pop(tp.partition, None)
                consumer.pause(tp)
    if open_ranges:
        if not messages:
            raise _silent(uri, topic, deadline, f"the {planned} messages planned")
        facts["notes"] = [
            f"the sample stopped at the timeout ({deadline.took()}) with {len(messages)} of "
            f"the {planned} messages planned; raise timeout for the rest"
        ]
    messages.sort(key=lambda m: (m.partition, m.offset))  # as they are, not as they came
    return messages, facts


def _discovery(
    uri: str, options: Options, messages: Sequence[Message], facts: dict[str, Any]
) -> Discovery:
    values = [m.value for m in messages if m.value is not None]
    tombstones = len(messages) - len(values)
    if not values:
        raise EmptySource(
            f"every one of the {len(messages)} messages sampled from {facts['topic']} "
            "is a tombstone",
            hint="try from=earliest, or a topic whose values are not all deleted",
        )
    report(f"inferring the schema of {len(values)} messages from {redact(uri)}")
    value, value_format = infer_payloads(values, options.format, "value", uri)
    columns = list(value.schema.fields)
    stats: dict[str, ColumnStats] = dict(value.stats)
    facts.update(value_format=value_format, tombstones=tombstones)
    if "schema_ids" in value.details:
        facts["value_schema_ids"] = value.details["schema_ids"]
    keys = [m.key for m in messages if m.key is not None]
    if keys:
        key, key_format = infer_payloads(
            keys, options.text("key_format", "auto") or "auto", "key", uri
        )
        key_field = _single_column(key, _free_name("key", columns), KEY_ROLE, key_format)
        columns.append(key_field)
        stats[key_field.name] = next(iter(key.stats.values()))
        facts["key_format"] = key_format
        if "schema_ids" in key.details:
            facts["key_schema_ids"] = key.details["schema_ids"]
    if any(m.headers for m in messages):
        headers = Field(
            _free_name("headers", columns),
            pa.map_(pa.string(), pa.binary()),
            default=None,
            metadata={ROLE: HEADERS_ROLE},
        )
        columns.append(headers)
    return Discovery(
        columns,
        uri=uri,
        format=value_format,
        sampled=value.sampled,
        malformed=value.malformed,
        stats=stats,
        details=facts,
    )


def _value_table(messages: Sequence[Message], options: Options, uri: str) -> pa.Table:
    values = [m.value for m in messages if m.value is not None]
    table = infer_payloads(values, "csv", "value", uri)[0].table
    assert table is not None
    return table


def _single_column(inference: Inference, name: str, mark: str, fmt: str) -> Field:
    """The key as one column: a JSON object key is a STRUCT, anything else its scalar type."""
    fields = inference.schema.fields
    dtype = fields[0].type if len(fields) == 1 else pa.struct([f.to_arrow() for f in fields])
    return Field(name, dtype, default=None, metadata={ROLE: mark, "kafka.format": fmt})


def _free_name(name: str, columns: Sequence[Field]) -> str:
    taken = {f.name.lower() for f in columns}
    return name if name not in taken else f"kafka_{name}"


def _rows(messages: Sequence[Message], found: Discovery) -> list[dict[str, Any]]:
    """The sampled messages as records of the discovered columns (for ``sample()``)."""
    key_field = next((f for f in found if f.metadata.get(ROLE) == KEY_ROLE), None)
    headers_field = next((f for f in found if f.metadata.get(ROLE) == HEADERS_ROLE), None)
    value_columns = [f.name for f in found if ROLE not in f.metadata]
    rows = []
    for m in messages:
        if m.value is None:
            continue
        value = _decode(m.value, found.format)
        row = dict(value) if isinstance(value, dict) else {value_columns[0]: value}
        if key_field is not None:
            row[key_field.name] = _decode(m.key, key_field.metadata.get("kafka.format", "bytes"))
        if headers_field is not None:
            row[headers_field.name] = dict(m.headers)
        rows.append(row)
    return rows


def _decode(payload: bytes | None, fmt: str) -> Any:
    if payload is None or fmt == "bytes":
        return payload
    if fmt == "json_sr":
        payload = unframe(payload)
    text = payload.decode("utf-8", "replace")
    if fmt not in ("json", "json_sr"):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None
