"""A stream's options: the catalog's own keys, ksqlDB's spellings, and the datasource's options.

=================  ==================================================================
datasource         the source URI (a password in it is never stored)
format             the source format (a file's, or a Kafka topic's values)
compatibility      the stream's mode
validate           check declared columns against a discovery (default true);
                   ``schema_registry`` is an alias
sample_size,       discovery options; with every option the datasource's provider
timeout, ...       accepts (``from``, ``max_files``, ``endpoint_url`` ...)
kafka_topic        ksqlDB: the topic on ``$SCHEMACAT_KAFKA_BOOTSTRAP``; with a registry
                   format and no columns, the columns of subject ``<topic>-value``
value_format       ksqlDB: ``format`` (``avro``, ``json_sr``, ``protobuf`` are registry
                   formats: the value schema is subject ``<topic>-value``)
key_format         ksqlDB: the Kafka key's format (a registry format: ``<topic>-key``)
value_schema_id    ksqlDB: the id of the registered value schema to take
value_schema_      ksqlDB: the record name of the value schema (an Avro record's full
full_name          name, a discovered table's ``schema.table``)
value_delimiter    ksqlDB: the CSV delimiter (``delimiter``)
partitions,        ksqlDB: kept with the stream
timestamp
=================  ==================================================================

Keys are case-insensitive.  An error names the option in its ``subject``:
``("options", key)`` for the key, ``("options", key, "value")`` for its value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field

from catalog.discovery import COMMON_OPTIONS
from catalog.errors import InvalidRequest, SchemacatError, did_you_mean
from catalog.modes import normalize_mode
from catalog.registry import Registry, parse_uri
from catalog.secrets import is_secret_option

OWN_KEYS = (
    "datasource", "format", "compatibility", "validate", "value_schema_full_name",
    "value_schema_id",
)  # fmt: skip
#: ksqlDB's formats whose schemas live in a registry (subjects <topic>-value, <topic>-key)
REGISTRY_FORMATS = ("avro", "json_sr", "protobuf")
KEPT_KEYS = ("key_format", "partitions", "timestamp", "delimiter")
ALIASES = {
    "schema_registry": "validate",
    "value_format": "format",
    "value_delimiter": "delimiter",
}
BOOTSTRAP_VARIABLE = "SCHEMACAT_KAFKA_BOOTSTRAP"


@dataclass
class StreamOptions:
    datasource: str | None = None
    format: str | None = None
    compatibility: str | None = None
    validate: bool | None = None  # None: not given
    schema_name: str | None = None  # the value schema's record name
    topic: str | None = None  # KAFKA_TOPIC, as given
    value_schema_id: int | None = None
    discovery: dict[str, str] = field(default_factory=dict)  # given to the provider
    kept: dict[str, str] = field(default_factory=dict)  # stored with the stream


def resolve(
    given: Mapping[str, str | None],
    registry: Registry,
    *,
    kept: Mapping[str, str] | None = None,
    datasource: str | None = None,
) -> StreamOptions:
    """``given`` (key as written -> value as text), checked key by key.  The provider
    options are those of the datasource given, else of ``datasource`` (a stream's own)."""
    values: dict[str, tuple[str | None, str]] = {}  # key -> (value, key as written)
    for written, text in given.items():
        values[ALIASES.get(written.lower(), written.lower())] = (text, written)
    out = StreamOptions(kept=dict(kept or {}))
    if "kafka_topic" in values:
        text, written = values.pop("kafka_topic")
        out.topic = text or None
        from_registry = (values.get("format", (None, ""))[0] or "").lower() in REGISTRY_FORMATS
        if from_registry and not os.environ.get(BOOTSTRAP_VARIABLE):
            out.kept["kafka_topic"] = text or ""  # no broker to sample: the topic is kept
        else:
            values["datasource"] = (kafka_uri(text or "", subject=("options", written)), written)
    if "datasource" in values:
        out.datasource = values["datasource"][0]
    source = out.datasource or datasource
    accepted = _provider_options(source, registry, values.get("datasource", (None, ""))[1])
    for key, (text, written) in values.items():
        if key == "datasource":
            continue
        if key == "format":
            out.format = text.lower() if text else None
        elif key == "compatibility":
            try:
                out.compatibility = normalize_mode(text or "")
            except SchemacatError as exc:
                exc.subject = ("options", written, "value")
                raise
        elif key == "validate":
            out.validate = (text or "true").lower() not in ("false", "0", "no", "off")
        elif key == "value_schema_full_name":
            out.schema_name = text or None
        elif key == "value_schema_id":
            out.value_schema_id = _schema_id(text, written)
        elif key in KEPT_KEYS or key in accepted:
            if text is not None and not is_secret_option(key):  # used, never kept
                out.kept[key] = text
        else:
            _unknown(key, written, accepted)
        if key in accepted and text is not None:
            out.discovery[key] = text
    return out


def _schema_id(text: str | None, written: str) -> int:
    if text is None or not text.strip().isdigit() or int(text) < 1:
        raise InvalidRequest(
            f"{written} must be a schema id (a whole number from 1), not {text!r}",
            hint="GET /subjects/<topic>-value/versions/latest gives a subject's id",
            code="BAD_OPTION",
            subject=("options", written, "value"),
        )
    return int(text)


def kafka_uri(topic: str = "", *, subject: tuple[str | int, ...] | None = None) -> str:
    """``kafka://`` the brokers of ``$SCHEMACAT_KAFKA_BOOTSTRAP`` ``/topic``."""
    bootstrap = os.environ.get(BOOTSTRAP_VARIABLE)
    if not bootstrap:
        raise InvalidRequest(
            f"no Kafka broker given, and ${BOOTSTRAP_VARIABLE} is not set",
            hint=f"set {BOOTSTRAP_VARIABLE}=host:port, or name the broker in a URI "
            "('kafka://host:port/topic')",
            code="NO_BROKER",
            subject=subject,
        )
    return f"kafka://{bootstrap}/{topic}" if topic else f"kafka://{bootstrap}"


def option_keys(registry: Registry, datasource: str | None = None) -> tuple[str, ...]:
    """The keys WITH (...) takes for a stream of ``datasource``: the catalog's own, ksqlDB's
    spellings, and the options of its provider (only its provider is imported)."""
    keys = [*OWN_KEYS, *COMMON_OPTIONS, "kafka_topic", *ALIASES, *KEPT_KEYS]
    if datasource is not None:
        with suppress(SchemacatError):  # not a URI of a known scheme (yet): the common keys
            keys += provider_options(datasource, registry)
    return tuple(dict.fromkeys(keys))


def provider_options(datasource: str, registry: Registry) -> tuple[str, ...]:
    """The options the provider of ``datasource`` accepts."""
    return tuple(registry.get(parse_uri(datasource).scheme).options)


def _provider_options(datasource: str | None, registry: Registry, written: str) -> tuple[str, ...]:
    if datasource is None:
        return ()
    try:
        return provider_options(datasource, registry)
    except SchemacatError as exc:
        exc.subject = ("options", written or "datasource")
        raise


def _unknown(key: str, written: str, accepted: Sequence[str]) -> None:
    valid = sorted({*OWN_KEYS, *KEPT_KEYS, *ALIASES, "kafka_topic", *accepted})
    raise InvalidRequest(
        f"unknown option {written!r}",
        hint=did_you_mean(key, valid) or f"the options are {', '.join(valid)}",
        code="UNKNOWN_OPTION",
        subject=("options", written),
    )
