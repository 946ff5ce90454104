"""``WITH (...)`` options: the catalog's own keys, ksqlDB's spellings, and the datasource's options.

=================  ==================================================================
datasource         the source URI (a password in it is never stored)
format             the source format (a file's, or a Kafka topic's values)
compatibility      the stream's mode
validate           check declared columns against a discovery (default true);
                   ``schema_registry`` is an alias
sample_size,       discovery options; with every option the datasource's provider
timeout, ...       accepts (``from``, ``max_files``, ``endpoint_url`` ...)
kafka_topic        ksqlDB: the topic on ``$SCHEMACAT_KAFKA_BOOTSTRAP``
value_format       ksqlDB: ``format``
key_format         ksqlDB: the Kafka key's format
value_delimiter    ksqlDB: the CSV delimiter (``delimiter``)
partitions,        ksqlDB: kept with the stream
timestamp
=================  ==================================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from catalog.errors import SchemacatError, SqlError, did_you_mean
from catalog.modes import normalize_mode
from catalog.sql import nodes as n
from catalog.sql.columns import at, option_text

OWN_KEYS = ("datasource", "format", "compatibility", "validate")
KEPT_KEYS = ("key_format", "partitions", "timestamp", "delimiter")
ALIASES = {
    "schema_registry": "validate",
    "value_format": "format",
    "value_delimiter": "delimiter",
}


@dataclass
class StreamOptions:
    datasource: str | None = None
    format: str | None = None
    compatibility: str | None = None
    validate: bool = True
    discovery: dict[str, str] = field(default_factory=dict)  # given to the provider
    kept: dict[str, str] = field(default_factory=dict)  # stored with the stream


def resolve(
    options: Sequence[n.Option] | None,
    kept: Mapping[str, str] | None = None,
    datasource: str | None = None,
) -> StreamOptions:
    """The options of a CREATE STREAM or ALTER STREAM ... SET, checked key by key; the
    provider options are those of the datasource given, else of ``datasource`` (the
    stream's own, for ALTER)."""
    values: dict[str, tuple[str | None, n.Option]] = {}
    for option in options or ():
        key = option.name.lower()
        key = ALIASES.get(key, key)
        if key == "kafka_topic":
            key, topic = "datasource", option_text(option.args["value"])
            values[key] = (_topic_uri(topic, option), option)
            continue
        values[key] = (option_text(option.args["value"]), option)
    out = StreamOptions(kept=dict(kept or {}))
    if "datasource" in values:
        out.datasource = values["datasource"][0]
    accepted = _provider_options(
        out.datasource or datasource, values.get("datasource", (None, None))[1]
    )
    for key, (text, option) in values.items():
        if key == "datasource":
            continue
        if key == "format":
            out.format = text.lower() if text else None
        elif key == "compatibility":
            try:
                out.compatibility = normalize_mode(text or "")
            except SchemacatError as exc:
                raise at(exc, option.args["value"]) from None
        elif key == "validate":
            out.validate = (text or "true").lower() not in ("false", "0", "no", "off")
        elif key in KEPT_KEYS or key in accepted:
            if text is not None:
                out.kept[key] = text
        else:
            _unknown(key, option, accepted)
        if key in accepted and text is not None:
            out.discovery[key] = text
    return out


def _topic_uri(topic: str | None, option: n.Option) -> str:
    bootstrap = os.environ.get("SCHEMACAT_KAFKA_BOOTSTRAP")
    if not bootstrap:
        raise at(
            SqlError(
                "KAFKA_TOPIC needs the brokers in $SCHEMACAT_KAFKA_BOOTSTRAP",
                hint="set SCHEMACAT_KAFKA_BOOTSTRAP=host:port, or give datasource = 'kafka://host:port/topic'",
                code="BAD_OPTION",
            ),
            option,
        )
    return f"kafka://{bootstrap}/{topic}"


def provider_options(datasource: str) -> tuple[str, ...]:
    """The options the provider of ``datasource`` accepts."""
    from catalog.registry import get_provider, parse_uri

    return tuple(get_provider(parse_uri(datasource).scheme).options)


def _provider_options(datasource: str | None, option: n.Option | None) -> tuple[str, ...]:
    if datasource is None:
        return ()
    from catalog.errors import UnknownScheme

    try:
        return provider_options(datasource)
    except UnknownScheme as exc:
        raise at(exc, option) from None


def _unknown(key: str, option: n.Option, accepted: Sequence[str]) -> None:
    valid = sorted({*OWN_KEYS, *KEPT_KEYS, *ALIASES, "kafka_topic", *accepted})
    raise at(
        SqlError(
            f"unknown option {option.name!r}",
            hint=did_you_mean(key, valid) or f"the options are {', '.join(valid)}",
            code="UNKNOWN_OPTION",
        ),
        option,
    )
