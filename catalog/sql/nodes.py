"""The expression nodes of schemacat's SQL statements (sqlglot ``Expression`` subclasses).

Names are ``exp.Identifier`` (quoted or not, as written); option values, URIs and
literals are ``exp.Literal``, ``exp.Boolean`` or ``exp.Null``; column types are
``exp.DataType``.  A node's ``meta`` holds where its first token starts in the
statement (``start``), for errors.
"""

from __future__ import annotations

from sqlglot import exp


class Option(exp.Expression):
    """``key = value`` in ``WITH (...)`` or ``SET (...)``."""

    arg_types = {"this": True, "value": True}


class StreamColumn(exp.Expression):
    """``name type [KEY | HEADERS | HEADER('k')] [NOT NULL] [DEFAULT v] [COMMENT 'c']``."""

    arg_types = {
        "this": True,
        "kind": True,
        "role": False,  # "KEY", "HEADERS" or "HEADER"
        "header": False,  # the header's name, for HEADER('k')
        "not_null": False,
        "default": False,
        "comment": False,
    }


class CreateStream(exp.Expression):
    arg_types = {
        "this": True,
        "columns": False,
        "options": False,
        "query": False,
        "replace": False,
        "exists": False,
        "emit": False,  # EMIT CHANGES
    }


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


class DropStream(exp.Expression):
    arg_types = {"this": True, "exists": False}


class ShowStreams(exp.Expression):
    arg_types = {}


class ShowSchemas(exp.Expression):
    arg_types = {}


class ShowTopics(exp.Expression):
    arg_types = {"this": False}


class ShowCreateStream(exp.Expression):
    arg_types = {"this": True}


class ShowSchemaVersions(exp.Expression):
    arg_types = {"this": True}


class ShowSchemaCompatibility(exp.Expression):
    arg_types = {"this": True}


class DescribeStream(exp.Expression):
    arg_types = {"this": True, "version": False, "extended": False}


class DescribeSource(exp.Expression):
    arg_types = {"this": True, "options": False}


class SetSetting(exp.Expression):
    arg_types = {"this": True, "value": True}


class Define(exp.Expression):
    arg_types = {"this": True, "value": True}


class RunScript(exp.Expression):
    arg_types = {"this": True}


STATEMENT_KINDS: dict[type[exp.Expression], str] = {
    CreateStream: "CREATE STREAM",
    AlterStream: "ALTER STREAM",
    DropStream: "DROP STREAM",
    ValidateStream: "VALIDATE STREAM",
    ShowStreams: "SHOW STREAMS",
    ShowSchemas: "SHOW SCHEMAS",
    ShowTopics: "SHOW TOPICS",
    ShowCreateStream: "SHOW CREATE STREAM",
    ShowSchemaVersions: "SHOW SCHEMA VERSIONS FOR",
    ShowSchemaCompatibility: "SHOW SCHEMA COMPATIBILITY FOR",
    DescribeStream: "DESCRIBE",
    DescribeSource: "DESCRIBE",
    SetSetting: "SET",
    Define: "DEFINE",
    RunScript: "RUN SCRIPT",
}
