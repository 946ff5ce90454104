"""ALTER STREAM (column actions, SET, REFRESH) and VALIDATE STREAM: each one Catalog call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlglot import TokenType, exp

from catalog import evolve
from catalog.discovery import with_notes
from catalog.errors import SchemacatError, did_you_mean
from catalog.field import NO_DEFAULT
from catalog.outcomes import Registered, Updated
from catalog.result import Result
from catalog.sql.columns import field, field_type, option_values, value
from catalog.sql.generator import StreamGenerator
from catalog.sql.parser import StreamParser, closest
from catalog.sql.statement import Statement
from catalog.words import counted, versions

if TYPE_CHECKING:
    from catalog.sql.session import Session

ACTION_WORDS = ("ADD", "DROP", "RENAME", "ALTER", "SET", "REFRESH")
COLUMN_WORDS = ("TYPE", "SET", "DROP")
VALIDATE_COLUMNS = ("column", "registered_type", "observed_type", "status")


class AlterStream(exp.Expression):
    arg_types = {"this": True, "actions": True}


class AddColumn(exp.Expression):
    arg_types = {"this": True, "exists": False}


class DropColumn(exp.Expression):
    arg_types = {"this": True, "exists": False}


class RenameColumn(exp.Expression):
    arg_types = {"this": True, "to": True}


class AlterColumnType(exp.Expression):
    arg_types = {"this": True, "kind": True}


class AlterColumnDefault(exp.Expression):
    """SET DEFAULT v, or DROP DEFAULT when ``default`` is absent."""

    arg_types = {"this": True, "default": False}


class AlterColumnNullability(exp.Expression):
    """SET NOT NULL (``not_null``) or DROP NOT NULL."""

    arg_types = {"this": True, "not_null": False}


class SetStreamOptions(exp.Expression):
    arg_types = {"options": True}


class RefreshStream(exp.Expression):
    arg_types = {}


class ValidateStream(exp.Expression):
    arg_types = {"this": True}


def parse(p: StreamParser) -> AlterStream:
    p.expect("STREAM", what="STREAM after ALTER")
    name = p.name()
    actions = [_action(p)]
    while p._match(TokenType.COMMA):
        actions.append(_action(p))
    if len(actions) > 1 and any(isinstance(a, SetStreamOptions | RefreshStream) for a in actions):
        p.fail(
            "SET (...) and REFRESH stand alone in an ALTER STREAM",
            hint="run them as statements of their own",
        )
    return AlterStream(this=name, actions=actions)


def _action(p: StreamParser) -> exp.Expression:
    token = p._curr
    if p._match_text_seq("ADD"):
        with _column_word(p, "ADD"):
            exists = p._match_text_seq("IF", "NOT", "EXISTS")
            return p.at(AddColumn(this=p.column(), exists=exists or None), token)
    if p._match_text_seq("DROP"):
        with _column_word(p, "DROP"):
            exists = p._match_text_seq("IF", "EXISTS")
            return p.at(DropColumn(this=p.name("a column name"), exists=exists or None), token)
    if p._match_text_seq("RENAME"):
        with _column_word(p, "RENAME"):
            old = p.name("a column name")
            p.expect("TO")
            return p.at(RenameColumn(this=old, to=p.name("the new column name")), token)
    if p._match_text_seq("ALTER"):
        with _column_word(p, "ALTER"):
            return p.at(_alter_column(p, p.name("a column name")), token)
    if p._match(TokenType.SET):
        return p.at(SetStreamOptions(options=p.options()), token)
    if p._match_text_seq("REFRESH"):
        return p.at(RefreshStream(), token)
    found = token.text if token else ""
    message = f"unknown ALTER STREAM action {found!r}" if token else "expected an action"
    p.fail(message, hint=closest(found, ACTION_WORDS))


@contextmanager
def _column_word(p: StreamParser, verb: str) -> Iterator[None]:
    """Takes the optional COLUMN after ``verb``.  A misspelling (``ADD COLUM foo INT``) is
    read as the column's name; when what follows then fails, the error says so."""
    token = p._curr
    if p._match_text_seq("COLUMN") or not token or token.token_type != TokenType.VAR:
        yield
        return
    if not did_you_mean(token.text.upper(), ["COLUMN"], cutoff=0.75):
        yield
        return
    hint = f"did you mean {verb} COLUMN? {token.text} was read as the column's name"
    try:
        yield
    except SchemacatError as exc:
        exc.hint = exc.hint or hint
        raise
    after = p._curr
    if after and after.token_type != TokenType.COMMA:  # DROP COLUM foo
        p.fail(f"unexpected {after.text!r} after the end of the statement", hint=hint)


def _alter_column(p: StreamParser, column: exp.Identifier) -> exp.Expression:
    if p._match_text_seq("TYPE") or p._match_text_seq("SET", "DATA", "TYPE"):
        return AlterColumnType(this=column, kind=p.data_type())
    if p._match_text_seq("SET", "DEFAULT"):
        return AlterColumnDefault(this=column, default=p.literal())
    if p._match_text_seq("DROP", "DEFAULT"):
        return AlterColumnDefault(this=column)
    if p._match_text_seq("SET", "NOT", "NULL"):
        return AlterColumnNullability(this=column, not_null=True)
    if p._match_text_seq("DROP", "NOT", "NULL"):
        return AlterColumnNullability(this=column)
    p.unexpected("TYPE, SET DEFAULT, DROP DEFAULT, SET NOT NULL or DROP NOT NULL", COLUMN_WORDS)


def generate(g: StreamGenerator, e: AlterStream) -> str:
    return f"ALTER STREAM {g.sql(e, 'this')} " + ", ".join(
        _action_sql(g, a) for a in e.args["actions"]
    )


def _action_sql(g: StreamGenerator, a: exp.Expression) -> str:
    exists = a.args.get("exists")
    if isinstance(a, AddColumn):
        return "ADD COLUMN " + ("IF NOT EXISTS " if exists else "") + g.stream_column_sql(a.this)
    if isinstance(a, DropColumn):
        return "DROP COLUMN " + ("IF EXISTS " if exists else "") + g.sql(a, "this")
    if isinstance(a, RenameColumn):
        return f"RENAME COLUMN {g.sql(a, 'this')} TO {g.sql(a, 'to')}"
    if isinstance(a, AlterColumnType):
        return f"ALTER COLUMN {g.sql(a, 'this')} TYPE {g.sql(a, 'kind')}"
    if isinstance(a, AlterColumnDefault):
        default = a.args.get("default")
        change = f"SET DEFAULT {g.sql(default)}" if default is not None else "DROP DEFAULT"
        return f"ALTER COLUMN {g.sql(a, 'this')} {change}"
    if isinstance(a, AlterColumnNullability):
        change = "SET NOT NULL" if a.args.get("not_null") else "DROP NOT NULL"
        return f"ALTER COLUMN {g.sql(a, 'this')} {change}"
    if isinstance(a, SetStreamOptions):
        return "SET " + g.stream_options(a.args["options"])
    return "REFRESH"


async def run(session: Session, node: AlterStream) -> list[Result]:
    catalog, actions = session.catalog, node.args["actions"]
    if isinstance(actions[0], SetStreamOptions):
        updated = await catalog.set_options(node.name, option_values(actions[0].args["options"]))
        changed = ", ".join(f"{k} = {v}" for k, v in updated.changed.items()) or "nothing changed"
        if updated.not_kept:
            changed += f"; {', '.join(updated.not_kept)} not kept (secrets never are)"
        return [_said(f"stream {updated.stream.name}: {changed}" + _broken(updated))]
    if isinstance(actions[0], RefreshStream):
        refreshed = await catalog.refresh(node.name)
        notes = refreshed.found.notes if refreshed.found is not None else ()
        return [_said(with_notes(_outcome(refreshed, "unchanged after refresh"), notes))]
    altered = await catalog.alter(node.name, [column_action(a) for a in actions])
    return [_said(_outcome(altered, "unchanged"))]


def _outcome(registered: Registered, unchanged: str) -> str:
    if not registered.changed:
        return f"stream {registered.stream}: {unchanged} (version {registered.version})"
    return f"stream {registered.stream}: version {registered.version} ({registered.change})"


def _broken(updated: Updated, most: int = 10) -> str:
    """A warning naming each registered version the new mode's check fails on, and why."""
    if not updated.broken:
        return ""
    mode = updated.stream.compatibility
    failing = [n for n, _ in updated.broken]
    lines = [f"  - {issue.message}" for _, result in updated.broken for issue in result.issues]
    more = f"\n  ... and {counted(len(lines) - most, 'more problem')}" if len(lines) > most else ""
    return (
        f"\nwarning: the versions registered already break {mode}: "
        f"{versions(failing)} would not be accepted under it; every new version is checked "
        f"against the versions {mode} names, so it must read (and be read by) those too\n"
        + "\n".join(lines[:most])
        + more
    )


def _said(message: str) -> Result:
    return Result("ALTER STREAM", message=message)


def column_action(action: exp.Expression) -> evolve.ColumnAction:
    """The catalog's column action for an action node of ALTER STREAM."""
    name = action.this.name
    if isinstance(action, AddColumn):
        return evolve.AddColumn(field(action.this), bool(action.args.get("exists")))
    if isinstance(action, DropColumn):
        return evolve.DropColumn(name, bool(action.args.get("exists")))
    if isinstance(action, RenameColumn):
        return evolve.RenameColumn(name, action.args["to"].name)
    if isinstance(action, AlterColumnType):
        return evolve.SetColumnType(name, field_type(action.args["kind"]))
    if isinstance(action, AlterColumnDefault):
        default = action.args.get("default")
        return evolve.SetColumnDefault(name, NO_DEFAULT if default is None else value(default))
    return evolve.SetColumnNullable(name, nullable=not action.args.get("not_null"))


def parse_validate(p: StreamParser) -> ValidateStream:
    p.expect("STREAM", choices=("STREAM",))
    return ValidateStream(this=p.name())


async def run_validate(session: Session, node: ValidateStream) -> list[Result]:
    rows = [
        (d.column, d.registered_type, d.observed_type, d.status)
        for d in await session.catalog.validate(node.name)
    ]
    return [Result("VALIDATE STREAM", VALIDATE_COLUMNS, rows)]


ALTER = Statement(
    words=("ALTER",),
    nodes=(AlterStream,),
    parse=parse,
    generate=generate,
    run=run,
    help=(
        "ALTER STREAM name ADD COLUMN col TYPE | DROP COLUMN col | RENAME COLUMN a TO b [, ...]",
        "ALTER STREAM name ALTER COLUMN col TYPE t | SET DEFAULT v | DROP DEFAULT",
        "ALTER STREAM name ALTER COLUMN col SET NOT NULL | DROP NOT NULL",
        "ALTER STREAM name SET (compatibility = 'FULL', ...)",
        "ALTER STREAM name REFRESH",
    ),
)
VALIDATE = Statement(
    words=("VALIDATE",),
    nodes=(ValidateStream,),
    parse=parse_validate,
    generate=lambda g, e: f"VALIDATE STREAM {g.sql(e, 'this')}",
    run=run_validate,
    help=("VALIDATE STREAM name",),
)
