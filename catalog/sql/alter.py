"""ALTER STREAM, REFRESH and VALIDATE: a candidate schema, checked, then one new version.

Column actions apply in order to the latest schema and make one version (or
none, when the result is the same schema).  The compatibility check of the
stream's mode runs before anything is written; a stream that moved meanwhile
is checked again (``expected_version``).
"""

from __future__ import annotations

from sqlglot import exp

from catalog.core import Catalog
from catalog.discover import discover_schema, invalidate
from catalog.discovery import Discovery, with_notes
from catalog.drift import drift
from catalog.errors import SqlError
from catalog.result import Result
from catalog.schema import NO_DEFAULT, Field, Schema
from catalog.sql import nodes as n
from catalog.sql.columns import at, checked_default, field, field_type, find, stream_of, value
from catalog.sql.options import provider_options, resolve
from catalog.store import StreamRecord
from catalog.uri import redact

VALIDATE_COLUMNS = ("column", "registered_type", "observed_type", "status")


async def alter_stream(catalog: Catalog, node: n.AlterStream) -> list[Result]:
    actions = node.args["actions"]
    stream = await stream_of(catalog, node)
    if isinstance(actions[0], n.SetStreamOptions):
        return [await _set_options(catalog, stream, actions[0])]
    if isinstance(actions[0], n.RefreshStream):
        return [await _refresh(catalog, stream, node)]
    latest = await catalog.get_version(stream.name)
    schema = latest.schema
    for action in actions:
        schema = apply(schema, action)
    version = await catalog.register(stream.name, schema, expected_version=latest.version)
    if version.version == latest.version:
        return [
            Result(
                "ALTER STREAM",
                message=f"stream {stream.name}: unchanged (version {latest.version})",
            )
        ]
    return [
        Result(
            "ALTER STREAM",
            message=f"stream {stream.name}: version {version.version} ({version.change})",
        )
    ]


def apply(schema: Schema, action: exp.Expression) -> Schema:
    """``schema`` after one column action."""
    fields = list(schema.fields)
    if isinstance(action, n.AddColumn):
        column = action.this
        if column.name in schema:
            if action.args.get("exists"):
                return schema
            raise at(
                SqlError(
                    f"column {column.name} already exists",
                    hint="use ADD COLUMN IF NOT EXISTS",
                    code="COLUMN_EXISTS",
                ),
                column,
            )
        return Schema([*fields, field(column)], schema.name)
    if isinstance(action, n.DropColumn):
        if action.name not in schema and action.args.get("exists"):
            return schema
        gone = find(schema, action.this)
        return Schema([f for f in fields if f is not gone], schema.name)
    target = find(schema, action.this)
    index = schema.index(target.name)
    fields[index] = _changed(schema, target, action)
    return Schema(fields, schema.name)


def _changed(schema: Schema, target: Field, action: exp.Expression) -> Field:
    if isinstance(action, n.RenameColumn):
        new = action.args["to"]
        if new.name in schema and new.name.lower() != target.name.lower():
            raise at(SqlError(f"column {new.name} already exists", code="COLUMN_EXISTS"), new)
        aliases = tuple(dict.fromkeys((*target.aliases, target.name)))
        return target.replace(name=new.name, aliases=aliases)
    if isinstance(action, n.AlterColumnType):
        dtype = field_type(action.args["kind"])
        default = target.default
        if target.has_default:
            default = checked_default(target.default, dtype, target.name, action.args["kind"])
        return target.replace(type=dtype, default=default)
    if isinstance(action, n.AlterColumnDefault):
        node = action.args.get("default")
        if node is None:
            return target.replace(default=NO_DEFAULT)
        default = checked_default(value(node), target.type, target.name, node)
        if default is None and not target.nullable:
            raise at(
                SqlError(
                    f"column {target.name} is NOT NULL; its default cannot be NULL",
                    code="BAD_DEFAULT",
                ),
                node,
            )
        return target.replace(default=default)
    if action.args.get("not_null"):
        default = NO_DEFAULT if target.has_default and target.default is None else target.default
        return target.replace(nullable=False, default=default)
    # a nullable column reads as NULL where it is missing, as in SQL
    return target.replace(nullable=True, default=target.default if target.has_default else None)


async def _set_options(
    catalog: Catalog, stream: StreamRecord, action: n.SetStreamOptions
) -> Result:
    options = resolve(action.args["options"], kept=stream.options, datasource=stream.datasource)
    changes: dict[str, object] = {"options": options.kept}
    if options.compatibility:
        changes["compatibility"] = options.compatibility
    if options.datasource:
        changes["datasource"] = options.datasource
    if options.format:
        changes["format"] = options.format
    updated = await catalog.update_stream(stream.name, **changes)
    settings = [
        f"{key} = {value}"
        for key, value in (
            ("datasource", redact(options.datasource or "")),
            ("format", options.format),
            ("compatibility", options.compatibility),
        )
        if value
    ]
    settings += [f"{k} = {v}" for k, v in options.kept.items() if stream.options.get(k) != v]
    changed = ", ".join(settings) or "nothing changed"
    return Result("ALTER STREAM", message=f"stream {updated.name}: {changed}")


async def _rediscover(stream: StreamRecord, node: n.AlterStream | n.ValidateStream) -> Discovery:
    """The source looked at again (not from the cache), with the stream's options."""
    if not stream.datasource:
        raise at(
            SqlError(
                f"stream {stream.name} has no datasource to look at",
                hint="ALTER STREAM ... SET (datasource = '...')",
                code="NO_DATASOURCE",
            ),
            node.this,
        )
    invalidate(stream.datasource)
    accepted = provider_options(stream.datasource)
    options = {k: v for k, v in stream.options.items() if k in accepted}
    if stream.format and "," not in stream.format and "format" in accepted:
        options.setdefault("format", stream.format)  # as discovered or declared
    return await discover_schema(stream.datasource, **options)


async def _refresh(catalog: Catalog, stream: StreamRecord, node: n.AlterStream) -> Result:
    found = await _rediscover(stream, node)
    latest = await catalog.get_version(stream.name)
    version = await catalog.register(
        stream.name,
        found.schema,
        origin="refreshed",
        discovery=found.facts(),
        expected_version=latest.version,
    )
    if version.version == latest.version:
        line = f"stream {stream.name}: unchanged after refresh (version {latest.version})"
    else:
        line = f"stream {stream.name}: version {version.version} ({version.change})"
    return Result("ALTER STREAM", message=with_notes(line, found.notes))


async def validate_stream(catalog: Catalog, node: n.ValidateStream) -> list[Result]:
    stream = await stream_of(catalog, node)
    registered = await catalog.get_schema(stream.name)
    observed = await _rediscover(stream, node)
    rows = [
        (d.column, d.registered_type, d.observed_type, d.status)
        for d in drift(registered, observed)
    ]
    return [Result("VALIDATE STREAM", VALIDATE_COLUMNS, rows)]
